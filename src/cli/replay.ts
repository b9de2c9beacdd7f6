// `dpemu replay [SNAPSHOT] --input FILE|- [--format auto|pcap|pcapng|hubble|synthetic]
// [--algorithm maglev|random] [--seed N] [--workers N] [--verdicts FILE|-] [-o compact|json]
// [hubble observe's filters] [--summary-json FILE|-] [--node NAME] [--from-pod|--from-netdev]
// [--reference] [--lenient] [--shard K/N]`: every packet of a capture, Hubble export or synthetic workload through
// one node's emulated datapath. Ctrl-C (SIGINT) or SIGTERM stops it: the terminal is given back, the
// summary of what was read is printed (and written), and the exit code is 130 or 143.
import { Option, type Command } from "commander";
import { datapathStateFromSnapshot } from "../load/from-snapshot.js";
import type { DatapathState, LbAlgorithm } from "../engine/state.js";
import { EntryPoint } from "../model/packet.js";
import { ReadStopped } from "../readers/packet-decoder.js";
import { firstPacketSeconds } from "../replay/first-packet.js";
import { UnknownCaptureFormatError } from "../replay/read-capture.js";
import type { CaptureFormat } from "../readers/read-summary.js";
import { ChurnError } from "../replay/replay-core.js";
import {
  ReplayOptionError,
  defaultWorkerCount,
  replay,
  replayThreads,
  usesPipeline,
  type ReplayResult,
} from "../replay/replayer.js";
import type { Snapshot } from "../model/snapshot.js";
import { SyntheticSpecError } from "../synthetic/synthetic-spec.js";
import { MAX_WORKERS } from "../replay/shard-router.js";
import { InputError } from "../snapshot/errors.js";
import { loadCommandSnapshot } from "./snapshot-warnings.js";
import type { UnpackLimits } from "../snapshot/archive/limits.js";
import { unpackLimitsOption, snapshotReadOptions } from "./unpack-limits-option.js";
import { defaultSnapshotPath } from "./default-snapshot.js";
import { cliCommand, commandLine, requiredOption, withErrorHandling } from "./errors.js";
import { resolveNode } from "./node-option.js";
import {
  OutputDocument,
  checkDistinctOutputs,
  isStdoutClosed,
  openOutputStream,
  outputFormat,
  type OutputStream,
} from "./output.js";
import { progressLine, type ProgressLine } from "./progress.js";
import { openReplayInput, type ReplayInput } from "./replay-input.js";
import { runIdentity } from "./run-identity.js";
import { parseShard, type ShardSpec } from "../replay/shard.js";
import { STOP_EXIT_CODES, StopSignals, type StopReason } from "./stop-signals.js";
import { formatReplaySummary } from "./replay-output.js";
import { VerdictStream, type VerdictLineFormat, type VerdictOutput } from "./replay-verdict-stream.js";
import { VerdictThread, formatterThreadPaysOff } from "./replay-verdict-thread.js";
import { collect, verdictFilter, type VerdictFilter, type VerdictFilterOptions } from "./verdict-filter.js";
import {
  addClusterOptions,
  hasRouterSide,
  refuseNodeInCluster,
  type ClusterCliOptions,
} from "./cluster-options.js";
import { runClusterReplay } from "./cluster-replay-run.js";
import { addMeshOptions, wantsMesh, type MeshCliOptions } from "./mesh-options.js";
import { runMeshReplay } from "./mesh-replay-run.js";

interface ReplayCliOptions extends VerdictFilterOptions, ClusterCliOptions, MeshCliOptions {
  readonly input: string;
  readonly format: string;
  readonly algorithm?: string;
  readonly seed: string;
  readonly workers?: string;
  readonly verdicts?: string;
  readonly output?: string;
  readonly summaryJson?: string;
  readonly node?: string;
  readonly maxUnpacked?: Partial<UnpackLimits>;
  readonly fromPod?: boolean;
  readonly fromNetdev?: boolean;
  readonly reference?: boolean;
  readonly lenient?: boolean;
  readonly shard?: string;
  readonly verdictThread?: string;
}

