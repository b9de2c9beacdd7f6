// Experiment 5, cost: what Maglev costs compared with random. Table build time per service (at
// the chosen table size; the sweep gives it against M), per-flow selection time in Wasm for both
// algorithms, and Maglev's memory (one u32 backend ID per entry and service, as Cilium stores it).
import { ALGORITHMS, type Algorithm, type CompareService, type FlowSet } from "../model.js";
import type { SelectionEngine } from "../selection.js";

export interface ServiceCost {
  readonly buildMs: number;
  readonly selectNsPerFlow: Readonly<Record<Algorithm, number>>;
  readonly memoryBytes: number;
}

export function measureCost(engine: SelectionEngine, service: CompareService, flows: FlowSet): ServiceCost {
  const selectNsPerFlow = Object.fromEntries(
    ALGORITHMS.map((algorithm) => [
      algorithm,
      engine.timeSelection(algorithm, service, service.backends, flows),
    ]),
  ) as Record<Algorithm, number>;
  return {
    buildMs: engine.timeMaglevBuild(service.backends, engine.tableSize),
    selectNsPerFlow,
    memoryBytes: maglevMemoryBytes(engine.tableSize, 1),
  };
}

/** Memory of `tables` Maglev tables of `tableSize` u32 entries. */
export function maglevMemoryBytes(tableSize: number, tables: number): number {
  return tableSize * 4 * tables;
}
