// Replay suite: packets per second of `replay()` on the lab pcap — read, decode, shard, datapath,
// counting, and the verdict stream `dpemu replay --verdicts` writes (JSON lines and compact text, to a
// file, formatted where the CLI formats them: on a thread of their own when formatterThreadPaysOff,
// as with one worker on two cores, the formatter's start-up then in the row) — on one worker and on every core, against two peers of the same capture in the same run:
// reading and decoding alone (the readers' ceiling) and the Wasm datapath alone (the capture's records
// already decoded into batches, run through one datapath: the replay's ceiling). Each iteration is a
// whole run as the CLI does it, datapath creation (and worker start-up) included; the fixed cost of
// each configuration is measured on an empty capture and reported in the notes. The built dist/ is
// used (`npm run bench` builds first): workers load compiled JavaScript, not TypeScript through tsx.
// The TypeScript reference replays a prefix of the capture (it runs at tens of thousands of packets/s).
// Besides the whole-run figures, each replay is also given start-up excluded (its mean time less the
// empty capture's of the same configuration: the steady rate of the pipeline), and the load average
// is printed and recorded next to them (a shared machine's figures mean little without it).
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Bench } from "tinybench";
import { fileByteSource } from "../src/readers/file-source.js";
import { readCapture } from "../src/replay/read-capture.js";
import type { ReplaySummary } from "../src/replay/replay-summary.js";
import { pcapFileHeader } from "../src/readers/pcap-writer.js";
import { ALGORITHM, SEED, labState, recordLabCapture } from "./lib/lab-capture.js";
import { ratio, report, rowsFrom, type BenchRatio } from "./lib/report.js";

/** Connections of the recorded workload (about 14 packets each, requests and replies). */
const CONNECTIONS = 80_000;
const REFERENCE_PACKETS = 100_000;
const BATCH = 4096;

const dist = (path: string) => new URL(`../dist/${path}`, import.meta.url).href;
const { replay } = (await import(dist("replay/replayer.js"))) as typeof import("../src/replay/replayer.js");
const { ReplayCore } = (await import(
  dist("replay/replay-core.js")
)) as typeof import("../src/replay/replay-core.js");
const { PacketBatch } = (await import(
  dist("replay/packet-batch.js")
)) as typeof import("../src/replay/packet-batch.js");
const { createBatchRunner } = (await import(
  dist("replay/batch-runner.js")
)) as typeof import("../src/replay/batch-runner.js");
const { VerdictStream } = (await import(
  dist("cli/replay-verdict-stream.js")
)) as typeof import("../src/cli/replay-verdict-stream.js");
const { VerdictThread, formatterThreadPaysOff } = (await import(
  dist("cli/replay-verdict-thread.js")
)) as typeof import("../src/cli/replay-verdict-thread.js");
const { openOutputStream } = (await import(dist("cli/output.js"))) as typeof import("../src/cli/output.js");

const cores = availableParallelism();
const dir = mkdtempSync(join(tmpdir(), "dpemu-replay-bench-"));
const capture = await recordLabCapture(CONNECTIONS, 100);
const bigPath = join(dir, "lab.pcap");
const smallPath = join(dir, "lab-prefix.pcap");
const emptyPath = join(dir, "empty.pcap");
const verdictsPath = join(dir, "verdicts.out");
writeFileSync(bigPath, pcapFileHeader());
writeFileSync(bigPath, capture.records, { flag: "a" });
writeFileSync(smallPath, pcapFileHeader());
writeFileSync(smallPath, capture.records.subarray(0, capture.offsets[REFERENCE_PACKETS]), { flag: "a" });
writeFileSync(emptyPath, pcapFileHeader());
const state = await labState();

type Verdicts = "none" | "json" | "compact";
let last: ReplaySummary | undefined;
async function run(path: string, engine: "wasm" | "reference", workers: number, verdicts: Verdicts = "none") {
  const stream = verdicts === "none" ? null : await openOutputStream(verdictsPath);
  const format = verdicts === "json" ? "json" : "compact";
  // Formatted where the CLI formats them: on a thread of their own when that pays off.
  const thread =
    stream && formatterThreadPaysOff(statSync(path).size, workers) ? VerdictThread.launch(format) : null;
  const sink = stream ? (thread?.writeTo(stream) ?? new VerdictStream(stream, format, null)) : null;
  const { summary, inputError } = await replay({
    state,
    source: fileByteSource(path),
    engine,
    workers,
    seed: SEED,
    algorithm: ALGORITHM,
    ...(sink ? { verdictSink: sink, onProgress: () => sink.drain() } : {}),
  });
  await sink?.end();
  await stream?.close();
  if (inputError) throw inputError;
  last = summary;
  return summary;
}

// The datapath alone: the capture's records decoded once into batches, then run through a new datapath.
const batches: InstanceType<typeof PacketBatch>[] = [new PacketBatch(BATCH)];
await readCapture(fileByteSource(bigPath), (packet) => {
  if (batches[batches.length - 1]!.full) batches.push(new PacketBatch(BATCH));
  batches[batches.length - 1]!.push(packet, null);
});
// A fresh datapath per iteration (created outside the timing: the figure is the pipeline's ceiling).
let aloneCore: Awaited<ReturnType<typeof ReplayCore.create>> | undefined;
function datapathAlone(): void {
  const runner = createBatchRunner(aloneCore!.datapath);
  for (const batch of batches) runner.run(batch, 0, batch.count);
}
const aloneHooks = {
  beforeEach: async () => {
    aloneCore = await ReplayCore.create(state, { seed: SEED, algorithm: ALGORITHM });
  },
  afterEach: () => aloneCore?.dispose(),
};

