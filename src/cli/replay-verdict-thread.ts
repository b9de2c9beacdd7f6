// `dpemu replay --verdicts` with the lines formatted on a thread of their own, pipelined behind the
// replay: in take(), the main thread only copies the processed packets' records and side data into
// a slot of a shared ring (batch-ring.ts) and goes on; the formatter thread
// (verdict-format-worker.ts) formats each slot with the stream's line writers into 1 MiB chunks and
// posts them back (transferred), and the main thread writes them in order (replay-chunk-writer.ts).
// A one-worker replay then costs about the larger of the replay's and the formatter's time per
// packet rather than their sum. The names JSON lines take from the datapath travel in the ring as a
// table (directory-table.ts), at the start and after each churn event, in their place in the stream.
//
// The main thread waits (Atomics.wait) for a free slot when the formatter is RING_SLOTS entries
// behind; that wait always ends, since the formatter needs nothing from the main thread to finish an
// entry (see verdict-format-worker.ts). Back-pressure is at the replay's pauses, in drain().
import type { MessagePort, Worker } from "node:worker_threads";
import type { Datapath } from "../datapath/datapath.js";
import { BatchRing, DONE, EntryKind, RING_SLOTS, createRingMemory } from "../replay/batch-ring.js";
import type { PacketBatch } from "../replay/packet-batch.js";
import { DEFAULT_BATCH_SIZE, availableCores } from "../replay/replayer.js";
import { directoryTable } from "../replay/verdicts/directory-table.js";
import { workerThreads } from "../replay/worker-stage.js";
import type { OutputStream } from "./output.js";
import { ChunkWriter, HIGH_WATER } from "./replay-chunk-writer.js";
import { CHUNK_BYTES } from "./replay-line-chunks.js";
import type { VerdictLineFormat } from "./replay-verdict-lines.js";
import type { VerdictOutput } from "./replay-verdict-stream.js";
import { Wakeup } from "../replay/wakeup.js";
import {
  POSTED,
  RUNNING,
  type FormatterCommand,
  type FormatterInit,
  type FromFormatter,
} from "./verdict-format-protocol.js";

/** The formatter script next to this module (named through a constant: see worker-stage.ts). */
const FORMATTER_SCRIPT = "./verdict-format-worker.js";
/** Longest single wait for a ring slot before looking at the formatter's state again. */
const WAIT_MS = 200;
/**
 * How long a full ring waits for a formatter that has not started running (its start takes about
 * 0.1 s): one that failed to load never does, and the main thread, blocked, cannot see its error.
 */
const START_TIMEOUT_MS = 30_000;

/**
 * Inputs smaller than this format their verdict lines in the replay's thread by default. The
 * formatter thread's start (a Node isolate and the line writers' modules: 0.1 s, most of it hidden
 * behind the main thread's own start) still adds 40 to 50 ms to a small replay's wall time (the
 * golden lab capture: 0.65 s in-thread, 0.70 s threaded, load 1.2); a one-worker replay of the
 * 1.12 M-packet, 134 MB lab capture to /dev/null saves 0.24 s with JSON lines (1.49 s to 1.25 s)
 * and 0.11 s with compact lines (1.30 s to 1.18 s), load 0.9 to 1.3, so about 215 and 100 ns per
 * packet: the thread pays off from roughly 200k (JSON) to 450k (compact) packets, 25 to 55 MB of a
 * pcap of small packets.
 */
export const SMALL_VERDICT_INPUT_BYTES = 32 << 20;

/**
 * Whether the CLI formats on a thread of its own by default: when a core is left beside the
 * replay's `replayThreads` busy threads (replayer.ts's replayThreads; with two workers on two
 * cores, a third busy thread made a JSON replay slower: 1.90 s to 2.12 s) and the input is not
 * known to be small (a pipe's size is unknown).
 */
export function formatterThreadPaysOff(inputBytes: number | null, replayThreads: number): boolean {
  if (inputBytes !== null && inputBytes < SMALL_VERDICT_INPUT_BYTES) return false;
  return replayThreads < availableCores();
}

export class VerdictThread implements VerdictOutput {
  private readonly ring: BatchRing;
  private readonly progress: Int32Array;
  private writer: ChunkWriter | null = null;
  /** Position of the next entry to publish. */
  private next = 0;
  /** The slot being filled (at `next`), if any. */
  private slot: PacketBatch | null = null;
  /** Whether the formatter needs the directory's names before the next packets. */
  private stale = true;
  private received = 0;
  private done = false;
  private closed = false;
  private failure: Error | null = null;
  /** Wakes when a message from the formatter arrives. */
  private readonly message = new Wakeup();

  private constructor(
    private readonly worker: Worker,
    init: FormatterInit,
    private readonly commands: MessagePort,
    private readonly spares: MessagePort,
  ) {
    this.ring = new BatchRing(init.ring);
    this.progress = new Int32Array(init.progress);
    worker.on("message", (message: FromFormatter) => this.receive(message));
    worker.on("error", (error) => this.fail(new Error(`verdict formatter: ${error.message}`)));
    worker.on("exit", (code) => {
      if (!this.done) this.fail(new Error(`verdict formatter exited (code ${code})`));
    });
    // Only a wait for the stream keeps the process alive (settle()).
    worker.unref();
  }

