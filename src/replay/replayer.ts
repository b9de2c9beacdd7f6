// Replays an input (pcap, pcapng, Hubble JSON or a synthetic spec) through one node's emulated
// datapath: the reader's callbacks write packet records into batches (Wasm memory in-process, or a
// worker's transferable buffer), the datapath runs per batch, and verdict records are counted into
// the summary; a verdict stream is formatted only when asked for. The replay decides CT garbage
// collection times from the packet clock for every worker alike and applies synthetic churn between
// batches, so the summary is the same for any number of workers (docs/replay.md).
import type { DatapathState, LbAlgorithm } from "../engine/state.js";
import { formatIpv4 } from "../engine/verdict.js";
import type { EntryPoint, PacketRecord } from "../model/packet.js";
import type { ByteSource } from "../readers/byte-source.js";
import { CaptureFormatError } from "../readers/capture-error.js";
import { InProcessStage } from "./in-process-stage.js";
import { readCapture } from "./read-capture.js";
import type { CaptureFormat, ReadSummary } from "../readers/read-summary.js";
import { ReplayCore, type ChurnCommand } from "./replay-core.js";
import type { ReplayStage } from "./replay-stage.js";
import { buildReplaySummary, type ReplaySummary } from "./replay-summary.js";
import type { VerdictHandler } from "./replayed-packet.js";
import type { ChurnEvent } from "../synthetic/synthetic.js";
import { MAX_WORKERS } from "./shard-router.js";

/** Packets per datapath batch. */
export const DEFAULT_BATCH_SIZE = 4096;
/** Synthetic packets generated between two pauses of the reader (progress, back-pressure, churn). */
const SYNTHETIC_CHUNK = 16384;

export interface ReplayProgress {
  /** Input bytes consumed (synthetic input: packets generated). */
  progress: number;
  /** Packets read so far. */
  packets: number;
}

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
  /** Where every packet enters (a capture taken at a pod or at a native device); pcap/pcapng only. */
  entry?: EntryPoint | null;
  /** Receives every replayed packet with its verdict, in input order. */
  onVerdict?: VerdictHandler;
  /** Called after each input chunk (awaited: a slow consumer slows the replay down). */
  onProgress?: (progress: ReplayProgress) => void | Promise<void>;
  /** Packets per batch (default 4096). */
  batchSize?: number;
}

export interface ReplayResult {
  summary: ReplaySummary;
  /** Set when the input turned out corrupt or cut: the summary covers what was read before it. */
  inputError: CaptureFormatError | null;
}

/** A replay option the input does not allow (e.g. an entry point for Hubble flows). */
export class ReplayOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReplayOptionError";
  }
}

const PROTO_LABEL: Record<number, string> = { 6: "TCP", 17: "UDP", 132: "SCTP" };

function churnCommand(event: ChurnEvent): ChurnCommand {
  const s = event.service;
  return {
    action: event.action,
    service: `${formatIpv4(s.address)}:${s.port}/${PROTO_LABEL[s.proto] ?? s.proto}`,
    address: event.backend.address >>> 0,
    port: event.backend.port,
  };
}

/** The number of cores (Node); 1 where there are no worker threads. */
export async function defaultWorkerCount(): Promise<number> {
  // Taken at run time, not imported, so browser bundles need not resolve node:os.
  const os = typeof process === "undefined" ? undefined : process.getBuiltinModule?.("node:os");
  return os === undefined ? 1 : Math.min(MAX_WORKERS, os.availableParallelism());
}

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
  const state = options.state;

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
  const onPacket = (packet: PacketRecord): void => {
    const now = packet.seconds >>> 0;
    if (!gcStarted || now >= nextGc) {
      stage.gc(now);
      gcStarted = true;
      nextGc = (now + interval) >>> 0;
    }
    packets++;
    stage.push(packet, entry);
  };

  let read: ReadSummary;
  let inputError: CaptureFormatError | null = null;
  try {
    try {
      read = await readCapture(options.source, onPacket, {
        format: options.format ?? "auto",
        ...(options.sourceName !== undefined ? { sourceName: options.sourceName } : {}),
        onFormat: (format) => {
          if (entry !== null && format !== "pcap" && format !== "pcapng") {
            throw new ReplayOptionError(
              `an entry point (--from-pod/--from-netdev) applies to pcap and pcapng captures; ${format === "hubble" ? "Hubble flows carry their own direction" : "a synthetic spec sets clients.entry"}`,
            );
          }
        },
        onChurn: (event) => stage.churn(churnCommand(event)),
        packetsPerChunk: SYNTHETIC_CHUNK,
        afterChunk: async (progress) => {
          await stage.drain();
          await options.onProgress?.({ progress, packets });
        },
      });
    } catch (error) {
      if (!(error instanceof CaptureFormatError) || error.summary === undefined) throw error;
      inputError = error;
      read = error.summary;
    }
    const result = await stage.finish();
    const summary = buildReplaySummary({
      read,
      counts: result.counts,
      stats: result.stats,
      backends: result.backends,
      state,
      elapsedSeconds: (performance.now() - started) / 1000,
    });
    return { summary, inputError };
  } finally {
    await stage.close();
  }
}
