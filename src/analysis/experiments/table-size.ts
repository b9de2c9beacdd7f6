// Experiment 2, table-size sweep (the Maglev paper's balance-versus-table-size view): for each of
// Cilium's supported table sizes, the Wasm build time, the memory, and how unevenly the entries
// fall on the backends.
import type { CompareService } from "../model.js";
import type { SweepPoint, SweepServicePoint } from "../results.js";
import type { SelectionEngine } from "../selection.js";
import { entryPeakToMean } from "./balance.js";

export function measureTableSizes(
  engine: SelectionEngine,
  services: readonly CompareService[],
  tableSizes: readonly number[],
): SweepPoint[] {
  return tableSizes.map((tableSize) => {
    const points: SweepServicePoint[] = services.map((service) => ({
      frontend: service.frontend,
      backends: service.backends.length,
      buildMs: engine.timeMaglevBuild(service.backends, tableSize),
      entryPeakToMean: entryPeakToMean(service.backends, engine.maglevTable(service.backends, tableSize)),
    }));
    return {
      tableSize,
      buildMs: points.reduce((sum, p) => sum + p.buildMs, 0),
      entryPeakToMean: Math.max(...points.map((p) => p.entryPeakToMean)),
      memoryBytes: tableSize * 4 * services.length,
      services: points,
    };
  });
}
