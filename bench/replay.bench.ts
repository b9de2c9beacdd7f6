// Replay suite: packets per second of `replay()` on the lab pcap — read, decode, shard, datapath,
// counting, and the verdict stream `dpemu replay --verdicts` writes (JSON lines and compact text, to a
// file, formatted where the CLI formats them: on a thread of their own when formatterThreadPaysOff,
// as with one worker in this thread on two cores, the formatter's start-up then in the row) — on one
// worker (in this thread, and on a thread of its own behind the reader) and on every core, against
// two peers of the same capture in the same run:
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
const { replay, replayThreads } = (await import(
  dist("replay/replayer.js")
)) as typeof import("../src/replay/replayer.js");
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
/** How a replay runs: its worker count, and whether one worker runs on a thread behind the reader. */
interface Threads {
  label: string;
  workers: number;
  pipelined: boolean;
}
const IN_THREAD: Threads = { label: "1 worker", workers: 1, pipelined: false };

async function run(
  path: string,
  engine: "wasm" | "reference",
  threads: Threads,
  verdicts: Verdicts = "none",
) {
  const stream = verdicts === "none" ? null : await openOutputStream(verdictsPath);
  const format = verdicts === "json" ? "json" : "compact";
  // Formatted where the CLI formats them: on a thread of their own when that pays off.
  const thread =
    stream && formatterThreadPaysOff(statSync(path).size, replayThreads(threads.workers, threads.pipelined))
      ? VerdictThread.launch(format)
      : null;
  const sink = stream ? (thread?.writeTo(stream) ?? new VerdictStream(stream, format, null)) : null;
  const { summary, inputError } = await replay({
    state,
    source: fileByteSource(path),
    engine,
    workers: threads.workers,
    pipelined: threads.pipelined,
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

const PIPELINED: Threads = { label: "1 worker, pipelined", workers: 1, pipelined: true };
const MANY: Threads = { label: `${cores} workers`, workers: cores, pipelined: false };
// One worker in this thread, one on a thread behind the reader, and as many workers as cores.
const CONFIGS = cores > 1 ? [IN_THREAD, PIPELINED, MANY] : [IN_THREAD, PIPELINED];
const VARIANTS: [Verdicts, string][] = [
  ["none", "replay"],
  ["json", "replay + JSON verdicts"],
  ["compact", "replay + text verdicts"],
];

// Fixed cost per configuration: a run over a capture without packets (the least of three: a fixed
// cost only grows with the machine's other load, and one slow start would make the steady rate of a
// shared machine's run absurd; the replays' means then keep whatever noise they had).
const startupMs: Record<string, number> = {};
for (const threads of CONFIGS) {
  let least = Infinity;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    await run(emptyPath, "wasm", threads);
    least = Math.min(least, performance.now() - t);
  }
  startupMs[`wasm, ${threads.label}`] = Math.round(least);
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
  for (const threads of CONFIGS) {
    add(`${label}, ${threads.label}`, capture.packets, () => run(bigPath, "wasm", threads, verdicts));
  }
}
add("ts-reference, 1 worker", REFERENCE_PACKETS, () => run(smallPath, "reference", IN_THREAD));
await bench.run();

// The replays must have done the work they were timed for.
const check = await run(smallPath, "wasm", IN_THREAD);
if (check.packets !== REFERENCE_PACKETS || check.verdicts.dropped !== 0) {
  throw new Error(`unexpected replay: ${check.packets} packets, ${check.verdicts.dropped} dropped`);
}

const rows = rowsFrom(bench, tasks, "packet");
/** Packets/s of a replay row with its configuration's start-up time taken out. */
const steady = (label: string, threads: Threads): number => {
  const row = rows.find((r) => r.name === `${label}, ${threads.label}`)!;
  const seconds = capture.packets / row.opsPerSecond - startupMs[`wasm, ${threads.label}`]! / 1000;
  return capture.packets / Math.max(seconds, 1e-9);
};
const alone = rows.find((r) => r.name === ALONE)!.opsPerSecond;
const steadyRows = VARIANTS.flatMap(([, label]) =>
  CONFIGS.map((threads) => ({
    name: `${label}, ${threads.label}, start-up excluded`,
    pps: steady(label, threads),
  })),
);
// Every configuration against the datapath alone, and against one worker in this thread.
const ratios: BenchRatio[] = [
  { name: `${READ} / ${ALONE}`, value: ratio(rows, READ, ALONE) },
  ...VARIANTS.flatMap(([, label]) =>
    CONFIGS.flatMap((threads) => [
      {
        name: `${label}, ${threads.label} / ${ALONE}`,
        value: ratio(rows, `${label}, ${threads.label}`, ALONE),
      },
      ...(threads === IN_THREAD
        ? []
        : [
            {
              name: `${label}: ${threads.label} / 1 worker`,
              value: ratio(rows, `${label}, ${threads.label}`, `${label}, 1 worker`),
            },
            {
              name: `${label}: ${threads.label} / 1 worker, start-up excluded`,
              value: steady(label, threads) / steady(label, IN_THREAD),
            },
          ]),
    ]),
  ),
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
