// A one-pass input (stdin, a pipe from `hubble observe --follow`) read twice: a first look at its
// start — the replay takes the first packet's time before it starts — and then the whole input from
// its first byte. Only the bytes of that first look are kept, up to a bound, so a stream of any length
// is never held in memory. Waiting for the next chunk ends with ReadStopped when the signal aborts,
// so Ctrl-C stops a replay that waits on a quiet pipe.
import { chunksOf, type ByteSource } from "./byte-source.js";
import { ReadStopped } from "./packet-decoder.js";

/** Default bound of the first look: a first packet further in than this is not looked for. */
export const DEFAULT_HEAD_BYTES = 64 * 1024 * 1024;

/** A one-pass byte source whose start can be read first and then again with the rest. */
export class StreamHead {
  private readonly chunks: AsyncIterator<Uint8Array>;
  private kept: Uint8Array[] = [];
  private keptBytes = 0;
  private ended = false;
  private started = false;

  constructor(
    source: ByteSource,
    private readonly signal?: AbortSignal,
    readonly maxHeadBytes: number = DEFAULT_HEAD_BYTES,
  ) {
    this.chunks = chunksOf(source);
  }

  /** The start of the input, up to maxHeadBytes (more when one chunk crosses it); kept for all(). */
  async *head(): AsyncGenerator<Uint8Array, void, undefined> {
    if (this.started) throw new Error("StreamHead.head() after all()");
    for (let i = 0; ; i++) {
      if (i < this.kept.length) {
        yield this.kept[i]!;
        continue;
      }
      if (this.ended || this.keptBytes >= this.maxHeadBytes) return;
      const chunk = await this.next();
      if (chunk === undefined) return;
      this.kept.push(chunk);
      this.keptBytes += chunk.length;
      yield chunk;
    }
  }

  /** The whole input from its first byte; once. The kept start is let go of as it is handed out. */
  async *all(): AsyncGenerator<Uint8Array, void, undefined> {
    if (this.started) throw new Error("StreamHead.all() called twice");
    this.started = true;
    const kept = this.kept;
    this.kept = [];
    this.keptBytes = 0;
    while (kept.length > 0) yield kept.shift()!;
    for (;;) {
      const chunk = await this.next();
      if (chunk === undefined) return;
      yield chunk;
    }
  }

  /** The next chunk, undefined at the end; throws ReadStopped if the signal aborts first. */
  private async next(): Promise<Uint8Array | undefined> {
    if (this.ended) return undefined;
    const signal = this.signal;
    if (signal?.aborted) throw new ReadStopped(signal.reason);
    const read = this.chunks.next();
    let result: IteratorResult<Uint8Array>;
    if (signal === undefined) result = await read;
    else {
      let onAbort = (): void => {};
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => reject(new ReadStopped(signal.reason));
        signal.addEventListener("abort", onAbort, { once: true });
      });
      try {
        result = await Promise.race([read, aborted]);
      } finally {
        signal.removeEventListener("abort", onAbort);
      }
    }
    if (result.done) {
      this.ended = true;
      return undefined;
    }
    return result.value;
  }
}
