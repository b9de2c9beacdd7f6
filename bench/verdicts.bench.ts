// Verdicts suite: CPU time per line of the verdict stream's formatters (`dpemu replay --verdicts`,
// JSON lines and compact text), alone: the lab capture is replayed once through the Wasm datapath
// into batches that keep their verdict records, then every processed packet of every batch is
// formatted into one reused buffer, as the stream does, over and over. The writers of dd669ba
// (bench/lib/verdict-lines-before.ts) format the same records in the same run, so the ratio holds
// even when the machine is busy. Figures are CPU time (process.cpuUsage: user + system), best of
// several rounds; the load average is printed next to them.
import { loadavg } from "node:os";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileByteSource } from "../src/readers/file-source.js";
import { pcapFileHeader } from "../src/readers/pcap-writer.js";
import { createBatchRunner } from "../src/replay/batch-runner.js";
import { PacketBatch, PacketStatus } from "../src/replay/packet-batch.js";
import { readCapture } from "../src/replay/read-capture.js";
import { ReplayCore } from "../src/replay/replay-core.js";
import { LineBuffer } from "../src/replay/verdicts/line-bytes.js";
import { VerdictJsonWriter } from "../src/replay/verdicts/json-line.js";
import { VerdictTextWriter } from "../src/replay/verdicts/text-line.js";
import { ALGORITHM, SEED, labState, recordLabCapture } from "./lib/lab-capture.js";
import { report, type BenchRatio, type BenchRow } from "./lib/report.js";
import { VerdictJsonWriterBefore, VerdictTextWriterBefore } from "./lib/verdict-lines-before.js";

/** Connections of the recorded workload (about 14 packets each). */
const CONNECTIONS = 20_000;
const BATCH = 4096;
const ROUNDS = 7;
/** Lines formatted per round (the capture, repeated). */
const LINES_PER_ROUND = 1_000_000;

const dir = mkdtempSync(join(tmpdir(), "dpemu-verdicts-bench-"));
const capture = await recordLabCapture(CONNECTIONS, 100);
const path = join(dir, "lab.pcap");
writeFileSync(path, pcapFileHeader());
writeFileSync(path, capture.records, { flag: "a" });

// The capture's packets in batches of their own (records in the batch's buffer), run once.
const batches: PacketBatch[] = [new PacketBatch(BATCH)];
await readCapture(fileByteSource(path), (packet) => {
  if (batches[batches.length - 1]!.full) batches.push(new PacketBatch(BATCH));
  batches[batches.length - 1]!.push(packet, null);
});
const core = await ReplayCore.create(await labState(), { seed: SEED, algorithm: ALGORITHM });
const directory = core.datapath;
const runner = createBatchRunner(directory);
for (const batch of batches) runner.run(batch, 0, batch.count);
rmSync(dir, { recursive: true, force: true });

/** Formats one line of packet `i` at `at`; returns the new position. */
type WriteLine = (out: Uint8Array, at: number, batch: PacketBatch, i: number) => number;

const out = new Uint8Array(1 << 20);
const line = new LineBuffer(out);
let sink = 0;
/** Formats LINES_PER_ROUND lines; returns the bytes written. */
function round(write: WriteLine): number {
  let lines = 0;
  let bytes = 0;
  let at = 0;
  while (lines < LINES_PER_ROUND) {
    for (const batch of batches) {
      for (let i = 0; i < batch.count; i++) {
        if (batch.status[i] !== PacketStatus.Processed) continue;
        if (at + 4096 > out.length) {
          bytes += at;
          sink ^= out[at - 1]!;
          at = 0;
        }
        at = write(out, at, batch, i);
        lines++;
      }
    }
  }
  return bytes + at;
}

interface Measured {
  name: string;
  /** CPU microseconds per line, best round. */
  usPerLine: number;
  /** Spread of the rounds: (worst - best) / best, percent. */
  spreadPercent: number;
  bytesPerLine: number;
}

