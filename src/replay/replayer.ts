// Replays an input (pcap, pcapng, Hubble JSON or a synthetic spec) through one node's emulated
// datapath: the reader's callbacks write packet records into batches (Wasm memory in-process, or a
// worker's transferable buffer), the datapath runs per batch, and verdict records are counted into
// the summary; a verdict stream is formatted only when asked for. The replay decides CT garbage
// collection times from the packet clock for every worker alike and applies synthetic churn between
// batches, so the summary is the same for any number of workers (docs/replay.md).
import type { DatapathState, LbAlgorithm } from "../engine/state.js";
import type { EntryPoint, PacketRecord } from "../model/packet.js";
import type { ByteSource } from "../readers/byte-source.js";
import { CaptureFormatError } from "../readers/capture-error.js";
import { ReadStopped } from "../readers/packet-decoder.js";
import { InProcessStage } from "./in-process-stage.js";
import { readCapture } from "./read-capture.js";
import { createReadSummary, type CaptureFormat, type ReadSummary } from "../readers/read-summary.js";
import { ReplayCore, type ChurnCommand, type ReplayEngineOptions } from "./replay-core.js";
import type { ReplayStage } from "./replay-stage.js";
import { buildReplaySummary, type ReplaySummary } from "./replay-summary.js";
import type { VerdictHandler } from "./replayed-packet.js";
import type { VerdictSink } from "./verdict-sink.js";
import type { ChurnEvent } from "../synthetic/synthetic.js";
import { MAX_WORKERS, ShardRouter } from "./shard-router.js";
import { checkShard, type ShardSpec } from "./shard.js";
import { InvalidInputError } from "../model/errors.js";
import { formatIPv4 } from "../model/ipv4.js";
import { protocolName } from "../model/protocol.js";

/** Packets per datapath batch. */
export const DEFAULT_BATCH_SIZE = 4096;
/** Synthetic packets generated between two pauses of the reader (progress, back-pressure, churn). */
const SYNTHETIC_CHUNK = 16384;

/** Progress of a running replay. */
export interface ReplayProgress {
  /** The input's format (detected or given). */
  format: CaptureFormat;
  /** Input bytes consumed (synthetic input: packets generated). */
  progress: number;
  /** Packets read so far. */
  packets: number;
}

/** What to replay through which emulated node: the state, the input and how to run it. */
export interface ReplayOptions {
  /** The emulated node (see datapathStateFromSnapshot; dumpTime ≈ the input's first packet). */
  state: DatapathState;
  source: ByteSource;
  /** The input's name for messages (a file path). */
  sourceName?: string;
  format?: CaptureFormat | "auto";
  /** "wasm" (default) or the TypeScript reference datapath. */
  engine?: "wasm" | "reference";
  algorithm?: LbAlgorithm;
  /** PRNG seed (default 1). */
  seed?: number;
  /**
   * Datapath threads, each with its share of the flows (default: defaultWorkerCount()). One runs in
   * this thread unless `pipelined`.
   */
  workers?: number;
  /**
   * With one worker: run its datapath on a worker thread, pipelined behind the reader in this thread,
   * rather than in this thread (default false; the CLI sets it for inputs of SMALL_INPUT_BYTES or
   * more, see usesPipeline). Ignored with more workers, which always run on threads of their own.
   */
  pipelined?: boolean;
  /**
   * The script each worker thread runs (default: the package's dist/bin/replay-worker.js, the worker
   * bundled into one file). Set it when the package's files are not where this module runs from,
   * e.g. in a bundled Node app.
   */
  workerScript?: URL | string;
  /** Where every packet enters (a capture taken at a pod or at a native device); pcap/pcapng only. */
  entry?: EntryPoint | null;
  /** Receives every replayed packet with its verdict, in input order. */
  onVerdict?: VerdictHandler;
  /**
   * Receives the processed batches in input order, for a verdict stream formatted in bulk from the
   * records (what `dpemu replay --verdicts` uses; no object per packet).
   */
  verdictSink?: VerdictSink;
  /** Called after each input chunk (awaited: a slow consumer slows the replay down). */
  onProgress?: (progress: ReplayProgress) => void | Promise<void>;
  /** Packets per batch (default 4096). */
  batchSize?: number;
  /**
   * Replay only the flows of one shard of a run split across processes or machines (`--shard K/N`):
   * the packets whose flow hashes to shard `index` of `count` by the workers' sharding rule
   * (shard-router.ts). Every shard reads the whole input; `dpemu summary merge` merges the summaries.
   */
  shard?: ShardSpec;
  /**
   * Stops the replay early: reading ends after the current chunk, the packets already read go
   * through the datapath, and the result is the summary of those (with `interrupted`).
   */
  signal?: AbortSignal;
}

