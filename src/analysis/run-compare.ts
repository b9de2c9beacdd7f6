// One comparison end to end: flows for every service (synthetic, or from a capture), the Wasm
// selection engine, every experiment, one report. The CLI and library users call this.
import { Xoshiro128 } from "../model/prng.js";
import type { PortPacking } from "../model/flow.js";
import { runComparison, type ServiceFlows } from "./compare.js";
import { nodeStreamSeed } from "./engine-options.js";
import { syntheticFlows } from "./flows.js";
import type { CompareService, FlowSet } from "./model.js";
import type { CompareReport, SnapshotInfo } from "./results.js";
import type { SelectionEngine } from "./selection.js";
import { WasmSelectionEngine } from "./wasm-engine.js";
import { ServiceNodes } from "./service-node.js";
import type { NodeConfig } from "../engine/state.js";
import { MAGLEV_TABLE_SIZES } from "../model/maglev-table.js";
import { DEFAULT_MAGLEV_SEED } from "../model/cluster-seed.js";

/** Flows per service through the emulated datapath unless told otherwise: a few seconds in all. */
export const DEFAULT_CT_FLOWS = 4096;

/** Where the compared flows come from: generated, or read from a capture. */
export type FlowSource =
  | { readonly kind: "synthetic"; readonly flows: number; readonly clients: number }
  /** Flows already gathered per service frontend (e.g. from a capture); missing = no flows. */
  | { readonly kind: "capture"; readonly path: string; readonly flows: ReadonlyMap<string, FlowSet> };

/** What compareSelection compares: the services, the flows, the engine and the experiment parameters. */
export interface CompareOptions {
  readonly snapshot: SnapshotInfo;
  readonly services: readonly CompareService[];
  /** How many services of the whole snapshot get a Maglev table (defaults to the compared ones). */
  readonly maglevTableServices?: number;
  readonly flowSource: FlowSource;
  readonly seed: number;
  readonly tableSize: number;
  readonly clusterSeed?: string;
  readonly portPacking: PortPacking;
  /** Largest k for remove/add churn (default 8). */
  readonly maxChurn?: number;
  /** Sizes swept (default all of Cilium's). */
  readonly tableSizes?: readonly number[];
  /** Use this engine instead of a fresh Wasm one (tests pass the TS reference). */
  readonly engine?: SelectionEngine;
  /** Flows per service sent through the emulated datapath (churn with CT, failover); default 4096. */
  readonly ctFlows?: number;
  /** Agent configuration of the emulated nodes (the snapshot node's); default Cilium's. */
  readonly node?: NodeConfig;
  /** Datapath pipeline of the emulated nodes: "wasm" (default) or the TS "reference". */
  readonly datapathEngine?: "wasm" | "reference";
  readonly notes?: readonly string[];
  /** Progress of the comparison: `done` of `total` steps (one per service, then the size sweep). */
  readonly onProgress?: (done: number, total: number) => void | Promise<void>;
}

/** Synthetic flows of service `index`: its own stream of the run's seed, so services differ. */
export function flowsFor(source: FlowSource, service: CompareService, index: number, seed: number): FlowSet {
  if (source.kind === "synthetic") {
    return syntheticFlows(source, new Xoshiro128(nodeStreamSeed(seed, 0x10000 + index)));
  }
  const flows = source.flows.get(service.frontend);
  return (
    flows ?? {
      count: 0,
      clientAddress: new Uint32Array(0),
      clientPort: new Uint16Array(0),
      packets: new Float64Array(0),
      bytes: new Float64Array(0),
    }
  );
}

/**
 * Compares Maglev with random selection on each service (what `dpemu compare` runs) and returns the report.
 */
export async function compareSelection(options: CompareOptions): Promise<CompareReport> {
  const engine =
    options.engine ??
    (await WasmSelectionEngine.create({
      tableSize: options.tableSize,
      seed: options.seed,
      portPacking: options.portPacking,
      ...(options.clusterSeed !== undefined ? { clusterSeed: options.clusterSeed } : {}),
    }));
  const withFlows: ServiceFlows[] = options.services.map((service, i) => ({
    service,
    flows: flowsFor(options.flowSource, service, i, options.seed),
  }));
  // A capture may never reach some services; there is nothing to measure for them.
  const services = withFlows.filter((s) => s.flows.count > 0);
  const unreached = withFlows.filter((s) => s.flows.count === 0).map((s) => s.service.frontend);
  if (services.length === 0) {
    throw new RangeError(
      `no flow in ${options.flowSource.kind === "capture" ? options.flowSource.path : "the input"} reaches a compared service`,
    );
  }
  const notes = [...(options.notes ?? [])];
  if (unreached.length > 0) notes.push(`no flows reached ${unreached.join(", ")}: left out`);
  const source = options.flowSource;
  const nodes = await ServiceNodes.create({
    tableSize: options.tableSize,
    portPacking: options.portPacking,
    seed: options.seed,
    ...(options.node !== undefined ? { node: options.node } : {}),
    ...(options.clusterSeed !== undefined ? { clusterSeed: options.clusterSeed } : {}),
    ...(options.datapathEngine !== undefined ? { engine: options.datapathEngine } : {}),
  });
  return runComparison(engine, {
    snapshot: options.snapshot,
    parameters: {
      seed: options.seed,
      tableSize: options.tableSize,
      clusterSeed: options.clusterSeed ?? DEFAULT_MAGLEV_SEED,
      flowSource: source.kind === "synthetic" ? "synthetic" : source.path,
      flowsPerService: source.kind === "synthetic" ? source.flows : null,
      clients: source.kind === "synthetic" ? source.clients : null,
    },
    services,
    maglevTableServices: options.maglevTableServices ?? options.services.length,
    tableSizes: options.tableSizes ?? MAGLEV_TABLE_SIZES,
    conntrack: { nodes, flowsPerService: options.ctFlows ?? DEFAULT_CT_FLOWS },
    ...(options.maxChurn !== undefined ? { maxChurn: options.maxChurn } : {}),
    ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
    notes,
  });
}