/** --verdict-thread: format on a thread of its own when it pays off (auto), always (on), or never (off). */
const VERDICT_THREAD_MODES = ["auto", "on", "off"] as const;

/** Verdict stream formats: hubble observe's `compact` one-liners (`text` is its old name) or JSON lines. */
const VERDICT_FORMATS = ["compact", "text", "json"] as const;

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

/** Reader and replay errors about the input, as one-line InputErrors naming the file. */
function inputError(path: string, error: unknown): unknown {
  if (error instanceof UnknownCaptureFormatError)
    return new InputError({ file: path, line: 0 }, `unrecognised input: ${error.description}`);
  if (error instanceof SyntheticSpecError || error instanceof ChurnError)
    return new InputError({ file: path, line: 0 }, error.message.replace(`${path}: `, ""));
  if (error instanceof ReplayOptionError) return new InputError(COMMAND_LINE, error.message);
  return error;
}

async function runReplay(snapshotPath: string | undefined, options: ReplayCliOptions): Promise<void> {
  // Installed first: Ctrl-C while the snapshot loads stops the replay before its first packet.
  const stops = new StopSignals();
  try {
    await replayUntilStopped(snapshotPath, options, stops);
  } finally {
    stops.dispose();
  }
}

/** The command line's settings, checked. */
interface ReplaySettings {
  format: CaptureFormat | "auto";
  seed: number;
  workers: number | undefined;
  output: VerdictLineFormat;
  verdictThread: (typeof VERDICT_THREAD_MODES)[number];
  filter: VerdictFilter | null;
  algorithm: LbAlgorithm | undefined;
  entry: EntryPoint | null;
  shard: ShardSpec | undefined;
}

function replaySettings(options: ReplayCliOptions): ReplaySettings {
  const output =
    options.output !== undefined
      ? outputFormat("replay", "--output", options.output, VERDICT_FORMATS)
      : "compact";
  const filter = verdictFilter(options);
  if (options.verdicts === undefined && (options.output !== undefined || filter !== null)) {
    throw new InputError(
      COMMAND_LINE,
      `${options.output !== undefined ? "-o/--output" : "verdict filters"} apply to the verdict stream: add --verdicts FILE or --verdicts - (stdout)`,
    );
  }
  checkDistinctOutputs("replay", [
    options.verdicts !== undefined ? { option: "--verdicts", path: options.verdicts } : undefined,
    options.summaryJson !== undefined ? { option: "--summary-json", path: options.summaryJson } : undefined,
  ]);
  if (options.fromPod && options.fromNetdev)
    throw new InputError(COMMAND_LINE, "--from-pod and --from-netdev exclude each other");
  return {
    format: choice("--format", options.format, FORMATS) as CaptureFormat | "auto",
    seed: integer("--seed", options.seed, 0, 0xffffffff),
    workers:
      options.workers !== undefined ? integer("--workers", options.workers, 1, MAX_WORKERS) : undefined,
    output: output === "json" ? "json" : "compact",
    verdictThread: choice("--verdict-thread", options.verdictThread ?? "auto", VERDICT_THREAD_MODES),
    filter,
    algorithm:
      options.algorithm !== undefined
        ? choice<LbAlgorithm>("--algorithm", options.algorithm, ["maglev", "random"])
        : undefined,
    entry: options.fromPod ? EntryPoint.FromEndpoint : options.fromNetdev ? EntryPoint.FromNetwork : null,
    shard: options.shard !== undefined ? parseShard(options.shard) : undefined,
  };
}