/** Best and worst CPU µs/line of each writer, their rounds interleaved (a busy spell hits them alike). */
function measure(writers: [string, WriteLine][]): Measured[] {
  for (const [, write] of writers) round(write); // warm-up: caches filled, code optimised
  const times = writers.map((): number[] => []);
  const bytes = writers.map(() => 0);
  for (let k = 0; k < ROUNDS; k++) {
    writers.forEach(([, write], w) => {
      const before = process.cpuUsage();
      bytes[w] = round(write);
      const used = process.cpuUsage(before);
      times[w]!.push((used.user + used.system) / LINES_PER_ROUND);
    });
  }
  return writers.map(([name], w) => {
    const best = Math.min(...times[w]!);
    const worst = Math.max(...times[w]!);
    return {
      name,
      usPerLine: best,
      spreadPercent: ((worst - best) / best) * 100,
      bytesPerLine: bytes[w]! / LINES_PER_ROUND,
    };
  });
}

const jsonBefore = new VerdictJsonWriterBefore();
const json = new VerdictJsonWriter();
const textBefore = new VerdictTextWriterBefore();
const text = new VerdictTextWriter();
// The writers must agree byte for byte before their speed means anything.
for (const [name, before, now] of [
  [
    "JSON",
    (o: Uint8Array, at: number, b: PacketBatch, i: number) => jsonBefore.write(o, at, b, i, directory),
    (at: number, b: PacketBatch, i: number) => json.write(line, at, b, i, directory),
  ],
  [
    "text",
    (o: Uint8Array, at: number, b: PacketBatch, i: number) => textBefore.write(o, at, b, i),
    (at: number, b: PacketBatch, i: number) => text.write(line, at, b, i),
  ],
] as const) {
  const expected = new Uint8Array(4096);
  for (const batch of batches) {
    for (let i = 0; i < batch.count; i++) {
      const n = before(expected, 0, batch, i);
      const m = now(0, batch, i);
      if (n !== m || !expected.subarray(0, n).every((byte, k) => out[k] === byte)) {
        throw new Error(`${name} line of packet ${batch.packetNumber[i]} differs from dd669ba's`);
      }
    }
  }
}
const results = [
  ...measure([
    ["JSON line, dd669ba", (o, at, b, i) => jsonBefore.write(o, at, b, i, directory)],
    ["JSON line", (_, at, b, i) => json.write(line, at, b, i, directory)],
  ]),
  ...measure([
    ["text line, dd669ba", (o, at, b, i) => textBefore.write(o, at, b, i)],
    ["text line", (_, at, b, i) => text.write(line, at, b, i)],
  ]),
];
core.dispose();

const rows: BenchRow[] = results.map((r) => ({
  name: `${r.name} (CPU)`,
  opsPerSecond: 1e6 / r.usPerLine,
  unit: "line",
  rmePercent: r.spreadPercent,
  samples: ROUNDS,
}));
const us = (name: string) => results.find((r) => r.name === name)!.usPerLine;
const ratios: BenchRatio[] = [
  { name: "JSON line: dd669ba / now (CPU time)", value: us("JSON line, dd669ba") / us("JSON line") },
  { name: "text line: dd669ba / now (CPU time)", value: us("text line, dd669ba") / us("text line") },
];
console.table(
  results.map((r) => ({
    task: r.name,
    "µs/line (CPU)": r.usPerLine.toFixed(3),
    "bytes/line": r.bytesPerLine.toFixed(1),
    "spread %": r.spreadPercent.toFixed(1),
  })),
);
const load = loadavg().map((l) => Number(l.toFixed(2)));
report("verdicts", rows, ratios, {
  capture: { packets: capture.packets, connections: CONNECTIONS },
  microsecondsPerLine: Object.fromEntries(results.map((r) => [r.name, Number(r.usPerLine.toFixed(4))])),
  linesPerRound: LINES_PER_ROUND,
  rounds: ROUNDS,
  loadAverage: load,
  checksum: sink,
});