const workerLabel = (n: number) => `${n} worker${n === 1 ? "" : "s"}`;
const VARIANTS: [Verdicts, string][] = [
  ["none", "replay"],
  ["json", "replay + JSON verdicts"],
  ["compact", "replay + text verdicts"],
];

// Fixed cost per configuration: a run over a capture without packets (the least of three: a fixed
// cost only grows with the machine's other load, and one slow start would make the steady rate of a
// shared machine's run absurd; the replays' means then keep whatever noise they had).
const startupMs: Record<string, number> = {};
for (const workers of [1, cores]) {
  let least = Infinity;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    await run(emptyPath, "wasm", workers);
    least = Math.min(least, performance.now() - t);
  }
  startupMs[`wasm, ${workerLabel(workers)}`] = Math.round(least);
}

const tasks: Record<string, number> = {};
const bench = new Bench({ iterations: 3, time: 0, warmupIterations: 1, warmupTime: 0 });
const add = (name: string, packets: number, fn: () => unknown, hooks: typeof aloneHooks | object = {}) => {
  tasks[name] = packets;
  bench.add(name, fn, hooks);
};
const READ = "read + decode only";
const ALONE = "datapath alone (wasm, 1 thread, creation excluded)";
add(READ, capture.packets, () => readCapture(fileByteSource(bigPath), () => {}));
add(ALONE, capture.packets, datapathAlone, aloneHooks);
for (const [verdicts, label] of VARIANTS) {
  for (const workers of [1, cores]) {
    add(`${label}, ${workerLabel(workers)}`, capture.packets, () => run(bigPath, "wasm", workers, verdicts));
  }
}
add("ts-reference, 1 worker", REFERENCE_PACKETS, () => run(smallPath, "reference", 1));
await bench.run();

// The replays must have done the work they were timed for.
const check = await run(smallPath, "wasm", 1);
if (check.packets !== REFERENCE_PACKETS || check.verdicts.dropped !== 0) {
  throw new Error(`unexpected replay: ${check.packets} packets, ${check.verdicts.dropped} dropped`);
}

const rows = rowsFrom(bench, tasks, "packet");
const many = workerLabel(cores);
/** Packets/s of a replay row with its configuration's start-up time taken out. */
const steady = (label: string, workers: number): number => {
  const row = rows.find((r) => r.name === `${label}, ${workerLabel(workers)}`)!;
  const seconds = capture.packets / row.opsPerSecond - startupMs[`wasm, ${workerLabel(workers)}`]! / 1000;
  return capture.packets / Math.max(seconds, 1e-9);
};
const alone = rows.find((r) => r.name === ALONE)!.opsPerSecond;
const steadyRows = VARIANTS.flatMap(([, label]) =>
  [1, cores].map((workers) => ({
    name: `${label}, ${workerLabel(workers)}, start-up excluded`,
    pps: steady(label, workers),
  })),
);
const ratios: BenchRatio[] = [
  { name: `${READ} / ${ALONE}`, value: ratio(rows, READ, ALONE) },
  ...VARIANTS.flatMap(([, label]) => [
    { name: `${label}, 1 worker / ${ALONE}`, value: ratio(rows, `${label}, 1 worker`, ALONE) },
    { name: `${label}, ${many} / ${ALONE}`, value: ratio(rows, `${label}, ${many}`, ALONE) },
    { name: `${label}: ${many} / 1 worker`, value: ratio(rows, `${label}, ${many}`, `${label}, 1 worker`) },
    {
      name: `${label}: ${many} / 1 worker, start-up excluded`,
      value: steady(label, cores) / steady(label, 1),
    },
  ]),
  ...steadyRows.map((r) => ({ name: `${r.name} / ${ALONE}`, value: r.pps / alone })),
  {
    name: "wasm / ts-reference (1 worker)",
    value: ratio(rows, "replay, 1 worker", "ts-reference, 1 worker"),
  },
];
const load = loadavg().map((l) => Number(l.toFixed(2)));
console.log(`load average (1, 5, 15 min): ${load.join(", ")} on ${cores} cores`);
console.table(steadyRows.map((r) => ({ task: r.name, "packets/s": `${(r.pps / 1e6).toFixed(2)} M` })));
report("replay", rows, ratios, {
  capture: {
    packets: capture.packets,
    bytes: statSync(bigPath).size,
    referencePrefixPackets: REFERENCE_PACKETS,
    workload: `${CONNECTIONS} connections of 124 local pods (kube-dns's two among them) to webpod (TCP), kube-dns (UDP) and its metrics port, with replies; Maglev forced`,
  },
  startupMs,
  steadyPacketsPerSecond: Object.fromEntries(steadyRows.map((r) => [r.name, Math.round(r.pps)])),
  loadAverage: load,
  cores,
  verdicts:
    "written to a file in the system's temporary directory, as `dpemu replay --verdicts FILE` does (on the formatter thread where the CLI uses it)",
  lastSummary: last ? { packets: last.packets, flows: last.flows, dropped: last.verdicts.dropped } : null,
});
rmSync(dir, { recursive: true, force: true });
