// The ring a replay worker's packets travel in: a SharedArrayBuffer of SLOTS packet batches (the
// PacketBatch layout, one after the other) and a small SharedArrayBuffer of control words. The main
// thread (the only producer) writes a batch's records straight into a free slot, then publishes it;
// the worker (the only consumer) waits on the published count (Atomics.wait), runs the slot through
// its datapath, which leaves the verdict records in the same slot, and publishes its done count.
// Nothing is copied between the threads and nothing is transferred: the main thread reads the
// verdicts where they are and hands the slot back to the producer once it has counted or printed
// them. An entry is a batch, or a command (GC, churn, finish) whose content follows on a MessagePort
// (read synchronously by the worker when it reaches the entry), so commands keep their place in the
// packet stream. The ring bounds what is in flight: SLOTS entries per worker.
import { PacketBatch } from "./packet-batch.js";

/** Entries in flight per worker: room for the reader to run ahead while the worker computes. */
export const RING_SLOTS = 8;

/** Control word: entries the main thread has published (they only ever grow). */
export const PUBLISHED = 0;
/** Control word: entries the worker has finished (its batches hold their verdict records). */
export const DONE = 1;
/** Control word: set by the worker when it fails, so a waiting main thread stops waiting. */
export const FAILED = 2;
/** First of SLOTS words: what the entry in each slot is (EntryKind). */
const KIND = 4;
/** First of SLOTS words: packets of the batch in each slot. */
const COUNT = KIND + RING_SLOTS;
const CONTROL_WORDS = COUNT + RING_SLOTS;

/** What a ring entry is. */
export const EntryKind = { Batch: 0, Command: 1 } as const;

/** The shared memory of one worker's ring, as it crosses to the worker (workerData). */
export interface RingMemory {
  control: SharedArrayBuffer;
  slots: SharedArrayBuffer;
  /** Packets per batch. */
  capacity: number;
}

/** Allocates a ring for batches of `capacity` packets. */
export function createRingMemory(capacity: number): RingMemory {
  return {
    control: new SharedArrayBuffer(CONTROL_WORDS * 4),
    slots: new SharedArrayBuffer(RING_SLOTS * PacketBatch.bytes(capacity)),
    capacity,
  };
}

/** One side's view of a ring: its control words and a PacketBatch over each slot. */
export class BatchRing {
  readonly control: Int32Array;
  readonly slots: readonly PacketBatch[];

  constructor(private readonly shared: RingMemory) {
    this.control = new Int32Array(shared.control);
    const size = PacketBatch.bytes(shared.capacity);
    this.slots = Array.from(
      { length: RING_SLOTS },
      (_, i) => new PacketBatch(shared.capacity, shared.slots, i * size),
    );
  }

  /** Whether the batch is one of this ring's slots. */
  holds(batch: PacketBatch): boolean {
    return batch.buffer === this.shared.slots;
  }

  /** The slot of entry `position`. */
  slotOf(position: number): PacketBatch {
    return this.slots[position % RING_SLOTS]!;
  }

  kindOf(position: number): number {
    return this.control[KIND + (position % RING_SLOTS)]!;
  }

  countOf(position: number): number {
    return this.control[COUNT + (position % RING_SLOTS)]!;
  }

  /** Producer: publishes entry `position` (the next one) and wakes the worker. */
  publish(position: number, kind: number, count: number): void {
    const slot = position % RING_SLOTS;
    this.control[KIND + slot] = kind;
    this.control[COUNT + slot] = count;
    // The store is sequentially consistent: the slot's records and the words above are visible first.
    Atomics.store(this.control, PUBLISHED, position + 1);
    Atomics.notify(this.control, PUBLISHED);
  }

  /** Consumer: marks entries below `position` done and wakes a waiting producer. */
  finished(position: number): void {
    Atomics.store(this.control, DONE, position);
    Atomics.notify(this.control, DONE);
  }

  get done(): number {
    return Atomics.load(this.control, DONE);
  }

  /** Consumer: gives up (it failed); wakes a producer waiting for a slot, which then sees `failed`. */
  fail(): void {
    Atomics.store(this.control, FAILED, 1);
    Atomics.notify(this.control, DONE);
  }

  get failed(): boolean {
    return Atomics.load(this.control, FAILED) !== 0;
  }
}

/** Atomics.waitAsync (ES2024; Node 16+), typed here because the project's lib is ES2022. */
type WaitAsync = (
  array: Int32Array,
  index: number,
  value: number,
  timeoutMs: number,
) => { async: false; value: string } | { async: true; value: Promise<string> };

/**
 * Producer: resolves when the worker's done count moves from `seen` (or after `timeoutMs`); null
 * when it already has. Waits without blocking the main thread's event loop.
 */
export function doneMoved(ring: BatchRing, seen: number, timeoutMs: number): Promise<string> | null {
  const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;
  const result = waitAsync(ring.control, DONE, seen, timeoutMs);
  return result.async ? result.value : null;
}
