// Replay suite: end-to-end packets per second of `replay()` on a pcap file — read, decode, shard,
// datapath, counting — with the Wasm datapath and with the TypeScript reference, in one thread and
// on every core. Each iteration is a whole replay as the CLI runs it: the built dist/ (`npm run
// bench` builds first; workers then load compiled JavaScript, not TypeScript through tsx), datapath
// creation and worker start-up included (their fixed cost is measured separately on an empty capture
// and reported in the notes). Peer in the same run: reading and decoding the file alone (the
// readers' ceiling).
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { Bench } from "tinybench";
import { fileByteSource } from "../src/readers/file-source.js";
import { readCapture } from "../src/replay/read-capture.js";
import type { ReplaySummary } from "../src/replay/replay-summary.js";
import { pcapFileHeader } from "../src/readers/pcap-writer.js";
import { ALGORITHM, SEED, labState, recordLabCapture } from "./lib/lab-capture.js";
import { ratio, report, rowsFrom } from "./lib/report.js";

/** Connections of the recorded workload (about 14 packets each, requests and replies). */
const CONNECTIONS = 80_000;
/** The reference replays a prefix of the same capture (it runs at tens of thousands of packets/s). */
const REFERENCE_PACKETS = 100_000;

type Replayer = typeof import("../src/replay/replayer.js");
const { replay } = (await import(new URL("../dist/replay/replayer.js", import.meta.url).href)) as Replayer;

const cores = availableParallelism();
const dir = mkdtempSync(join(tmpdir(), "dpemu-replay-bench-"));
const capture = await recordLabCapture(CONNECTIONS, 100);
const bigPath = join(dir, "lab.pcap");
const smallPath = join(dir, "lab-prefix.pcap");
const emptyPath = join(dir, "empty.pcap");
writeFileSync(bigPath, pcapFileHeader());
writeFileSync(bigPath, capture.records, { flag: "a" });
writeFileSync(smallPath, pcapFileHeader());
writeFileSync(smallPath, capture.records.subarray(0, capture.offsets[REFERENCE_PACKETS]), { flag: "a" });
writeFileSync(emptyPath, pcapFileHeader());
const state = await labState();

let last: ReplaySummary | undefined;
async function run(path: string, engine: "wasm" | "reference", workers: number): Promise<ReplaySummary> {
  const { summary, inputError } = await replay({
    state,
    source: fileByteSource(path),
    engine,
    workers,
    seed: SEED,
    algorithm: ALGORITHM,
  });
  if (inputError) throw inputError;
  last = summary;
  return summary;
}

// Fixed cost per configuration: a replay of a capture without packets.
const startup: Record<string, number> = {};
for (const engine of ["wasm", "reference"] as const) {
  for (const workers of [1, cores]) {
    const t = performance.now();
    await run(emptyPath, engine, workers);
    startup[`${engine}, ${workers} worker${workers === 1 ? "" : "s"}`] = Math.round(performance.now() - t);
  }
}

const tasks: Record<string, number> = {};
const bench = new Bench({ iterations: 3, time: 0, warmupIterations: 1, warmupTime: 0 });
const add = (name: string, packets: number, fn: () => Promise<unknown>) => {
  tasks[name] = packets;
  bench.add(name, fn);
};
const workerLabel = (n: number) => `${n} worker${n === 1 ? "" : "s"}`;
add("read + decode only (readCapture)", capture.packets, () =>
  readCapture(fileByteSource(bigPath), () => {}),
);
for (const workers of [1, cores]) {
  add(`wasm, ${workerLabel(workers)}`, capture.packets, () => run(bigPath, "wasm", workers));
}
for (const workers of [1, cores]) {
  add(`ts-reference, ${workerLabel(workers)}`, REFERENCE_PACKETS, () => run(smallPath, "reference", workers));
}
await bench.run();

// The replays must have done the work they were timed for.
const check = await run(smallPath, "wasm", 1);
if (check.packets !== REFERENCE_PACKETS || check.verdicts.dropped !== 0) {
  throw new Error(`unexpected replay: ${check.packets} packets, ${check.verdicts.dropped} dropped`);
}

const rows = rowsFrom(bench, tasks, "packet");
const many = workerLabel(cores);
report(
  "replay",
  rows,
  [
    {
      name: "wasm / ts-reference (1 worker)",
      value: ratio(rows, "wasm, 1 worker", "ts-reference, 1 worker"),
    },
    { name: `wasm ${many} / 1 worker`, value: ratio(rows, `wasm, ${many}`, "wasm, 1 worker") },
    {
      name: `ts-reference ${many} / 1 worker`,
      value: ratio(rows, `ts-reference, ${many}`, "ts-reference, 1 worker"),
    },
    {
      name: "wasm 1 worker / read + decode only",
      value: ratio(rows, "wasm, 1 worker", "read + decode only (readCapture)"),
    },
  ],
  {
    capture: {
      packets: capture.packets,
      bytes: statSync(bigPath).size,
      referencePrefixPackets: REFERENCE_PACKETS,
      workload: `${CONNECTIONS} connections of 124 local pods (kube-dns's two among them) to webpod (TCP), kube-dns (UDP) and its metrics port, with replies; Maglev forced`,
    },
    startupMs: startup,
    cores,
    lastSummary: last ? { packets: last.packets, flows: last.flows, dropped: last.verdicts.dropped } : null,
  },
);
rmSync(dir, { recursive: true, force: true });
