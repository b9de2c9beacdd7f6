// The replay's datapath stage over worker threads, as a pipeline: the main thread reads, decodes and
// shards (ShardRouter), each worker owns a whole emulated node, and between them each worker has a
// shared ring of packet batches (batch-ring.ts). The main thread writes a packet's record straight
// into the free slot of its worker's ring and publishes a full batch (and, at every input chunk, a
// partial one); the worker runs it and leaves the verdict records in the slot, where the main thread
// counts or prints them before handing the slot back. Garbage collection and churn are ring entries
// of every worker, so every worker sees them at the same point of the packet stream. When a verdict
// stream is wanted, a log of which worker got each packet puts the verdicts back in input order.
// A full ring does not block the reader: the batch waits in host memory (the backlog) and is copied
// into a slot at the next pause of the reader, where the stage waits until every backlog is in.
import type { MessagePort, Worker } from "node:worker_threads";
import type { DatapathStats } from "../datapath/datapath.js";
import type { DatapathState } from "../engine/state.js";
import type { EntryPoint, PacketRecord } from "../model/packet.js";
import { BatchRing, EntryKind, RING_SLOTS, createRingMemory, doneMoved } from "./batch-ring.js";
import { PacketBatch } from "./packet-batch.js";
import { ChurnError, type ChurnCommand, type CoreResult, type ReplayCore } from "./replay-core.js";
import type { ReplayEngineOptions } from "./replay-core.js";
import type { ReplayStage } from "./replay-stage.js";
import { mergeReplayCounts } from "./replay-totals.js";
import { ReplayedPacketReader, type VerdictHandler } from "./replayed-packet.js";
import { ShardRouter } from "./shard-router.js";
import { compiledDefaultModule } from "../wasm/module.js";
import type { VerdictSink } from "./verdict-sink.js";
import { Wakeup } from "./wakeup.js";
import type { FromWorker, RingCommand, WorkerInit } from "./worker-protocol.js";

/** Route log value of a churn event (worker indexes are below it). */
const CHURN_MARK = 255;
/** Longest wait for a worker before the stage looks at everything again (messages, other rings). */
const WAIT_MS = 200;

/** What waits for a free slot of a full ring, in order. */
type Pending = { batch: PacketBatch } | { command: RingCommand };

interface Lane {
  readonly worker: Worker;
  readonly ring: BatchRing;
  readonly commands: MessagePort;
  /** Position of the next entry to publish; entries in [released, next) are the worker's or unprinted. */
  next: number;
  released: number;
  /** The batch being filled: the free slot at `next`, or a host batch when the ring was full. */
  current: PacketBatch | null;
  readonly backlog: Pending[];
  /** Host batches to fill again. */
  readonly spare: PacketBatch[];
  /** The next packet to print of the batch at `released`. */
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
  /** The worker script (default: the package's bundled dist/bin/replay-worker.js). */
  workerScript?: URL | string;
}

/**
 * Worker threads, taken at run time rather than imported, so a browser bundle of the package does
 * not have to resolve a Node module it never runs (workers are only started under Node).
 */
export function workerThreads(): typeof import("node:worker_threads") {
  const threads =
    typeof process === "undefined" ? undefined : process.getBuiltinModule?.("node:worker_threads");
  if (threads === undefined)
    throw new Error("replay workers need Node's worker_threads; use workers: 1 here");
  return threads;
}

/**
 * The worker script as `npm run build` bundles it, dist/bin/replay-worker.js: one file, so a worker
 * starts ~0.25 s sooner than from the module tree beside this one (dist/replay/replay-worker.js). The
 * same relative path holds from the bundled CLI in dist/bin/. A Node script, never a browser asset:
 * named through a constant so bundlers do not pick `new URL(..., import.meta.url)` up.
 */
const WORKER_SCRIPT = "../bin/replay-worker.js";

interface Started {
  worker: Worker;
  ring: BatchRing;
  commands: MessagePort;
}

function startWorker(
  script: URL | string | undefined,
  init: Omit<WorkerInit, "ring" | "commands">,
  capacity: number,
): Started {
  const { Worker, MessageChannel } = workerThreads();
  const memory = createRingMemory(capacity);
  const channel = new MessageChannel();
  const workerData: WorkerInit = { ...init, ring: memory, commands: channel.port2 };
  const worker = new Worker(script ?? new URL(WORKER_SCRIPT, import.meta.url), {
    workerData,
    transferList: [channel.port2],
  });
  return { worker, ring: new BatchRing(memory), commands: channel.port1 };
}

