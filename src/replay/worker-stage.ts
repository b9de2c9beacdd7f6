// The replay's datapath stage over worker threads: the main thread reads and shards (ShardRouter),
// each worker owns a whole emulated node. A worker's packets fill its own batch in the main thread;
// full batches (and, at every input chunk, partial ones) are transferred to it and come back with
// their verdict records. Garbage collection and churn are broadcast between batches, so every worker
// sees them at the same point of the packet stream. When a verdict stream is wanted, a log of which
// worker got each packet puts the verdicts back in input order.
import type { Worker } from "node:worker_threads";
import type { DatapathStats } from "../datapath/datapath.js";
import type { DatapathState } from "../engine/state.js";
import type { EntryPoint, PacketRecord } from "../model/packet.js";
import { PacketBatch } from "./packet-batch.js";
import { ChurnError, type ChurnCommand, type CoreResult, type ReplayCore } from "./replay-core.js";
import type { ReplayEngineOptions } from "./replay-core.js";
import type { ReplayStage } from "./replay-stage.js";
import { mergeReplayCounts } from "./replay-totals.js";
import { ReplayedPacketReader, type VerdictHandler } from "./replayed-packet.js";
import { ShardRouter } from "./shard-router.js";
import { compiledDefaultModule } from "../wasm/module.js";
import type { VerdictSink } from "./verdict-sink.js";
import type { FromWorker, ToWorker, WorkerInit } from "./worker-protocol.js";

/** Batches a worker may hold (queued, running, or waiting to be printed) before the reader pauses. */
const MAX_OUTSTANDING = 4;
/** Route log value of a churn event (worker indexes are below it). */
const CHURN_MARK = 255;

interface Lane {
  readonly worker: Worker;
  current: PacketBatch;
  readonly free: PacketBatch[];
  outstanding: number;
  /** Returned batches waiting to be printed, and the next packet of the first one. */
  readonly returned: PacketBatch[];
  cursor: number;
  result: CoreResult | null;
}

export interface WorkerStageOptions {
  state: DatapathState;
  engine: ReplayEngineOptions;
  workers: number;
  capacity: number;
  onVerdict?: VerdictHandler;
  verdictSink?: VerdictSink;
  /** For the verdict stream: a node that follows the churn, to name backends and frontends. */
  directory?: ReplayCore;
  /** The worker script (default: the package's replay-worker.js next to this module). */
  workerScript?: URL | string;
}

/**
 * Worker threads, taken at run time rather than imported, so a browser bundle of the package does
 * not have to resolve a Node module it never runs (workers are only started under Node).
 */
function workerThreads(): typeof import("node:worker_threads") {
  const threads =
    typeof process === "undefined" ? undefined : process.getBuiltinModule?.("node:worker_threads");
  if (threads === undefined)
    throw new Error("replay workers need Node's worker_threads; use workers: 1 here");
  return threads;
}

/**
 * The compiled worker script next to this module in the package. A Node script, never a browser
 * asset: named through a constant so bundlers do not pick `new URL(..., import.meta.url)` up.
 */
const WORKER_SCRIPT = "./replay-worker.js";

function startWorker(script: URL | string | undefined, workerData: WorkerInit): Worker {
  const { Worker } = workerThreads();
  return new Worker(script ?? new URL(WORKER_SCRIPT, import.meta.url), { workerData });
}

export class WorkerStage implements ReplayStage {
  private readonly lanes: Lane[];
  private readonly router: ShardRouter;
  private readonly reader: ReplayedPacketReader | null;
  /** Whether packets are logged to put their verdicts back in input order. */
  private readonly streamed: boolean;
  private routeLog = new Uint8Array(1 << 16);
  private head = 0;
  private tail = 0;
  private readonly churnLog: ChurnCommand[] = [];
  private printing = false;
  private failure: Error | null = null;
  private waiters: (() => void)[] = [];

