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
import { ReplayCore, type ChurnCommand } from "./replay-core.js";
import type { ReplayStage } from "./replay-stage.js";
import { buildReplaySummary, type ReplaySummary } from "./replay-summary.js";
import type { VerdictHandler } from "./replayed-packet.js";
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
  /** Worker threads (default: the number of cores); 1 runs the datapath in this thread. */
  workers?: number;
  /**
   * The script each worker thread runs (default: the package's dist/replay/replay-worker.js). Set it
   * when the package's files are not where this module runs from, e.g. in a bundled Node app.
   */
  workerScript?: URL | string;
  /** Where every packet enters (a capture taken at a pod or at a native device); pcap/pcapng only. */
  entry?: EntryPoint | null;
  /** Receives every replayed packet with its verdict, in input order. */
  onVerdict?: VerdictHandler;
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

/** The number of cores (Node); 1 where there are no worker threads. */
export async function defaultWorkerCount(): Promise<number> {
  // Taken at run time, not imported, so browser bundles need not resolve node:os.
  const os = typeof process === "undefined" ? undefined : process.getBuiltinModule?.("node:os");
  return os === undefined ? 1 : Math.min(MAX_WORKERS, os.availableParallelism());
}

/**
 * Streams a capture (or synthetic workload) through the emulated node and summarises the verdicts (what
 * `dpemu replay` runs).
 */
export async function replay(options: ReplayOptions): Promise<ReplayResult> {
  const started = performance.now();
  const workers = options.workers ?? (await defaultWorkerCount());
  if (!Number.isInteger(workers) || workers < 1 || workers > MAX_WORKERS) {
    throw new ReplayOptionError(`workers must be an integer from 1 to ${MAX_WORKERS}, got ${workers}`);
  }
  const capacity = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new ReplayOptionError(`batchSize must be a positive integer, got ${capacity}`);
  }
  const engine = {
    engine: options.engine ?? "wasm",
    seed: options.seed ?? 1,
    ...(options.algorithm ? { algorithm: options.algorithm } : {}),
  } as const;
  const shard = options.shard;
  if (shard !== undefined) checkShard(shard);
  // A shard holds the snapshot's CT and NAT entries of its flows only, as a worker does.
  const router = shard !== undefined ? new ShardRouter(shard.count, options.state) : null;
  const state = router !== null ? router.stateFor(options.state, shard!.index) : options.state;

  let stage: ReplayStage;
  if (workers === 1) {
    stage = new InProcessStage(await ReplayCore.create(state, engine), capacity, options.onVerdict);
  } else {
    // Loaded only here: worker_threads is Node's, and a one-worker replay needs none.
    const { WorkerStage } = await import("./worker-stage.js");
    stage = await WorkerStage.create({
      state,
      engine,
      workers,
      capacity,
      ...(options.workerScript !== undefined ? { workerScript: options.workerScript } : {}),
      ...(options.onVerdict
        ? {
            onVerdict: options.onVerdict,
            // Names backends and frontends for the verdict stream, following the churn in stream order.
            directory: await ReplayCore.create(state, { ...engine, engine: "reference" }),
          }
        : {}),
    });
  }

  const entry = options.entry ?? null;
  // CT garbage collection, decided here once for all workers: before the first packet, then before
  // the first packet whose clock reaches the previous collection + the interval (docs/datapath.md).
  const interval = state.node.gcIntervalSec;
  let gcStarted = false;
  let nextGc = 0;
  let packets = 0;
  let otherShards = 0;
  const onPacket = (packet: PacketRecord): void => {
    const now = packet.seconds >>> 0;
    // Every shard collects at the same points of the stream: decided before the shard filter.
    if (!gcStarted || now >= nextGc) {
      stage.gc(now);
      gcStarted = true;
      nextGc = (now + interval) >>> 0;
    }
    packets++;
    if (
      router !== null &&
      router.workerOf(packet.saddr >>> 0, packet.sport, packet.daddr >>> 0, packet.dport) !== shard!.index
    ) {
      otherShards++;
      return;
    }
    stage.push(packet, entry);
  };

  let read: ReadSummary;
  let inputError: CaptureFormatError | null = null;
  let aborted: { reason: unknown } | null = null;
  let format: CaptureFormat =
    options.format === "auto" || options.format === undefined ? "pcap" : options.format;
  const signal = options.signal;
  const stopIfAborted = (): void => {
    if (signal?.aborted) throw new ReadStopped(signal.reason);
  };
  let lastYield = performance.now();
  try {
    try {
      stopIfAborted();
      read = await readCapture(options.source, onPacket, {
        format: options.format ?? "auto",
        ...(options.sourceName !== undefined ? { sourceName: options.sourceName } : {}),
        onFormat: (detected) => {
          format = detected;
          if (entry !== null && format !== "pcap" && format !== "pcapng") {
            throw new ReplayOptionError(
              `an entry point (--from-pod/--from-netdev) applies to pcap and pcapng captures; ${format === "hubble" ? "Hubble flows carry their own direction" : "a synthetic spec sets clients.entry"}`,
            );
          }
        },
        onChurn: (event) => {
          const command = churnCommand(event);
          if (command.action === "add") router?.addBackend(command.address, command.port);
          stage.churn(command);
        },
        packetsPerChunk: SYNTHETIC_CHUNK,
        afterChunk: async (progress) => {
          stopIfAborted();
          await stage.drain();
          await options.onProgress?.({ format, progress, packets });
          if (signal !== undefined && performance.now() - lastYield >= YIELD_EVERY_MS) {
            await yieldToEventLoop();
            lastYield = performance.now();
          }
          stopIfAborted();
        },
      });
    } catch (error) {
      if (error instanceof ReadStopped) {
        aborted = { reason: error.reason };
        // Stopped before the format was known: nothing was read.
        read = error.summary ?? createReadSummary(format);
      } else {
        if (!(error instanceof CaptureFormatError) || error.summary === undefined) throw error;
        inputError = error;
        read = error.summary;
      }
    }
    const result = await stage.finish();
    const summary = buildReplaySummary({
      read,
      counts: result.counts,
      stats: result.stats,
      backends: result.backends,
      state,
      workers,
      ...(shard !== undefined ? { shard: { ...shard, otherShards } } : {}),
      interrupted: aborted !== null,
      elapsedSeconds: (performance.now() - started) / 1000,
    });
    return { summary, inputError, aborted };
  } finally {
    await stage.close();
  }
}
