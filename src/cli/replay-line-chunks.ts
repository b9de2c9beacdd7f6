// The chunks the verdict stream's lines are written into (src/replay/verdicts/ formats them): full
// chunks wait in a queue for the writer; written ones come back to be filled again, so a replay's
// whole stream goes through a handful of reused buffers.
import { LineBuffer, MAX_LINE_BYTES } from "../replay/verdicts/line-bytes.js";

/** Bytes per chunk handed to the output (large writes; a few chunks per input chunk at most). */
export const CHUNK_BYTES = 1 << 20;

/**
 * The chunk lines are written into (`buffer` from `at` on) and the full chunks waiting to be written.
 * Call reserve() before each line, then write at `at` and store the new position back.
 */
export class LineChunks {
  buffer = new LineBuffer(new Uint8Array(CHUNK_BYTES));
  at = 0;
  private readonly ready: Uint8Array[] = [];
  private readonly spare: LineBuffer[] = [];

  /** Makes room for one more line, moving a full chunk to the queue. */
  reserve(): void {
    if (this.at + MAX_LINE_BYTES > this.buffer.bytes.length) this.cut();
  }

  /** Queues what the current chunk holds (also at the end of the stream) and starts another. */
  cut(): void {
    if (this.at === 0) return;
    this.ready.push(this.buffer.bytes.subarray(0, this.at));
    this.buffer = this.spare.pop() ?? new LineBuffer(new Uint8Array(CHUNK_BYTES));
    this.at = 0;
  }

  /** The next full chunk to write, if any. */
  next(): Uint8Array | undefined {
    return this.ready.shift();
  }

  /** Bytes queued and not yet taken by next(). */
  get queued(): number {
    let n = 0;
    for (const chunk of this.ready) n += chunk.length;
    return n;
  }

  /** Gives a written chunk back to be filled again. */
  recycle(chunk: Uint8Array): void {
    this.spare.push(new LineBuffer(new Uint8Array(chunk.buffer)));
  }
}