/** The summary of a replay, and the input error that stopped it early, if any. */
export interface ReplayResult {
  summary: ReplaySummary;
  /** Set when the input turned out corrupt or cut: the summary covers what was read before it. */
  inputError: CaptureFormatError | null;
  /** The signal's abort reason when the replay was stopped by it (the summary covers what was read). */
  aborted: { reason: unknown } | null;
}

/** A replay option the input does not allow (e.g. an entry point for Hubble flows). */
export class ReplayOptionError extends InvalidInputError {
  constructor(message: string) {
    super(message);
    this.name = "ReplayOptionError";
  }
}

function churnCommand(event: ChurnEvent): ChurnCommand {
  const s = event.service;
  return {
    action: event.action,
    service: `${formatIPv4(s.address)}:${s.port}/${protocolName(s.proto) ?? s.proto}`,
    address: event.backend.address >>> 0,
    port: event.backend.port,
  };
}

/** How often a replay with a signal lets the event loop run (and so a signal handler abort it). */
const YIELD_EVERY_MS = 50;

/**
 * Lets pending events (a signal handler, a timer) run: a replay in one thread otherwise goes from
 * chunk to chunk through already-resolved promises, and nothing else runs until it ends.
 */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof setImmediate === "function") setImmediate(resolve);
    else setTimeout(resolve, 0);
  });
}

/**
 * Inputs smaller than this replay in one thread by default; larger ones (or of unknown size) read in
 * this thread and run the datapath on worker threads behind it. On two cores, one worker behind the
 * reader runs 3.9 M packets/s against 2.9 M in one thread (the lab capture, start-up excluded), but
 * the worker costs 0.2-0.3 s more to start in the bundled CLI (a Node thread, a Wasm instance, the
 * snapshot's maps; 0.4 s unbundled): it pays off from about 3 M packets, some 350 MB of a pcap of
 * small packets (the bench's lab capture: 1.12 M packets in 134 MB). 512 MiB leaves a margin for
 * machines where threads start slower.
 */
export const SMALL_INPUT_BYTES = 512 << 20;

/**
 * The default worker count: 1 for an input known to be smaller than SMALL_INPUT_BYTES (and where
 * there are no worker threads), else one fewer than the cores (the reader and sharding take one),
 * at least 1.
 */
export async function defaultWorkerCount(inputBytes?: number): Promise<number> {
  if (inputBytes !== undefined && inputBytes < SMALL_INPUT_BYTES) return 1;
  return Math.max(1, Math.min(MAX_WORKERS, availableCores() - 1));
}

/** The cores this process may use: 1 where there is no node:os (a browser). */
export function availableCores(): number {
  // Taken at run time, not imported, so browser bundles need not resolve node:os.
  const os = typeof process === "undefined" ? undefined : process.getBuiltinModule?.("node:os");
  return os === undefined ? 1 : os.availableParallelism();
}

/**
 * Whether a replay of `workers` workers on an input of `inputBytes` (undefined: unknown, a pipe)
 * runs its one worker pipelined behind the reader by default: for inputs not known to be smaller
 * than SMALL_INPUT_BYTES, where worker threads exist.
 */
export function usesPipeline(workers: number, inputBytes?: number): boolean {
  if (workers !== 1 || (inputBytes !== undefined && inputBytes < SMALL_INPUT_BYTES)) return false;
  return typeof process !== "undefined" && process.getBuiltinModule?.("node:worker_threads") !== undefined;
}