/** The emulated node's state from the snapshot, its dumps placed right before the input's first packet. */
async function replayState(
  snapshotPath: string | undefined,
  options: ReplayCliOptions,
  format: CaptureFormat | "auto",
  source: ReplayInput,
): Promise<DatapathState> {
  const snapshot: Snapshot = await loadCommandSnapshot(snapshotPath ?? defaultSnapshotPath(), {
    ...snapshotReadOptions(options),
  });
  const node = options.node !== undefined ? resolveNode("replay", snapshot, options.node) : undefined;
  let first: number | null;
  try {
    first = await firstPacketSeconds(source.head(), { format, sourceName: source.name });
  } catch (error) {
    // Stopped while waiting on stdin: the replay below stops before its first packet.
    if (!(error instanceof ReadStopped)) throw inputError(source.name, error);
    first = null;
  }
  // The dumps are taken as if right before the input's first packet: snapshot CT lifetimes count from it.
  return datapathStateFromSnapshot(snapshot, {
    ...(node !== undefined ? { node } : {}),
    dumpTime: first ?? Math.floor(Date.now() / 1000),
  }).state;
}

/** The verdict stream and the summary document, created before the work so a bad path fails at once. */
async function openOutputs(
  options: ReplayCliOptions,
  settings: ReplaySettings,
  formatter: VerdictThread | null,
): Promise<{ verdicts: VerdictOutput | null; stream: OutputStream | null; summary: OutputDocument | null }> {
  const stream = options.verdicts !== undefined ? await openOutputStream(options.verdicts) : null;
  try {
    const summary =
      options.summaryJson !== undefined ? await OutputDocument.create(options.summaryJson) : null;
    const verdicts = !stream
      ? null
      : formatter
        ? formatter.writeTo(stream)
        : new VerdictStream(stream, settings.output, settings.filter);
    return { verdicts, stream, summary };
  } catch (error) {
    await stream?.close();
    throw error;
  }
}

/**
 * The verdict stream's formatter thread (replay-verdict-thread.ts), started before the snapshot is
 * loaded so its start-up overlaps: unless filters decide per packet (they run in the replay's thread
 * with the in-thread VerdictStream), it does not pay off (formatterThreadPaysOff; --verdict-thread
 * on/off overrides), or there are no worker threads.
 */
function verdictFormatter(
  options: ReplayCliOptions,
  settings: ReplaySettings,
  inputBytes: number | null,
  replayThreads: number,
): VerdictThread | null {
  if (options.verdicts === undefined || settings.filter !== null || settings.verdictThread === "off")
    return null;
  if (settings.verdictThread === "auto" && !formatterThreadPaysOff(inputBytes, replayThreads)) return null;
  return VerdictThread.launch(settings.output);
}

/** What every shard of one run shares: the node state and the options that change verdicts. */
function shardRun(state: DatapathState, settings: ReplaySettings, options: ReplayCliOptions): string {
  return runIdentity(state, {
    seed: settings.seed,
    algorithm: settings.algorithm ?? null,
    engine: options.reference ? "reference" : "wasm",
    entry: settings.entry,
  });
}

/** Runs the replay with a progress line, writing the verdict stream as it goes. */
async function replayWithProgress(
  input: { source: ReplayInput; state: DatapathState; workers: number; pipelined: boolean },
  options: ReplayCliOptions,
  settings: ReplaySettings,
  verdicts: VerdictOutput | null,
  stops: StopSignals,
): Promise<ReplayResult> {
  let bar: ProgressLine | null = null;
  const { source, state, workers, pipelined } = input;
  try {
    return await replay({
      state,
      source: source.all(),
      sourceName: source.name,
      format: settings.format,
      seed: settings.seed,
      workers,
      pipelined,
      entry: settings.entry,
      signal: stops.signal,
      engine: options.reference ? "reference" : "wasm",
      ...(settings.algorithm ? { algorithm: settings.algorithm } : {}),
      ...(verdicts ? { verdictSink: verdicts } : {}),
      ...(settings.shard !== undefined
        ? { shard: { ...settings.shard, run: shardRun(state, settings, options) } }
        : {}),
      onProgress: async (p) => {
        // Bytes of a capture have a total; a synthetic workload's packets do not.
        if (bar === null && !stops.signal.aborted)
          bar = progressLine("replay", "packets", p.format === "synthetic" ? null : source.size);
        bar?.update(p.progress, p.packets);
        // A pipe (`hubble observe --follow | dpemu replay --input -`) may pause for long: write now.
        if (source.size === null) verdicts?.flush();
        await verdicts?.drain();
      },
    });
  } catch (error) {
    throw inputError(source.name, error);
  } finally {
    (bar as ProgressLine | null)?.stop();
  }
}