  /**
   * Starts a formatter thread without waiting for it to run (null where there are no worker
   * threads): its start-up (about 0.1 s: a Node isolate and the line writers' modules) overlaps the
   * main thread's (the snapshot, the datapath). Set the output with writeTo() before the replay.
   * `script` replaces the compiled formatter next to this module (tests run it from source).
   */
  static launch(format: VerdictLineFormat, script?: URL | string): VerdictThread | null {
    let threads: typeof import("node:worker_threads");
    try {
      threads = workerThreads();
    } catch {
      return null;
    }
    const { Worker, MessageChannel } = threads;
    const commands = new MessageChannel();
    const spares = new MessageChannel();
    const init: FormatterInit = {
      ring: createRingMemory(DEFAULT_BATCH_SIZE),
      commands: commands.port2,
      spares: spares.port2,
      format,
      progress: new SharedArrayBuffer(8),
    };
    const worker = new Worker(script ?? new URL(FORMATTER_SCRIPT, import.meta.url), {
      workerData: init,
      transferList: [commands.port2, spares.port2],
    });
    return new VerdictThread(worker, init, commands.port1, spares.port1);
  }

  /** Where the lines go (once, before the first packet). */
  writeTo(stream: OutputStream): this {
    this.writer = new ChunkWriter(stream, (chunk) => {
      if (!this.closed) this.spares.postMessage(chunk.buffer, [chunk.buffer as ArrayBuffer]);
    });
    return this;
  }

  take(batch: PacketBatch, from: number, to: number, directory: Datapath): void {
    if (this.stale) {
      this.command({ type: "directory", table: directoryTable(directory) });
      this.stale = false;
    }
    while (from < to) {
      const slot = this.slot ?? this.open();
      if (slot === null) return; // the formatter failed: drain() or end() reports it
      const n = Math.min(to - from, slot.capacity - slot.count);
      slot.appendFrom(batch, from, from + n);
      from += n;
      if (slot.full) this.publish();
    }
  }

  directoryChanged(): void {
    this.stale = true;
  }

  async drain(): Promise<void> {
    // Packets wait in a partial slot no longer than to the pause: the formatter works on them now.
    this.publish();
    await this.settle(() => this.inFlight() <= HIGH_WATER);
  }

  flush(): void {
    this.command({ type: "flush" });
  }

  async end(): Promise<void> {
    this.command({ type: "finish" });
    await this.settle(() => this.done);
    await this.output.end();
    await this.close();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.done = true;
    await this.worker.terminate();
    this.commands.close();
    this.spares.close();
  }

  private get output(): ChunkWriter {
    if (this.writer === null) throw new Error("verdict thread: writeTo() was not called");
    return this.writer;
  }

  /** Bytes formatted and not yet written: chunks on their way from the formatter, and unwritten. */
  private inFlight(): number {
    return (Atomics.load(this.progress, POSTED) - this.received) * CHUNK_BYTES + this.output.unwritten;
  }

  /** Waits until the formatter has freed the entry at `next`; false when the formatter failed. */
  private waitForSlot(): boolean {
    const since = performance.now();
    for (;;) {
      const done = this.ring.done;
      if (this.ring.failed || this.failure !== null) return false;
      if (this.next - done < RING_SLOTS) return true;
      if (Atomics.load(this.progress, RUNNING) === 0) {
        if (performance.now() - since > START_TIMEOUT_MS) {
          this.failure = new Error("verdict formatter did not start");
          return false;
        }
        Atomics.wait(this.progress, RUNNING, 0, WAIT_MS);
      } else Atomics.wait(this.ring.control, DONE, done, WAIT_MS);
    }
  }

  /** The slot at `next`, empty, to fill with packets; null when the formatter failed. */
  private open(): PacketBatch | null {
    if (!this.waitForSlot()) return null;
    const slot = this.ring.slotOf(this.next);
    slot.count = 0;
    this.slot = slot;
    return slot;
  }

  /** Publishes the slot being filled, if it holds packets. */
  private publish(): void {
    const slot = this.slot;
    if (slot === null || slot.count === 0) return;
    this.ring.publish(this.next++, EntryKind.Batch, slot.count);
    this.slot = null;
  }

  /** Publishes a command after the packets taken so far. */
  private command(command: FormatterCommand): void {
    this.publish();
    if (!this.waitForSlot()) return;
    this.commands.postMessage(command);
    this.ring.publish(this.next++, EntryKind.Command, 0);
  }

  /** Waits, keeping the process alive, until `condition` holds; throws the formatter's or the output's error. */
  private async settle(condition: () => boolean): Promise<void> {
    const output = this.output;
    this.worker.ref();
    try {
      for (;;) {
        if (this.failure !== null) throw this.failure;
        output.check();
        if (condition()) return;
        if (output.unwritten > HIGH_WATER) await output.drain();
        else await this.message.next;
      }
    } finally {
      this.worker.unref();
    }
  }

  private receive(message: FromFormatter): void {
    if (message.type === "chunk") {
      this.received++;
      this.output.write(message.bytes);
    } else if (message.type === "done") this.done = true;
    else this.fail(new Error(`verdict formatter: ${message.message}`));
    this.message.wake();
  }

  private fail(error: Error): void {
    if (this.closed) return;
    this.failure ??= error;
    this.message.wake();
  }
}
