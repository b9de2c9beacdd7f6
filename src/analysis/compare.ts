// Runs every experiment for every service under both algorithms and assembles the report.
import { ALGORITHMS, backendKey, type Algorithm, type CompareService, type FlowSet } from "./model.js";
import type {
  AlgorithmResult,
  CompareParameters,
  CompareReport,
  MaglevResult,
  ServiceResult,
  SnapshotInfo,
} from "./results.js";
import type { SelectionEngine } from "./selection.js";
import { datapathProtocol, type ServiceNodes } from "./service-node.js";
import { sampleFlows } from "./flow-sample.js";
import { measureBalance, summariseTable } from "./experiments/balance.js";
import { churnScenarios, measureChurn } from "./experiments/churn.js";
import { measureChurnWithCt } from "./experiments/churn-ct.js";
import { measureCost, maglevMemoryBytes } from "./experiments/cost.js";
import {
  ESTABLISHING_NODE,
  measureFailover,
  measureFailoverThroughDatapath,
} from "./experiments/failover.js";
import { measureTableSizes } from "./experiments/table-size.js";

/** One service to compare and the flows that reach it. */
export interface ServiceFlows {
  readonly service: CompareService;
  readonly flows: FlowSet;
}

/** The conntrack experiments (churn with CT, failover): emulated nodes and how many flows each takes. */
export interface ConntrackInput {
  readonly nodes: ServiceNodes;
  /** Flows per service sent through the datapath (an evenly spread sample of the service's flows). */
  readonly flowsPerService: number;
}

/** What runComparison measures: the services with their flows, and the experiment parameters. */
export interface CompareInput {
  readonly snapshot: SnapshotInfo;
  /** The run's parameters; `ctFlowsPerService` is taken from `conntrack`. */
  readonly parameters: Omit<CompareParameters, "ctFlowsPerService">;
  readonly services: readonly ServiceFlows[];
  /** How many services of the whole snapshot get a Maglev table (for the snapshot's memory). */
  readonly maglevTableServices: number;
  /** Table sizes for the sweep (Cilium's supported primes). */
  readonly tableSizes: readonly number[];
  readonly conntrack: ConntrackInput;
  /** Largest k for "remove k" / "add k" churn. */
  readonly maxChurn?: number;
  readonly notes?: readonly string[];
  /** Called after each service and after the table-size sweep: `done` of `total` steps. */
  readonly onProgress?: (done: number, total: number) => void | Promise<void>;
}

async function compareService(
  engine: SelectionEngine,
  { service, flows }: ServiceFlows,
  conntrack: ConntrackInput,
  maxChurn: number,
): Promise<ServiceResult> {
  if (service.backends.length === 0)
    throw new Error(`service ${service.frontend} has no backends to compare`);
  const scenarios = churnScenarios(service.backends, maxChurn);
  const cost = measureCost(engine, service, flows);
  const throughDatapath = datapathProtocol(service) !== null;
  const ctFlows = sampleFlows(flows, conntrack.flowsPerService);
  const results = {} as Record<Algorithm, AlgorithmResult>;
  for (const algorithm of ALGORITHMS) {
    const established = engine.node(algorithm, ESTABLISHING_NODE).select(service, service.backends, flows);
    const kept = throughDatapath
      ? await measureChurnWithCt(conntrack.nodes, algorithm, service, ctFlows, scenarios)
      : null;
    const churn = measureChurn(engine, algorithm, service, flows, scenarios).map((c, i) => ({
      ...c,
      keptWithCtFraction: kept ? kept[i]! : null,
    }));
    results[algorithm] = {
      balance: measureBalance(service.backends, flows, established),
      churn,
      failover: throughDatapath
        ? await measureFailoverThroughDatapath(conntrack.nodes, algorithm, service, ctFlows)
        : measureFailover(engine, algorithm, service, flows, established),
      selectNsPerFlow: cost.selectNsPerFlow[algorithm],
    };
  }
  const maglev: MaglevResult = {
    ...results.maglev,
    buildMs: cost.buildMs,
    table: summariseTable(service.backends, engine.maglevTable(service.backends, engine.tableSize)),
  };
  let packets = 0;
  let bytes = 0;
  for (let f = 0; f < flows.count; f++) {
    packets += flows.packets[f]!;
    bytes += flows.bytes[f]!;
  }
  return {
    frontend: service.frontend,
    id: service.id,
    backends: service.backends.length,
    flows: flows.count,
    ctFlows: throughDatapath ? ctFlows.count : 0,
    packets,
    bytes,
    weights: Object.fromEntries(service.backends.map((b) => [backendKey(b), b.weight])),
    algorithms: { maglev, random: results.random },
  };
}

/**
 * Runs every experiment (balance, churn, failover, table sizes, cost) for each service on one selection
 * engine.
 */
export async function runComparison(engine: SelectionEngine, input: CompareInput): Promise<CompareReport> {
  const maxChurn = input.maxChurn ?? 8;
  const services: ServiceResult[] = [];
  const steps = input.services.length + 1;
  for (const s of input.services) {
    services.push(await compareService(engine, s, input.conntrack, maxChurn));
    await input.onProgress?.(services.length, steps);
  }
  const notes = [...(input.notes ?? [])];
  const selectionOnly = input.services.filter((s) => datapathProtocol(s.service) === null);
  if (selectionOnly.length > 0) {
    notes.push(
      `the datapath does not load-balance ${selectionOnly.map((s) => s.service.frontend).join(", ")}: ` +
        `no churn-with-CT figures, failover from selection alone`,
    );
  }
  const sweep = measureTableSizes(
    engine,
    input.services.map((s) => s.service),
    input.tableSizes,
  );
  await input.onProgress?.(steps, steps);
  return {
    snapshot: input.snapshot,
    parameters: { ...input.parameters, ctFlowsPerService: input.conntrack.flowsPerService },
    services,
    sweep,
    maglevMemoryBytes: maglevMemoryBytes(engine.tableSize, input.maglevTableServices),
    notes,
  };
}
