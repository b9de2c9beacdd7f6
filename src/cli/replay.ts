// `dpemu replay [SNAPSHOT] --input FILE [--format auto|pcap|pcapng|hubble|synthetic]
// [--algorithm maglev|random] [--seed N] [--workers N] [--verdicts FILE|-] [--output text|json]
// [--summary-json FILE|-] [--node NAME] [--from-pod|--from-netdev] [--reference]`: every packet of a
// capture, Hubble export or synthetic workload through one node's emulated datapath.
import { createWriteStream, type WriteStream } from "node:fs";
import { stat } from "node:fs/promises";
import { once } from "node:events";
import type { Writable } from "node:stream";
import cliProgress from "cli-progress";
import type { Command } from "commander";
import { datapathStateFromSnapshot } from "../load/from-snapshot.js";
import type { LbAlgorithm } from "../engine/state.js";
import { EntryPoint } from "../model/packet.js";
import { fileByteSource } from "../readers/file-source.js";
import { firstPacketSeconds } from "../replay/first-packet.js";
import { UnknownCaptureFormatError } from "../replay/read-capture.js";
import type { CaptureFormat } from "../readers/read-summary.js";
import { ChurnError } from "../replay/replay-core.js";
import { ReplayOptionError, defaultWorkerCount, replay, type ReplayResult } from "../replay/replayer.js";
import type { VerdictHandler } from "../replay/replayed-packet.js";
import { SyntheticSpecError } from "../synthetic/synthetic-spec.js";
import { MAX_WORKERS } from "../replay/shard-router.js";
import { InputError } from "../snapshot/errors.js";
import { loadSnapshot } from "../snapshot/load.js";
import { defaultSnapshotPath } from "./default-snapshot.js";
import { cliCommand, commandLine, withErrorHandling } from "./errors.js";
import { formatReplaySummary, verdictJsonLine, verdictTextLine } from "./replay-output.js";

interface ReplayCliOptions {
  readonly input: string;
  readonly format: string;
  readonly algorithm?: string;
  readonly seed: string;
  readonly workers?: string;
  readonly verdicts?: string;
  readonly output: string;
  readonly summaryJson?: string;
  readonly node?: string;
  readonly fromPod?: boolean;
  readonly fromNetdev?: boolean;
  readonly reference?: boolean;
}

/** Errors about the command line itself: reported like bad input (one line, exit 2). */
const COMMAND_LINE = commandLine("replay");
const FORMATS = ["auto", "pcap", "pcapng", "hubble", "synthetic"];