/**
 * Threads a replay keeps busy: its own for one worker not pipelined, else the reader's and one per
 * worker.
 */
export function replayThreads(workers: number, pipelined: boolean): number {
  return workers === 1 && !pipelined ? 1 : workers + 1;
}

/** The replay's settings after validation. */
interface ReplayPlan {
  workers: number;
  /** One worker on a thread of its own, behind the reader. */
  pipelined: boolean;
  capacity: number;
  engine: ReplayEngineOptions;
  /** The node state to replay on: a shard's holds the snapshot's CT and NAT entries of its flows only. */
  state: DatapathState;
  /** With --shard: the rule that picks the shard's flows, and which shard this is. */
  shard: { router: ShardRouter; spec: ShardSpec } | null;
}

function planReplay(options: ReplayOptions, workers: number): ReplayPlan {
  if (!Number.isInteger(workers) || workers < 1 || workers > MAX_WORKERS) {
    throw new ReplayOptionError(`workers must be an integer from 1 to ${MAX_WORKERS}, got ${workers}`);
  }
  const capacity = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new ReplayOptionError(`batchSize must be a positive integer, got ${capacity}`);
  }
  const engine: ReplayEngineOptions = {
    engine: options.engine ?? "wasm",
    seed: options.seed ?? 1,
    ...(options.algorithm ? { algorithm: options.algorithm } : {}),
  };
  const pipelined = workers === 1 && options.pipelined === true;
  const spec = options.shard;
  if (spec === undefined) return { workers, pipelined, capacity, engine, state: options.state, shard: null };
  checkShard(spec);
  // A shard holds the snapshot's CT and NAT entries of its flows only, as a worker does.
  const router = new ShardRouter(spec.count, options.state);
  const state = router.stateFor(options.state, spec.index);
  return { workers, pipelined, capacity, engine, state, shard: { router, spec } };
}

/** The datapath stage: in this thread for one worker not pipelined, else worker threads. */
async function createStage(options: ReplayOptions, plan: ReplayPlan): Promise<ReplayStage> {
  const { state } = plan;
  const output = {
    ...(options.onVerdict ? { onVerdict: options.onVerdict } : {}),
    ...(options.verdictSink ? { verdictSink: options.verdictSink } : {}),
  };
  if (plan.workers === 1 && !plan.pipelined) {
    return new InProcessStage(await ReplayCore.create(state, plan.engine), plan.capacity, output);
  }
  // Loaded only here: worker_threads is Node's, and a one-worker replay needs none.
  const { WorkerStage } = await import("./worker-stage.js");
  const streamed = options.onVerdict !== undefined || options.verdictSink !== undefined;
  return WorkerStage.create({
    state,
    engine: plan.engine,
    workers: plan.workers,
    capacity: plan.capacity,
    ...(options.workerScript !== undefined ? { workerScript: options.workerScript } : {}),
    ...output,
    // Names backends and frontends for the verdict stream, following the churn in stream order.
    ...(streamed
      ? { directory: await ReplayCore.create(state, { ...plan.engine, engine: "reference" }) }
      : {}),
  });
}

/**
 * The reader's packet callback: CT garbage collection, decided here once for all workers (before the
 * first packet, then before the first packet whose clock reaches the previous collection + the
 * interval, docs/datapath.md), then the packet into the stage.
 */
function packetFeeder(
  stage: ReplayStage,
  gcIntervalSec: number,
  entry: EntryPoint | null,
  shard: ReplayPlan["shard"],
) {
  const feeder = { packets: 0, otherShards: 0, onPacket: (_packet: PacketRecord): void => {} };
  let gcStarted = false;
  let nextGc = 0;
  feeder.onPacket = (packet) => {
    const now = packet.seconds >>> 0;
    if (!gcStarted || now >= nextGc) {
      stage.gc(now);
      gcStarted = true;
      nextGc = (now + gcIntervalSec) >>> 0;
    }
    feeder.packets++;
    // Every shard collects at the same points of the stream: decided before the shard filter.
    if (
      shard !== null &&
      shard.router.workerOf(packet.saddr >>> 0, packet.sport, packet.daddr >>> 0, packet.dport) !==
        shard.spec.index
    ) {
      feeder.otherShards++;
      return;
    }
    stage.push(packet, entry);
  };
  return feeder;
}