/** Resolves when the worker is ready; rejects with its start-up error. */
function ready(worker: Worker, i: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onMessage = (message: FromWorker) => {
      if (message.type === "ready") resolve();
      else if (message.type === "error") reject(new Error(`replay worker ${i}: ${message.message}`));
      else return;
      worker.off("message", onMessage);
    };
    worker.on("message", onMessage);
    worker.once("error", reject);
  });
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
  private failure: Error | null = null;
  /** Wakes when a message from a worker arrives (a result, an error). */
  private readonly message = new Wakeup();

  private constructor(
    private readonly options: WorkerStageOptions,
    started: Started[],
  ) {
    this.router = new ShardRouter(options.workers, options.state);
    this.reader = options.onVerdict ? new ReplayedPacketReader() : null;
    this.streamed = options.onVerdict !== undefined || options.verdictSink !== undefined;
    this.lanes = started.map(({ worker, ring, commands }) => ({
      worker,
      ring,
      commands,
      next: 0,
      released: 0,
      current: null,
      backlog: [],
      spare: [],
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
    const started: Started[] = [];
    for (let i = 0; i < options.workers; i++) {
      const init = {
        state: router.stateFor(options.state, i),
        engine: options.engine,
        ...(wasm !== undefined ? { wasm } : {}),
      };
      started.push(startWorker(options.workerScript, init, options.capacity));
    }
    try {
      await Promise.all(started.map(({ worker }, i) => ready(worker, i)));
    } catch (error) {
      await Promise.all(started.map(({ worker }) => worker.terminate()));
      throw error;
    }
    return new WorkerStage(options, started);
  }

  push(packet: PacketRecord, entry: EntryPoint | null): void {
    const w = this.router.workerOf(packet.saddr >>> 0, packet.sport, packet.daddr >>> 0, packet.dport);
    const lane = this.lanes[w]!;
    const batch = lane.current ?? this.open(lane);
    batch.push(packet, entry);
    if (this.streamed) this.log(w);
    if (batch.full) this.cut(lane);
  }

  gc(now: number): void {
    this.flush();
    for (const lane of this.lanes) this.command(lane, { type: "gc", now });
  }

  churn(command: ChurnCommand): void {
    this.flush();
    for (const lane of this.lanes) this.command(lane, { type: "churn", command });
    if (command.action === "add") this.router.addBackend(command.address, command.port);
    if (this.streamed) {
      this.churnLog.push(command);
      this.log(CHURN_MARK);
    }
  }

  async drain(): Promise<void> {
    this.flush();
    await this.settle(() => this.lanes.every((lane) => lane.backlog.length === 0));
  }

  async finish(): Promise<CoreResult> {
    this.flush();
    for (const lane of this.lanes) this.command(lane, { type: "finish" });
    await this.settle(
      () => this.lanes.every((lane) => lane.result !== null) && (!this.streamed || this.head === this.tail),
    );
    const results = this.lanes.map((lane) => lane.result!);
    const counts = results.map((r) => r.counts).reduce(mergeReplayCounts);
    return { counts, stats: mergeStats(results.map((r) => r.stats)), backends: results[0]!.backends };
  }

  async close(): Promise<void> {
    await Promise.all(this.lanes.map((lane) => lane.worker.terminate()));
    for (const lane of this.lanes) lane.commands.close();
    this.options.directory?.dispose();
  }

  /** A batch to fill for the lane: its ring's next slot when free (and nothing waits), else host memory. */
  private open(lane: Lane): PacketBatch {
    this.reclaim(lane);
    const batch =
      lane.backlog.length === 0 && lane.next - lane.released < RING_SLOTS
        ? lane.ring.slotOf(lane.next)
        : (lane.spare.pop() ?? new PacketBatch(this.options.capacity));
    batch.count = 0;
    lane.current = batch;
    return batch;
  }

  /** Ends the lane's batch: published in its slot, or queued behind the backlog. */
  private cut(lane: Lane): void {
    const batch = lane.current;
    if (batch === null || batch.count === 0) return;
    lane.current = null;
    if (lane.ring.holds(batch)) this.publish(lane, EntryKind.Batch, batch.count);
    else lane.backlog.push({ batch });
  }

  private flush(): void {
    for (const lane of this.lanes) this.cut(lane);
  }

  /** Publishes a command entry (its content on the command port first), or queues it. */
  private command(lane: Lane, command: RingCommand): void {
    this.reclaim(lane);
    if (lane.backlog.length > 0 || lane.next - lane.released >= RING_SLOTS) {
      lane.backlog.push({ command });
      return;
    }
    lane.commands.postMessage(command);
    this.publish(lane, EntryKind.Command, 0);
  }

  private publish(lane: Lane, kind: number, count: number): void {
    lane.ring.publish(lane.next, kind, count);
    lane.next++;
  }

  /** Moves what the lane's backlog holds into free slots, in order (a batch is copied in whole). */
  private moveBacklog(lane: Lane): void {
    while (lane.backlog.length > 0 && lane.next - lane.released < RING_SLOTS) {
      const pending = lane.backlog.shift()!;
      if ("command" in pending) {
        lane.commands.postMessage(pending.command);
        this.publish(lane, EntryKind.Command, 0);
        continue;
      }
      const host = pending.batch;
      lane.ring.slotOf(lane.next).copyFrom(host);
      this.publish(lane, EntryKind.Batch, host.count);
      lane.spare.push(host);
    }
  }

  /**
   * Hands back the slots whose entries the worker has done and nobody needs any more: every one
   * without a verdict stream, else the commands (batches go once printed).
   */
  private reclaim(lane: Lane): void {
    const done = lane.ring.done;
    if (!this.streamed) {
      lane.released = done;
      return;
    }
    this.printReady();
  }

  /** Everything that can move without waiting: slots handed back, backlogs in, verdicts printed. */
  private pump(): void {
    for (const lane of this.lanes) {
      this.reclaim(lane);
      this.moveBacklog(lane);
    }
  }

  /** Waits until `condition` holds, moving the pipeline on as the workers progress. */
  private async settle(condition: () => boolean): Promise<void> {
    for (;;) {
      this.pump();
      if (this.streamed) await this.printChurn();
      if (this.failure) throw this.failure;
      if (condition()) return;
      await this.progress();
    }
  }

  /** Resolves when a worker finishes an entry or sends a message (or after WAIT_MS). */
  private progress(): Promise<unknown> {
    const waits: Promise<unknown>[] = [this.message.next];
    for (const lane of this.lanes) {
      const seen = lane.ring.done;
      if (seen === lane.next) continue;
      const moved = doneMoved(lane.ring, seen, WAIT_MS);
      if (moved === null) return Promise.resolve();
      waits.push(moved);
    }
    if (waits.length === 1) waits.push(new Promise((resolve) => setTimeout(resolve, WAIT_MS)));
    return Promise.race(waits);
  }

  private receive(w: number, message: FromWorker): void {
    const lane = this.lanes[w]!;
    if (message.type === "result") lane.result = message.result;
    else if (message.type === "error") {
      this.fail(
        message.churn ? new ChurnError(message.message) : new Error(`replay worker ${w}: ${message.message}`),
      );
    }
    this.message.wake();
  }

  /** Prints verdicts in input order as far as the workers have done them, up to a churn event. */
  private printReady(): void {
    while (this.head < this.tail) {
      const w = this.routeLog[this.head]!;
      if (w === CHURN_MARK || !this.printRun(this.lanes[w]!, w)) return;
    }
  }

  /** Applies the churn events the stream has reached to the directory, printing on after each. */
  private async printChurn(): Promise<void> {
    this.printReady();
    while (this.head < this.tail && this.routeLog[this.head] === CHURN_MARK) {
      this.head++;
      await this.options.directory!.churn(this.churnLog.shift()!);
      this.options.verdictSink?.directoryChanged();
      this.printReady();
    }
  }

  /**
   * Prints the run of packets from the head of the route log that went to lane `w` and sit in its
   * oldest unprinted batch; false when the worker has not done that batch yet.
   */
  private printRun(lane: Lane, w: number): boolean {
    const ring = lane.ring;
    const done = ring.done;
    while (lane.released < done && ring.kindOf(lane.released) === EntryKind.Command) lane.released++;
    if (lane.released >= done) return false;
    const batch = ring.slotOf(lane.released);
    const count = ring.countOf(lane.released);
    batch.count = count;
    const from = lane.cursor;
    let to = from + 1;
    while (to < count && this.head + (to - from) < this.tail && this.routeLog[this.head + (to - from)] === w)
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
    if (to === count) {
      lane.released++;
      lane.cursor = 0;
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
    this.message.wake();
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
