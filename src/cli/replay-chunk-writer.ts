// The write path of the verdict stream: full chunks of lines go to the output one after the other,
// in the background (a file write runs on libuv's thread pool, beside the replay), and the replay
// waits only at its pauses between input chunks when more than HIGH_WATER bytes are still
// unwritten. A failed write (EPIPE, ENOSPC) stops the writing; the error is thrown at the next
// pause or at the end. Shared by the in-thread stream and the formatter thread's.
import type { OutputStream } from "./output.js";

/** Unwritten bytes above which the replay waits for the output at its next pause. */
export const HIGH_WATER = 16 << 20;

export class ChunkWriter {
  /** The chunks being written, one after the other. */
  private writing: Promise<void> = Promise.resolve();
  private pending = 0;
  private failure: unknown = null;

  /**
   * @param stream where the chunks go.
   * @param written called with each chunk once the output is done with it (to fill it again).
   */
  constructor(
    private readonly stream: OutputStream,
    private readonly written: (chunk: Uint8Array) => void,
  ) {}

  /** Bytes handed to write() and not yet written. */
  get unwritten(): number {
    return this.pending;
  }

  /** Starts writing `chunk` after the ones already being written. */
  write(chunk: Uint8Array): void {
    this.pending += chunk.length;
    this.writing = this.writing.then(async () => {
      try {
        if (this.failure === null) await this.stream.writeBytes(chunk);
      } catch (error) {
        this.failure = error;
      }
      this.pending -= chunk.length;
      this.written(chunk);
    });
  }

  /** At a pause of the replay: waits while too much is unwritten (back-pressure). */
  async drain(): Promise<void> {
    if (this.pending > HIGH_WATER) await this.writing;
    this.check();
  }

  /** Waits until every chunk handed over is written. */
  async end(): Promise<void> {
    await this.writing;
    this.check();
  }

  /** Throws the error of a failed write, if any. */
  check(): void {
    if (this.failure !== null) throw this.failure;
  }
}
