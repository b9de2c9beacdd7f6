// Memory of a long replay: streams a generated multi-gigabyte pcap through `replay()` without ever
// writing it (the bytes are produced chunk by chunk as the reader asks for them) and samples the
// process's resident set size (main thread and workers) while it runs. Memory must stay flat: the
// readers keep one chunk and one carry buffer, the replay a few batches per worker, the datapath
// fixed-capacity maps — nothing grows with the input.
//
//   npm run build && node --import tsx bench/replay-memory.ts [GIGABYTES=4] [WORKERS=1]
//     [--verdicts json|compact] [--save]
//
// With --verdicts, the verdict stream `dpemu replay --verdicts` writes goes to the null device (same
// formatting and chunked writes as to a file, without filling a disk): memory must stay flat with it.
//
// The capture is the lab workload of bench/lib/lab-capture.ts (124 pods, webpod, kube-dns, replies;
// 1400-byte data packets), repeated with its clock moved forward by its span plus a pause each time,
// so the flows close, expire, get collected and open again. Samples are taken every 32 MiB of input
// (a replay that never waits on I/O gives timers no turn). Not part of `npm test`. With --save,
// writes bench/results/replay-memory[-N-workers][-VERDICTS-verdicts].json.
import { mkdirSync, writeFileSync } from "node:fs";
import { devNull } from "node:os";
import { pcapFileHeader } from "../src/readers/pcap-writer.js";
import { saveRequested } from "./lib/report.js";
import { ALGORITHM, SEED, labState, recordLabCapture } from "./lib/lab-capture.js";

const dist = (path: string) => new URL(`../dist/${path}`, import.meta.url).href;
const { replay } = (await import(dist("replay/replayer.js"))) as typeof import("../src/replay/replayer.js");
const { VerdictStream } = (await import(
  dist("cli/replay-verdict-stream.js")
)) as typeof import("../src/cli/replay-verdict-stream.js");
const { openOutputStream } = (await import(dist("cli/output.js"))) as typeof import("../src/cli/output.js");

const args = process.argv.slice(2).filter((a) => a !== "--save");
const verdictsAt = args.indexOf("--verdicts");
const verdictFormat = verdictsAt >= 0 ? args.splice(verdictsAt, 2)[1] : undefined;
if (verdictFormat !== undefined && verdictFormat !== "json" && verdictFormat !== "compact") {
  throw new Error(`--verdicts takes json or compact, got ${verdictFormat}`);
}
const [gigabytesArg, workersArg] = args;
const gigabytes = Number(gigabytesArg ?? 4);
const workers = Number(workersArg ?? 1);
const targetBytes = gigabytes * 2 ** 30;
const CHUNK = 1 << 20;
const PAUSE_SECONDS = 5;
const SAMPLE_EVERY = 32 << 20;

const base = await recordLabCapture(1500, 1400);
const state = await labState();
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);

/** The base capture again and again, its timestamps moved on by `span` seconds per repetition. */
async function* generatedCapture(): AsyncGenerator<Uint8Array> {
  yield pcapFileHeader();
  const copy = new Uint8Array(base.records.length);
  const view = new DataView(copy.buffer);
  let sent = 0;
  for (let rep = 0; sent < targetBytes; rep++) {
    copy.set(base.records);
    const shift = rep * (base.spanSeconds + PAUSE_SECONDS);
    for (const at of base.offsets) view.setUint32(at, view.getUint32(at, true) + shift, true);
    // Whole records only in the last repetition's tail: stop at a record boundary past the target.
    let end = copy.length;
    if (sent + end > targetBytes) {
      const need = targetBytes - sent;
      end = base.offsets.find((o) => o >= need) ?? copy.length;
    }
    for (let at = 0; at < end; at += CHUNK) yield copy.subarray(at, Math.min(end, at + CHUNK));
    sent += end;
  }
}

const samples: { seconds: number; inputMiB: number; rssMiB: number; heapMiB: number }[] = [];
let fed = 0;
const started = performance.now();
const sample = () =>
  samples.push({
    seconds: Math.round(performance.now() - started) / 1000,
    inputMiB: mb(fed),
    rssMiB: mb(process.memoryUsage().rss),
    heapMiB: mb(process.memoryUsage().heapUsed),
  });
sample();
let nextSample = SAMPLE_EVERY;
const verdictOutput = verdictFormat !== undefined ? await openOutputStream(devNull) : null;
const verdicts = verdictOutput ? new VerdictStream(verdictOutput, verdictFormat!, null) : null;
const { summary, inputError } = await replay({
  state,
  source: generatedCapture(),
  workers,
  seed: SEED,
  algorithm: ALGORITHM,
  ...(verdicts ? { verdictSink: verdicts } : {}),
  onProgress: async ({ progress }) => {
    fed = progress;
    if (fed >= nextSample) {
      sample();
      nextSample += SAMPLE_EVERY;
    }
    await verdicts?.drain();
  },
});
await verdicts?.end();
await verdictOutput?.close();
sample();
if (inputError) throw inputError;

const peak = Math.max(...samples.map((s) => s.rssMiB));
const atInput = (fraction: number) =>
  samples.find((s) => s.inputMiB >= (fed / 2 ** 20) * fraction)?.rssMiB ?? null;
const result = {
  date: new Date().toISOString(),
  node: process.version,
  workers,
  verdicts: verdictFormat ?? null,
  inputBytes: fed,
  inputGiB: +(fed / 2 ** 30).toFixed(2),
  packets: summary.packets,
  flows: summary.flows,
  dropped: summary.verdicts.dropped,
  ctGcRuns: summary.ct.gc.runs,
  elapsedSeconds: +summary.elapsedSeconds.toFixed(1),
  packetsPerSecond: Math.round(summary.packetsPerSecond),
  rssMiB: {
    start: samples[0]!.rssMiB,
    at10Percent: atInput(0.1),
    at50Percent: atInput(0.5),
    at90Percent: atInput(0.9),
    end: samples[samples.length - 1]!.rssMiB,
    peak,
  },
  peakHeapMiB: Math.max(...samples.map((s) => s.heapMiB)),
  samples: samples.length,
};
console.log(JSON.stringify(result, null, 2));
if (saveRequested()) {
  mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
  writeFileSync(
    new URL(
      `./results/replay-memory${workers === 1 ? "" : `-${workers}-workers`}${verdictFormat ? `-${verdictFormat}-verdicts` : ""}.json`,
      import.meta.url,
    ),
    JSON.stringify({ ...result, trace: samples }, null, 2) + "\n",
  );
}