  private constructor(
    private readonly options: WorkerStageOptions,
    workers: Worker[],
  ) {
    this.router = new ShardRouter(options.workers, options.state);
    this.reader = options.onVerdict ? new ReplayedPacketReader() : null;
    this.streamed = options.onVerdict !== undefined || options.verdictSink !== undefined;
    this.lanes = workers.map((worker) => ({
      worker,
      current: new PacketBatch(options.capacity),
      free: [],
      outstanding: 0,
      returned: [],
      cursor: 0,
      result: null,
    }));
    this.lanes.forEach((lane, i) => {
      lane.worker.on("message", (message: FromWorker) => this.receive(i, message));
      lane.worker.on("error", (error) => this.fail(new Error(`replay worker ${i}: ${error.message}`)));
      lane.worker.on("exit", (code) => {
        if (lane.result === null) this.fail(new Error(`replay worker ${i} exited (code ${code})`));
      });
    });
  }

  /** Starts the workers, each with its share of the snapshot's CT and NAT entries. */
  static async create(options: WorkerStageOptions): Promise<WorkerStage> {
    const router = new ShardRouter(options.workers, options.state);
    const wasm = options.engine.engine === "reference" ? undefined : await compiledDefaultModule();
    const workers: Worker[] = [];
    const ready: Promise<void>[] = [];
    for (let i = 0; i < options.workers; i++) {
      const init: WorkerInit = {
        state: router.stateFor(options.state, i),
        engine: options.engine,
        ...(wasm !== undefined ? { wasm } : {}),
      };
      const worker = startWorker(options.workerScript, init);
      workers.push(worker);
      ready.push(
        new Promise<void>((resolve, reject) => {
          const onMessage = (message: FromWorker) => {
            if (message.type === "ready") resolve();
            else if (message.type === "error") reject(new Error(`replay worker ${i}: ${message.message}`));
            else return;
            worker.off("message", onMessage);
          };
          worker.on("message", onMessage);
          worker.once("error", reject);
        }),
      );
    }
    try {
      await Promise.all(ready);
    } catch (error) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw error;
    }
    return new WorkerStage(options, workers);
  }

  push(packet: PacketRecord, entry: EntryPoint | null): void {
    const w = this.router.workerOf(packet.saddr >>> 0, packet.sport, packet.daddr >>> 0, packet.dport);
    const lane = this.lanes[w]!;
    lane.current.push(packet, entry);
    if (this.streamed) this.log(w);
    if (lane.current.full) this.send(lane);
  }

  gc(now: number): void {
    this.flush();
    this.broadcast({ type: "gc", now });
  }

  churn(command: ChurnCommand): void {
    this.flush();
    this.broadcast({ type: "churn", command });
    if (command.action === "add") this.router.addBackend(command.address, command.port);
    if (this.streamed) {
      this.churnLog.push(command);
      this.log(CHURN_MARK);
    }
  }

  async drain(): Promise<void> {
    this.flush();
    await this.until(() => this.lanes.every((lane) => lane.outstanding <= MAX_OUTSTANDING));
  }

  async finish(): Promise<CoreResult> {
    this.flush();
    this.broadcast({ type: "finish" });
    await this.until(
      () => this.lanes.every((lane) => lane.result !== null) && (!this.streamed || this.head === this.tail),
    );
    const results = this.lanes.map((lane) => lane.result!);
    const counts = results.map((r) => r.counts).reduce(mergeReplayCounts);
    return { counts, stats: mergeStats(results.map((r) => r.stats)), backends: results[0]!.backends };
  }

  async close(): Promise<void> {
    await Promise.all(this.lanes.map((lane) => lane.worker.terminate()));
    this.options.directory?.dispose();
  }

  private flush(): void {
    for (const lane of this.lanes) if (lane.current.count > 0) this.send(lane);
  }

  private send(lane: Lane): void {
    const batch = lane.current;
    const message: ToWorker = {
      type: "batch",
      buffer: batch.buffer,
      capacity: batch.capacity,
      count: batch.count,
    };
    lane.worker.postMessage(message, [batch.buffer]);
    lane.outstanding++;
    const next = lane.free.pop() ?? new PacketBatch(this.options.capacity);
    next.count = 0;
    lane.current = next;
  }

  private broadcast(message: ToWorker): void {
    for (const lane of this.lanes) lane.worker.postMessage(message);
  }

  private receive(w: number, message: FromWorker): void {
    const lane = this.lanes[w]!;
    switch (message.type) {
      case "batch": {
        const batch = new PacketBatch(message.capacity, message.buffer);
        batch.count = message.count;
        if (this.streamed) {
          lane.returned.push(batch);
          void this.print();
        } else {
          lane.outstanding--;
          lane.free.push(batch);
        }
        break;
      }
      case "result":
        lane.result = message.result;
        break;
      case "error":
        this.fail(
          message.churn
            ? new ChurnError(message.message)
            : new Error(`replay worker ${w}: ${message.message}`),
        );
        break;
      case "ready":
        break;
    }
    this.notify();
  }

  /** Prints returned verdicts in input order, as far as every worker has returned them. */
  private async print(): Promise<void> {
    if (this.printing) return;
    this.printing = true;
    try {
      while (this.head < this.tail) {
        const w = this.routeLog[this.head]!;
        if (w === CHURN_MARK) {
          this.head++;
          await this.options.directory!.churn(this.churnLog.shift()!);
          this.options.verdictSink?.directoryChanged();
          continue;
        }
        if (!this.printRun(this.lanes[w]!, w)) break;
      }
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.printing = false;
      this.notify();
    }
  }

  /**
   * Prints the run of packets from the head of the route log that went to lane `w` and sit in its
   * first returned batch; false when that batch is not back yet.
   */
  private printRun(lane: Lane, w: number): boolean {
    const batch = lane.returned[0];
    if (batch === undefined) return false;
    const from = lane.cursor;
    let to = from + 1;
    while (
      to < batch.count &&
      this.head + (to - from) < this.tail &&
      this.routeLog[this.head + (to - from)] === w
    )
      to++;
    const directory = this.options.directory!.datapath;
    const onVerdict = this.options.onVerdict;
    if (onVerdict) {
      for (let i = from; i < to; i++) {
        const replayed = this.reader!.read(batch, i);
        if (replayed) onVerdict(replayed, directory);
      }
    }
    this.options.verdictSink?.take(batch, from, to, directory);
    this.head += to - from;
    lane.cursor = to;
    if (to === batch.count) {
      lane.returned.shift();
      lane.cursor = 0;
      lane.outstanding--;
      lane.free.push(batch);
    }
    return true;
  }

  private log(value: number): void {
    if (this.tail === this.routeLog.length) {
      if (this.head > this.routeLog.length / 2) {
        this.routeLog.copyWithin(0, this.head, this.tail);
      } else {
        const bigger = new Uint8Array(this.routeLog.length * 2);
        bigger.set(this.routeLog.subarray(this.head, this.tail));
        this.routeLog = bigger;
      }
      this.tail -= this.head;
      this.head = 0;
    }
    this.routeLog[this.tail++] = value;
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.notify();
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private async until(condition: () => boolean): Promise<void> {
    for (;;) {
      if (this.failure) throw this.failure;
      if (condition()) return;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }
}

/** Sums the workers' map occupancy and counters; capacities and GC runs are the same in each. */
function mergeStats(all: DatapathStats[]): DatapathStats {
  const out = structuredClone(all[0]!);
  for (const s of all.slice(1)) {
    out.ct.tcp += s.ct.tcp;
    out.ct.any += s.ct.any;
    out.ct.evictions += s.ct.evictions;
    out.nat.entries += s.nat.entries;
    out.nat.evictions += s.nat.evictions;
    out.affinity.entries += s.affinity.entries;
    out.packets += s.packets;
    out.forwarded += s.forwarded;
    out.dropped += s.dropped;
    out.gc.ctDeleted += s.gc.ctDeleted;
    out.gc.natDeleted += s.gc.natDeleted;
  }
  return out;
}
