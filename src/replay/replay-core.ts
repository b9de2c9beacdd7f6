// The part of a replay that sits next to a datapath (in the main thread, or in each worker): it
// takes batches of packet records, pairs synthetic replies with their requests, runs the datapath
// over the batch (cut only where a reply needs a verdict not yet computed), counts the verdict
// records into the running totals, and applies garbage collection and backend churn between batches.
import { Datapath, type DatapathStats } from "../datapath/datapath.js";
import type { DatapathState, LbAlgorithm } from "../engine/state.js";
import { createBatchRunner, type BatchRunner } from "./batch-runner.js";
import { ConnectionTable } from "./connection-table.js";
import { PacketBatch, PacketKind, PacketStatus } from "./packet-batch.js";
import type { WasmInstance } from "../wasm/module.js";
import { ReplayTally, type ReplayCounts } from "./replay-totals.js";
import { InvalidInputError } from "../model/errors.js";
import { formatIPv4 } from "../model/ipv4.js";

export interface ReplayEngineOptions {
  /** "wasm" (default) or the TypeScript reference pipeline. */
  engine?: "wasm" | "reference";
  algorithm?: LbAlgorithm;
  /** PRNG seed (default 1). */
  seed?: number;
}

/** A synthetic backend change, as the replay applies it. */
export interface ChurnCommand {
  action: "add" | "remove";
  /** "IP:PORT/PROTO". */
  service: string;
  address: number;
  port: number;
}

/** A backend known to the datapath when the replay ended. */
export interface BackendLabel {
  id: number;
  address: number;
  port: number;
  proto: number;
}

/** What a core hands back at the end. */
export interface CoreResult {
  counts: ReplayCounts;
  stats: DatapathStats;
  backends: BackendLabel[];
}

/** Raised when a churn event cannot be applied (the spec names a backend the service lacks...). */
export class ChurnError extends InvalidInputError {
  constructor(message: string) {
    super(message);
    this.name = "ChurnError";
  }
}

export class ReplayCore {
  readonly tally = new ReplayTally();
  private readonly runner: BatchRunner;
  private readonly connections: ConnectionTable;
  /** Stream position of the first packet of the next batch. */
  private position = 0;
  /** Backend IDs churn gave out (the snapshot's are in the state). */
  private readonly addedBackends = new Set<number>();

  private constructor(readonly datapath: Datapath) {
    this.runner = createBatchRunner(datapath);
    this.connections = new ConnectionTable();
  }

  /**
   * One emulated node for a replay. Random choices are seeded per packet (randomPerFlow), so they do
   * not depend on how the packets are spread over workers.
   */
  static async create(
    state: DatapathState,
    options: ReplayEngineOptions = {},
    wasm?: WasmInstance,
  ): Promise<ReplayCore> {
    const datapath = await Datapath.create(state, {
      ...(wasm ? { wasm } : {}),
      engine: options.engine ?? "wasm",
      seed: options.seed ?? 1,
      randomPerFlow: true,
      ...(options.algorithm ? { algorithm: options.algorithm } : {}),
    });
    return new ReplayCore(datapath);
  }

  /** A batch to fill in this thread; call prepare() before each fill. */
  createBatch(capacity: number): PacketBatch {
    const batch = new PacketBatch(capacity);
    this.prepare(batch);
    return batch;
  }

  /** Empties a batch created by createBatch and points it at fresh room for records. */
  prepare(batch: PacketBatch): void {
    batch.count = 0;
    this.runner.bind(batch, true);
  }

  /** Runs every packet of the batch through the datapath and counts the verdicts. */
  process(batch: PacketBatch): void {
    const n = batch.count;
    const base = this.position;
    const table = this.connections;
    let start = 0;
    for (let i = 0; i < n; i++) {
      const kind = batch.kind[i]!;
      if (kind === PacketKind.SyntheticRequest) {
        table.noteRequest(batch.slot[i]!, batch.connection[i]!, base + i);
      } else if (kind === PacketKind.SyntheticReply) {
        const slot = batch.slot[i]!;
        const connection = batch.connection[i]!;
        if (table.mustWait(slot, connection, base + start)) {
          this.run(batch, start, i);
          start = i;
        }
        const result = table.substitute(slot, connection, batch.records, batch.recordAt(i));
        if (result !== "substituted") {
          // Nothing answers: the reply is left out of the datapath (and counted as skipped).
          this.run(batch, start, i);
          start = i + 1;
          batch.status[i] =
            result === "request-dropped"
              ? PacketStatus.SkippedReplyToDrop
              : PacketStatus.SkippedUnpairedReply;
        }
      }
    }
    this.run(batch, start, n);
    this.position += n;
    this.tally.count(batch, 0, n);
  }

  private run(batch: PacketBatch, from: number, to: number): void {
    if (from === to) return;
    this.runner.run(batch, from, to);
    for (let i = from; i < to; i++) {
      if (batch.kind[i] === PacketKind.SyntheticRequest) {
        this.connections.noteVerdict(
          batch.slot[i]!,
          batch.connection[i]!,
          batch.verdicts,
          batch.verdictAt(i),
        );
      }
    }
  }

  /** CT garbage collection at `now` (the replay decides when, for every worker alike). */
  gc(now: number): void {
    this.datapath.gc(now);
    // Collected CT entries can make a flow select anew: replies wait for their request's verdict.
    this.connections.invalidate();
  }

  /** Applies a backend change; the caller re-prepares in-process batches afterwards. */
  async churn(command: ChurnCommand): Promise<void> {
    const dp = this.datapath;
    try {
      if (command.action === "add") {
        this.addedBackends.add(
          await dp.addBackend(command.service, { address: command.address, port: command.port }),
        );
      } else {
        const id = dp.serviceBackends(command.service).find((candidate) => {
          const b = dp.backend(candidate);
          return b !== undefined && b.address === command.address && b.port === command.port;
        });
        if (id === undefined) {
          throw new Error(
            `${formatIPv4(command.address)}:${command.port} is not a backend of ${command.service}`,
          );
        }
        await dp.removeBackend(command.service, id);
      }
    } catch (error) {
      throw new ChurnError(
        `cannot ${command.action} backend ${formatIPv4(command.address)}:${command.port} ` +
          `${command.action === "add" ? "to" : "from"} ${command.service}: ${(error as Error).message}`,
      );
    }
    this.connections.invalidate();
  }

  /** Final counts, map occupancy and the backends known now. */
  finish(): CoreResult {
    const ids = new Set([...this.datapath.state.backends.map((b) => b.id), ...this.addedBackends]);
    const backends: BackendLabel[] = [];
    for (const id of [...ids].sort((a, b) => a - b)) {
      const b = this.datapath.backend(id);
      if (b) backends.push({ id: b.id, address: b.address, port: b.port, proto: b.proto });
    }
    return { counts: this.tally.toCounts(), stats: this.datapath.stats(), backends };
  }

  dispose(): void {
    this.datapath.dispose();
  }
}
