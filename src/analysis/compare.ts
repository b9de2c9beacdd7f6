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
import { measureBalance, summariseTable } from "./experiments/balance.js";
import { churnScenarios, measureChurn } from "./experiments/churn.js";
import { measureCost, maglevMemoryBytes } from "./experiments/cost.js";
import { ESTABLISHING_NODE, measureFailover } from "./experiments/failover.js";
import { measureTableSizes } from "./experiments/table-size.js";

export interface ServiceFlows {
  readonly service: CompareService;
  readonly flows: FlowSet;
}

export interface CompareInput {
  readonly snapshot: SnapshotInfo;
  readonly parameters: CompareParameters;
  readonly services: readonly ServiceFlows[];
  /** How many services of the whole snapshot get a Maglev table (for the snapshot's memory). */
  readonly maglevTableServices: number;
  /** Table sizes for the sweep (Cilium's supported primes). */
  readonly tableSizes: readonly number[];
  /** Largest k for "remove k" / "add k" churn. */
  readonly maxChurn?: number;
  readonly notes?: readonly string[];
}

function compareService(
  engine: SelectionEngine,
  { service, flows }: ServiceFlows,
  maxChurn: number,
): ServiceResult {
  if (service.backends.length === 0)
    throw new Error(`service ${service.frontend} has no backends to compare`);
  const scenarios = churnScenarios(service.backends, maxChurn);
  const cost = measureCost(engine, service, flows);
  const results = {} as Record<Algorithm, AlgorithmResult>;
  for (const algorithm of ALGORITHMS) {
    const established = engine.node(algorithm, ESTABLISHING_NODE).select(service, service.backends, flows);
    results[algorithm] = {
      balance: measureBalance(service.backends, flows, established),
      churn: measureChurn(engine, algorithm, service, flows, scenarios),
      failover: measureFailover(engine, algorithm, service, flows, established),
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
    packets,
    bytes,
    weights: Object.fromEntries(service.backends.map((b) => [backendKey(b), b.weight])),
    algorithms: { maglev, random: results.random },
  };
}

export function runComparison(engine: SelectionEngine, input: CompareInput): CompareReport {
  const maxChurn = input.maxChurn ?? 8;
  return {
    snapshot: input.snapshot,
    parameters: input.parameters,
    services: input.services.map((s) => compareService(engine, s, maxChurn)),
    sweep: measureTableSizes(
      engine,
      input.services.map((s) => s.service),
      input.tableSizes,
    ),
    maglevMemoryBytes: maglevMemoryBytes(engine.tableSize, input.maglevTableServices),
    notes: input.notes ?? [],
  };
}
