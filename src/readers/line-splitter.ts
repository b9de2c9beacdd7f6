// Cuts a byte stream into lines ("\n", with an optional "\r" before it) across chunk boundaries. Lines
// wholly inside a chunk are handed out in place; a line that straddles chunks is gathered in one reused
// buffer, bounded by a maximum line length so a file without newlines cannot exhaust memory.

/** Receives each line without its terminator: bytes[start, end). The view is only valid during the call. */
export type LineConsumer = (bytes: Uint8Array, start: number, end: number, lineOffset: number) => void;

export class LineSplitter {
  private carry = new Uint8Array(4096);
  private carryLength = 0;
  /** Input offset of the first byte of the line being gathered. */
  private lineOffset = 0;
  /** Input offset just past the last pushed chunk. */
  private inputOffset = 0;

  constructor(
    private readonly onLine: LineConsumer,
    /** Builds the error thrown when a line grows past maxLineBytes. */
    private readonly onOverlong: (lineOffset: number, length: number) => Error,
    readonly maxLineBytes: number = 64 * 1024 * 1024,
  ) {}

  get pendingBytes(): number {
    return this.carryLength;
  }

  push(chunk: Uint8Array): void {
    const base = this.inputOffset;
    this.inputOffset += chunk.length;
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(0x0a, start);
      if (newline === -1) break;
      if (this.carryLength > 0) {
        this.append(chunk, start, newline);
        const length = this.carryLength;
        this.carryLength = 0;
        this.emit(this.carry, 0, length);
      } else {
        this.emit(chunk, start, newline);
      }
      start = newline + 1;
      this.lineOffset = base + start;
    }
    if (start < chunk.length) this.append(chunk, start, chunk.length);
  }

  /** Hands out a last line that has no newline after it. */
  end(): void {
    if (this.carryLength > 0) {
      const length = this.carryLength;
      this.carryLength = 0;
      this.emit(this.carry, 0, length);
    }
  }

  private emit(bytes: Uint8Array, start: number, end: number): void {
    if (end - start > this.maxLineBytes) throw this.onOverlong(this.lineOffset, end - start);
    const stop = end > start && bytes[end - 1] === 0x0d ? end - 1 : end;
    this.onLine(bytes, start, stop, this.lineOffset);
  }

  private append(bytes: Uint8Array, start: number, end: number): void {
    const needed = this.carryLength + (end - start);
    if (needed > this.maxLineBytes) throw this.onOverlong(this.lineOffset, needed);
    if (needed > this.carry.length) {
      let capacity = this.carry.length;
      while (capacity < needed) capacity *= 2;
      const grown = new Uint8Array(Math.min(capacity, Math.max(needed, this.maxLineBytes)));
      grown.set(this.carry.subarray(0, this.carryLength));
      this.carry = grown;
    }
    this.carry.set(bytes.subarray(start, end), this.carryLength);
    this.carryLength = needed;
  }
}
