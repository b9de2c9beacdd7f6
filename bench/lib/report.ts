// Shared output of every benchmark suite: a printed table and, with --save, bench/results/<suite>.json
// (tracked figures change only when someone means to record them).
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import type { Bench } from "tinybench";

export interface BenchRow {
  /** Task name as given to tinybench. */
  name: string;
  /** Operations (lookups, packets, builds...) per second, already divided by the per-task batch size. */
  opsPerSecond: number;
  /** What one operation is, e.g. "lookup", "packet", "table build". */
  unit: string;
  /** Relative margin of error of the mean, in percent. */
  rmePercent: number;
  samples: number;
}

export interface BenchRatio {
  /** e.g. "wasm / ts-reference @100k prefixes" */
  name: string;
  value: number;
}

/**
 * Converts tinybench results into rows; `opsPerIteration` says how many operations one task
 * iteration performs (a batch of 4096 lookups counts as 4096).
 */
export function rowsFrom(bench: Bench, opsPerIteration: Record<string, number>, unit: string): BenchRow[] {
  return bench.tasks.map((task) => {
    const result = task.result;
    if (!result || result.state !== "completed") {
      throw new Error(`benchmark task ${task.name} did not complete (${result?.state ?? "no result"})`);
    }
    const perIteration = opsPerIteration[task.name] ?? 1;
    return {
      name: task.name,
      opsPerSecond: result.throughput.mean * perIteration,
      unit,
      rmePercent: result.latency.rme,
      samples: result.latency.samplesCount,
    };
  });
}

function formatOps(ops: number): string {
  if (ops >= 1e6) return `${(ops / 1e6).toFixed(2)} M`;
  if (ops >= 1e3) return `${(ops / 1e3).toFixed(2)} k`;
  return ops.toFixed(2);
}

/** Whether the suite was asked to record its figures (`npm run bench -- --save`). */
export function saveRequested(): boolean {
  return process.argv.includes("--save");
}

/** Prints the table and ratios; with --save, also writes bench/results/<suite>.json. */
export function report(
  suite: string,
  rows: BenchRow[],
  ratios: BenchRatio[],
  notes: Record<string, unknown> = {},
): void {
  // Figures from a machine busy with other work are not comparable: say how busy it was.
  const load = loadavg().map((l) => Number(l.toFixed(2)));
  console.log(
    `\n== ${suite} == (load average ${load.join(" / ")} over 1 / 5 / 15 min, ${cpus().length} cores)`,
  );
  console.table(
    rows.map((r) => ({
      task: r.name,
      [`ops/s`]: formatOps(r.opsPerSecond),
      unit: r.unit,
      "±%": r.rmePercent.toFixed(2),
      samples: r.samples,
    })),
  );
  if (ratios.length > 0) {
    console.table(ratios.map((r) => ({ ratio: r.name, value: `${r.value.toFixed(2)}×` })));
  }
  const results = {
    suite,
    date: new Date().toISOString(),
    machine: {
      node: process.version,
      cpu: cpus()[0]?.model ?? "unknown",
      cores: cpus().length,
      loadAverage: load,
    },
    rows,
    ratios,
    notes,
  };
  if (!saveRequested()) return;
  const file = new URL(`../results/${suite}.json`, import.meta.url);
  mkdirSync(new URL("../results/", import.meta.url), { recursive: true });
  writeFileSync(file, JSON.stringify(results, null, 2) + "\n");
  console.log(`saved ${fileURLToPath(file)}`);
}

/** Ratio of two rows' ops/s by task name. */
export function ratio(rows: BenchRow[], numerator: string, denominator: string): number {
  const a = rows.find((r) => r.name === numerator);
  const b = rows.find((r) => r.name === denominator);
  if (!a || !b) throw new Error(`ratio: missing task ${!a ? numerator : denominator}`);
  return a.opsPerSecond / b.opsPerSecond;
}