function integer(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new InputError(
      COMMAND_LINE,
      `${name} must be an integer ${min}..${max}, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

function choice<T extends string>(name: string, text: string, allowed: readonly T[]): T {
  const value = text.toLowerCase() as T;
  if (!allowed.includes(value)) {
    throw new InputError(
      COMMAND_LINE,
      `${name} must be one of ${allowed.join(", ")}, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

/** An output file or stdout ("-"); a file that cannot be created is bad input. */
async function openOutput(option: string, path: string): Promise<Writable> {
  if (path === "-") return process.stdout;
  const stream: WriteStream = createWriteStream(path);
  try {
    await once(stream, "open");
  } catch (error) {
    throw new InputError({ file: path, line: 0 }, `${option}: cannot write (${(error as Error).message})`);
  }
  return stream;
}

async function write(stream: Writable, text: string): Promise<void> {
  if (text.length > 0 && !stream.write(text)) await once(stream, "drain");
}

async function close(stream: Writable): Promise<void> {
  if (stream === process.stdout) return;
  stream.end();
  await once(stream, "finish");
}

/** Reader and replay errors about the input, as one-line InputErrors naming the file. */
function inputError(path: string, error: unknown): unknown {
  if (error instanceof UnknownCaptureFormatError)
    return new InputError({ file: path, line: 0 }, `unrecognised input: ${error.description}`);
  if (error instanceof SyntheticSpecError || error instanceof ChurnError)
    return new InputError({ file: path, line: 0 }, error.message.replace(`${path}: `, ""));
  if (error instanceof ReplayOptionError) return new InputError(COMMAND_LINE, error.message);
  return error;
}

/** A progress bar on a terminal (packets, packets/s, ETA from the input size); nothing otherwise. */
function progressBar(totalBytes: number | null) {
  if (!process.stderr.isTTY) return null;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
      format:
        totalBytes !== null
          ? "replay |{bar}| {percentage}% | {packets} packets | {rate} packets/s | ETA {eta_formatted}"
          : "replay | {packets} packets | {rate} packets/s",
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(totalBytes ?? 1, 0, { packets: "0", rate: "0" });
  const started = performance.now();
  return {
    update(progress: number, packets: number): void {
      const seconds = (performance.now() - started) / 1000;
      const payload = {
        packets: packets.toLocaleString("en-US"),
        rate: seconds > 0 ? Math.round(packets / seconds).toLocaleString("en-US") : "0",
      };
      bar.update(totalBytes !== null ? progress : 0, payload);
    },
    stop(): void {
      bar.stop();
    },
  };
}

async function runReplay(snapshotPath: string | undefined, options: ReplayCliOptions): Promise<void> {
  const format = choice("--format", options.format, FORMATS) as CaptureFormat | "auto";
  const seed = integer("--seed", options.seed, 0, 0xffffffff);
  const workers =
    options.workers !== undefined
      ? integer("--workers", options.workers, 1, MAX_WORKERS)
      : await defaultWorkerCount();
  const output = choice("--output", options.output, ["text", "json"] as const);
  const algorithm =
    options.algorithm !== undefined
      ? choice<LbAlgorithm>("--algorithm", options.algorithm, ["maglev", "random"])
      : undefined;
  if (options.fromPod && options.fromNetdev)
    throw new InputError(COMMAND_LINE, "--from-pod and --from-netdev exclude each other");
  const entry = options.fromPod
    ? EntryPoint.FromEndpoint
    : options.fromNetdev
      ? EntryPoint.FromNetwork
      : null;

  const input = options.input;
  let size: number;
  try {
    const info = await stat(input);
    if (!info.isFile()) throw new Error("not a file");
    size = info.size;
  } catch {
    throw new InputError(
      { file: input, line: 0 },
      "--input expects a capture file (pcap, pcapng, Hubble JSON or synthetic spec)",
    );
  }

  const snapshot = await loadSnapshot(snapshotPath ?? defaultSnapshotPath());
  if (options.node !== undefined && !snapshot.nodes.some((n) => n.name === options.node)) {
    throw new InputError(
      COMMAND_LINE,
      `--node ${options.node}: no such node in the snapshot (nodes: ${snapshot.nodes.map((n) => n.name).join(", ")})`,
    );
  }
  let first: number | null;
  try {
    first = await firstPacketSeconds(fileByteSource(input), { format, sourceName: input });
  } catch (error) {
    throw inputError(input, error);
  }
  // The dumps are taken as if right before the input's first packet: snapshot CT lifetimes count from it.
  const { state } = datapathStateFromSnapshot(snapshot, {
    ...(options.node !== undefined ? { node: options.node } : {}),
    dumpTime: first ?? Math.floor(Date.now() / 1000),
  });

  const verdictStream =
    options.verdicts !== undefined ? await openOutput("--verdicts", options.verdicts) : null;
  const summaryStream =
    options.summaryJson !== undefined ? await openOutput("--summary-json", options.summaryJson) : null;
  // The table goes to stderr when stdout carries machine-readable output.
  const tableStream =
    verdictStream === process.stdout || summaryStream === process.stdout ? process.stderr : process.stdout;

  let pending: string[] = [];
  const onVerdict: VerdictHandler | undefined = verdictStream
    ? output === "json"
      ? (replayed, directory) => pending.push(verdictJsonLine(replayed, directory))
      : (replayed) => pending.push(verdictTextLine(replayed))
    : undefined;
  const flushVerdicts = async (): Promise<void> => {
    if (!verdictStream || pending.length === 0) return;
    const text = `${pending.join("\n")}\n`;
    pending = [];
    await write(verdictStream, text);
  };

  const bar = progressBar(format === "synthetic" ? null : size);
  let result: ReplayResult;
  try {
    result = await replay({
      state,
      source: fileByteSource(input),
      sourceName: input,
      format,
      seed,
      workers,
      entry,
      engine: options.reference ? "reference" : "wasm",
      ...(algorithm ? { algorithm } : {}),
      ...(onVerdict ? { onVerdict } : {}),
      onProgress: async ({ progress, packets }) => {
        bar?.update(progress, packets);
        await flushVerdicts();
      },
    });
  } catch (error) {
    throw inputError(input, error);
  } finally {
    bar?.stop();
  }
  await flushVerdicts();
  if (verdictStream) await close(verdictStream);

  await write(tableStream, formatReplaySummary(result.summary));
  if (summaryStream) {
    await write(
      summaryStream,
      `${JSON.stringify(result.summary, null, summaryStream === process.stdout ? 0 : 2)}\n`,
    );
    await close(summaryStream);
  }
  const bad = result.inputError;
  if (bad) {
    throw new InputError(
      { file: input, line: bad.line ?? 0 },
      `${bad.problem} (packet ${bad.packetNumber}, byte offset ${bad.byteOffset}); the summary covers the ${result.summary.packets} packets before it`,
    );
  }
}

export function replayCommand(): Command {
  return cliCommand("replay")
    .description("replay a capture, Hubble flows or a synthetic workload through the emulated node")
    .argument(
      "[snapshot]",
      "dump directory, dump file, sysdump .zip or bugtool .tar.gz (default: bundled lab-3node)",
    )
    .requiredOption("--input <file>", "pcap, pcapng, Hubble JSON (hubble observe -o json) or synthetic spec")
    .option("--format <format>", `input format: ${FORMATS.join(", ")}`, "auto")
    .option("--algorithm <algorithm>", "force backend selection: maglev or random")
    .option("--seed <n>", "PRNG seed for random selection and SNAT ports", "1")
    .option("--workers <n>", "worker threads (default: the number of cores)")
    .option("--verdicts <file>", "write one verdict per packet to a file, or - for stdout")
    .option("--output <format>", "verdict stream format: text (Hubble-like) or json (JSON lines)", "text")
    .option("--summary-json <file>", "write the summary as JSON to a file, or - for stdout")
    .option("--node <name>", "the node whose view the datapath takes")
    .option("--from-pod", "the capture was taken at a pod: every packet enters from the endpoint")
    .option("--from-netdev", "the capture was taken at a native device: every packet enters from the network")
    .option("--reference", "run the TypeScript reference datapath instead of Wasm")
    .action(withErrorHandling("replay", runReplay));
}