/** The summary table (stderr when stdout carries the stream), the JSON summary, and how it ended. */
async function reportReplay(
  result: ReplayResult,
  options: ReplayCliOptions,
  input: string,
  summaryDocument: OutputDocument | null,
): Promise<void> {
  // The table goes to stderr when stdout carries machine-readable output.
  const stdoutTaken = options.verdicts === "-" || options.summaryJson === "-";
  const stopped = result.aborted ? (result.aborted.reason as StopReason) : null;
  // A reader that went away (`| head -1`) wanted no more: end quietly.
  if (stopped !== "EPIPE" && !(isStdoutClosed() && !stdoutTaken)) {
    const table = formatReplaySummary(result.summary);
    if (stdoutTaken) process.stderr.write(table);
    else process.stdout.write(table);
  }
  await summaryDocument?.commit(
    `${JSON.stringify(result.summary, null, options.summaryJson === "-" ? 0 : 2)}\n`,
  );
  const bad = result.inputError;
  if (bad) {
    throw new InputError(
      { file: input, line: bad.line ?? 0 },
      `${bad.problem} (packet ${bad.packetNumber}, byte offset ${bad.byteOffset}); the summary covers the ${result.summary.packets} packets before it`,
    );
  }
  if (stopped !== null) {
    if (stopped !== "EPIPE") process.stderr.write(`dpemu replay: stopped by ${stopped}\n`);
    process.exitCode = STOP_EXIT_CODES[stopped];
  }
}

/** `--cluster` (or a snapshot with router-side outputs): the cluster replay instead; true when it ran. */
async function clusterRun(
  snapshotPath: string | undefined,
  options: ReplayCliOptions,
  settings: ReplaySettings,
  source: ReplayInput,
): Promise<boolean> {
  if (wantsMesh(options)) {
    refuseNodeInCluster("replay", options.node, "a mesh replay shows every node of every cluster");
    if (options.verdicts !== undefined || options.shard !== undefined)
      throw new InputError(COMMAND_LINE, "--verdicts and --shard are not available with a mesh replay");
    const { algorithm: _algorithm, ...meshRest } = options;
    await runMeshReplay(source, {
      ...meshRest,
      format: settings.format,
      seed: settings.seed,
      ...(settings.algorithm ? { algorithm: settings.algorithm } : {}),
    });
    return true;
  }
  const path = snapshotPath ?? defaultSnapshotPath();
  const wanted =
    options.cluster === true ||
    options.nodes !== undefined ||
    (options.node === undefined && settings.entry === null && (await hasRouterSide(path)));
  if (!wanted) return false;
  if (options.verdicts !== undefined || options.shard !== undefined)
    throw new InputError(COMMAND_LINE, "--verdicts and --shard are not available with a cluster replay");
  const { algorithm: _text, ...rest } = options;
  await runClusterReplay(path, source, {
    ...rest,
    format: settings.format,
    seed: settings.seed,
    ...(settings.algorithm ? { algorithm: settings.algorithm } : {}),
  });
  return true;
}