/** What reading the input gave: its summary, and why it ended early, if it did. */
interface ReadOutcome {
  read: ReadSummary;
  /** Packets read and left to other shards (--shard). */
  otherShards: number;
  inputError: CaptureFormatError | null;
  aborted: { reason: unknown } | null;
}

/** Reads the whole input into the stage, pausing after each chunk (drain, progress, signal). */
async function readInto(stage: ReplayStage, options: ReplayOptions, plan: ReplayPlan): Promise<ReadOutcome> {
  const entry = options.entry ?? null;
  const feeder = packetFeeder(stage, plan.state.node.gcIntervalSec, entry, plan.shard);
  let format: CaptureFormat =
    options.format === "auto" || options.format === undefined ? "pcap" : options.format;
  const signal = options.signal;
  const stopIfAborted = (): void => {
    if (signal?.aborted) throw new ReadStopped(signal.reason);
  };
  let lastYield = performance.now();
  try {
    stopIfAborted();
    const read = await readCapture(options.source, feeder.onPacket, {
      format: options.format ?? "auto",
      ...(options.sourceName !== undefined ? { sourceName: options.sourceName } : {}),
      onFormat: (detected) => {
        format = detected;
        checkEntry(entry, format);
      },
      onChurn: (event) => {
        const command = churnCommand(event);
        if (command.action === "add") plan.shard?.router.addBackend(command.address, command.port);
        stage.churn(command);
      },
      packetsPerChunk: SYNTHETIC_CHUNK,
      afterChunk: async (progress) => {
        stopIfAborted();
        await stage.drain();
        await options.onProgress?.({ format, progress, packets: feeder.packets });
        if (signal !== undefined && performance.now() - lastYield >= YIELD_EVERY_MS) {
          await yieldToEventLoop();
          lastYield = performance.now();
        }
        stopIfAborted();
      },
    });
    return { read, otherShards: feeder.otherShards, inputError: null, aborted: null };
  } catch (error) {
    // Stopped before the format was known: nothing was read.
    if (error instanceof ReadStopped) {
      return {
        read: error.summary ?? createReadSummary(format),
        otherShards: feeder.otherShards,
        inputError: null,
        aborted: { reason: error.reason },
      };
    }
    if (!(error instanceof CaptureFormatError) || error.summary === undefined) throw error;
    return { read: error.summary, otherShards: feeder.otherShards, inputError: error, aborted: null };
  }
}

/** An entry point applies to captures only: Hubble flows carry their direction, a spec its own. */
function checkEntry(entry: EntryPoint | null, format: CaptureFormat): void {
  if (entry === null || format === "pcap" || format === "pcapng") return;
  throw new ReplayOptionError(
    `an entry point (--from-pod/--from-netdev) applies to pcap and pcapng captures; ${format === "hubble" ? "Hubble flows carry their own direction" : "a synthetic spec sets clients.entry"}`,
  );
}

/**
 * Streams a capture (or synthetic workload) through the emulated node and summarises the verdicts (what
 * `dpemu replay` runs).
 */
export async function replay(options: ReplayOptions): Promise<ReplayResult> {
  const started = performance.now();
  const plan = planReplay(options, options.workers ?? (await defaultWorkerCount()));
  const stage = await createStage(options, plan);
  try {
    const { read, otherShards, inputError, aborted } = await readInto(stage, options, plan);
    const result = await stage.finish();
    const summary = buildReplaySummary({
      read,
      counts: result.counts,
      stats: result.stats,
      backends: result.backends,
      state: plan.state,
      workers: plan.workers,
      ...(plan.shard !== null ? { shard: { ...plan.shard.spec, otherShards } } : {}),
      interrupted: aborted !== null,
      elapsedSeconds: (performance.now() - started) / 1000,
    });
    return { summary, inputError, aborted };
  } finally {
    await stage.close();
  }
}
