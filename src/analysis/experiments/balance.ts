// Experiment 1, balance: how flows, packets and bytes spread over a service's backends under one
// algorithm, measured against the shares the backends' weights ask for; for Maglev also the
// table's own entry shares.
import { backendKey, type CompareBackend, type FlowSet } from "../model.js";
import type { BalanceResult, MaglevTableSummary, ShareSummary } from "../results.js";
import { chiSquareGoodnessOfFit, peakToMean, sharesOf, summariseBalance, loadRatios } from "../stats.js";

/** Maps backend IDs to their position in `backends`; an unknown ID is a selection bug. */
export function indexById(backends: readonly CompareBackend[]): Map<number, number> {
  return new Map(backends.map((b, i) => [b.id, i]));
}

/** Per-backend totals of `weightOf(flow)` for the assignment `backendIds` (one ID per flow). */
export function totalsPerBackend(
  backends: readonly CompareBackend[],
  backendIds: Uint32Array,
  weightOf: (flow: number) => number,
): Float64Array {
  const index = indexById(backends);
  const totals = new Float64Array(backends.length);
  for (let f = 0; f < backendIds.length; f++) {
    const i = index.get(backendIds[f]!);
    if (i === undefined) throw new Error(`selection returned backend ID ${backendIds[f]} not in the service`);
    totals[i]! += weightOf(f);
  }
  return totals;
}

function keyed(backends: readonly CompareBackend[], values: ArrayLike<number>): Record<string, number> {
  const out: Record<string, number> = {};
  backends.forEach((b, i) => (out[backendKey(b)] = values[i]!));
  return out;
}

function summary(backends: readonly CompareBackend[], totals: Float64Array): ShareSummary {
  const weights = backends.map((b) => b.weight);
  return { ...summariseBalance(totals, weights), shares: keyed(backends, sharesOf(totals)) };
}

/** Balance of one algorithm's assignment of `flows` (one backend ID per flow). */
export function measureBalance(
  backends: readonly CompareBackend[],
  flows: FlowSet,
  backendIds: Uint32Array,
): BalanceResult {
  const flowCounts = totalsPerBackend(backends, backendIds, () => 1);
  const packets = totalsPerBackend(backends, backendIds, (f) => flows.packets[f]!);
  const bytes = totalsPerBackend(backends, backendIds, (f) => flows.bytes[f]!);
  const fit = chiSquareGoodnessOfFit(
    flowCounts,
    backends.map((b) => b.weight),
  );
  return {
    ...summary(backends, flowCounts),
    fit,
    packets: summary(backends, packets),
    bytes: summary(backends, bytes),
  };
}

/** Entries per backend in a Maglev table, in `backends` order. */
export function tableEntryCounts(backends: readonly CompareBackend[], table: Uint32Array): Float64Array {
  return totalsPerBackend(backends, table, () => 1);
}

/** Peak-to-mean of a table's entries against the backends' weights. */
export function entryPeakToMean(backends: readonly CompareBackend[], table: Uint32Array): number {
  const counts = tableEntryCounts(backends, table);
  return peakToMean(
    loadRatios(
      sharesOf(counts),
      backends.map((b) => b.weight),
    ),
  );
}

/** The table's exact entry shares and its memory (one u32 backend ID per entry, as Cilium stores it). */
export function summariseTable(backends: readonly CompareBackend[], table: Uint32Array): MaglevTableSummary {
  const counts = tableEntryCounts(backends, table);
  return {
    size: table.length,
    entryShares: keyed(backends, sharesOf(counts)),
    entryPeakToMean: entryPeakToMean(backends, table),
    memoryBytes: table.length * 4,
  };
}