async function replayUntilStopped(
  snapshotPath: string | undefined,
  options: ReplayCliOptions,
  stops: StopSignals,
): Promise<void> {
  const settings = replaySettings(options);
  const source = await openReplayInput(options.input, stops.signal);
  if (await clusterRun(snapshotPath, options, settings, source)) return;
  const size = source.size ?? undefined;
  const workers = settings.workers ?? (await defaultWorkerCount(size));
  const pipelined = usesPipeline(workers, size);
  const formatter = verdictFormatter(options, settings, source.size, replayThreads(workers, pipelined));
  let opened: Awaited<ReturnType<typeof openOutputs>>;
  let state: DatapathState;
  try {
    state = await replayState(snapshotPath, options, settings.format, source);
    opened = await openOutputs(options, settings, formatter);
  } catch (error) {
    await formatter?.close();
    throw error;
  }
  const { verdicts, stream, summary } = opened;
  // Ctrl-C, SIGTERM, or the reader of stdout going away stop the replay after the current chunk.
  if (options.verdicts === "-" || options.summaryJson === "-") stops.watchStdout();
  let result: ReplayResult;
  try {
    result = await replayWithProgress(
      { source, state, workers, pipelined },
      options,
      settings,
      verdicts,
      stops,
    );
    await verdicts?.end();
    await stream?.close();
  } catch (error) {
    await verdicts?.close();
    await summary?.discard();
    throw error;
  }
  await reportReplay(result, options, source.name, summary);
}

export function replayCommand(): Command {
  const command = cliCommand("replay")
    .description("replay a capture, Hubble flows or a synthetic workload through the emulated node")
    .argument(
      "[snapshot]",
      "dump directory, dump file, sysdump .zip or bugtool .tar.gz (default: bundled lab-3node)",
    );
  requiredOption(
    command,
    "--input <file>",
    "pcap, pcapng, Hubble JSON (hubble observe -o json) or synthetic spec; - reads stdin",
  );
  return addMeshOptions(addClusterOptions(command))
    .option("--format <format>", `input format: ${FORMATS.join(", ")}`, "auto")
    .option("--algorithm <algorithm>", "force backend selection: maglev or random")
    .option("--seed <n>", "PRNG seed for random selection and SNAT ports", "1")
    .option(
      "--workers <n>",
      "datapath threads (default: 1 below 512 MiB of input, else one fewer than the cores)",
    )
    .option("--verdicts <file>", "write one verdict per packet to a file, or - for stdout")
    .option(
      "-o, --output <format>",
      "verdict stream format: compact (Hubble-like lines; also 'text') or json (JSON lines)",
    )
    .option("--verdict <verdict>", "filter: FORWARDED or DROPPED (repeatable)", collect)
    .option("--from-ip <ip|cidr>", "filter: source address (repeatable)", collect)
    .option("--to-ip <ip|cidr>", "filter: destination address (repeatable)", collect)
    .option("--ip <ip|cidr>", "filter: source or destination address (repeatable)", collect)
    .option("--protocol <proto>", "filter: tcp, udp, icmp, sctp (repeatable)", collect)
    .option("--port <port>", "filter: source or destination port (repeatable)", collect)
    .option("--from-port <port>", "filter: source port (repeatable)", collect)
    .option("--to-port <port>", "filter: destination port (repeatable)", collect)
    .option(
      "--drop-reason <reason>",
      "filter: emulated drop reason, e.g. POLICY_DENIED (repeatable)",
      collect,
    )
    .option(
      "--service <frontend|id>",
      "filter: emulated service, IP:PORT[/PROTO] or rev-NAT ID (repeatable)",
      collect,
    )
    .option("--summary-json <file>", "write the summary as JSON to a file, or - for stdout")
    .option(
      "--shard <K/N>",
      "replay only the flows of shard K of N (0-based; merge the shards' --summary-json with `dpemu summary merge`)",
    )
    .option(
      "--node <name>",
      "the node whose view the datapath takes (agent pod or Kubernetes node name); with --cluster, the node whose counts to show",
    )
    .addOption(unpackLimitsOption())
    .option("--from-pod", "the capture was taken at a pod: every packet enters from the endpoint")
    .option("--from-netdev", "the capture was taken at a native device: every packet enters from the network")
    .option("--reference", "run the TypeScript reference datapath instead of Wasm")
    .addOption(
      new Option(
        "--verdict-thread <mode>",
        "format the verdict stream on its own thread: auto, on, off",
      ).hideHelp(),
    )
    .option("--lenient", "skip unparseable snapshot lines with a warning instead of failing")
    .action(withErrorHandling("replay", runReplay));
}
