// Cuts a byte stream that arrives in arbitrary chunks into length-prefixed records (pcap packet
// records, pcapng blocks). Records that lie wholly inside a chunk are decoded in place; only a record
// that straddles a chunk boundary is copied, into one carry buffer that grows to the largest such
// record and is reused. Memory is therefore bounded by the largest record, not by the input.

/**
 * The framing of a record format: a decoder extends it with its `measure` and `consume` steps (methods
 * rather than callbacks, so the per-record calls are direct and the compiler can inline them).
 */
export abstract class RecordFramer {
  private carry = new Uint8Array(4096);
  private carryLength = 0;
  /** Absolute input offset of the next record to frame. */
  private recordOffset = 0;

  /**
   * What the format tells the framer about the record starting at `start`: a positive number is the
   * record's total length; a negative number -n means "I need n bytes (counted from `start`) before I
   * can tell".
   */
  protected abstract measure(bytes: Uint8Array, start: number, available: number): number;

  /** Receives each complete record: bytes[start, start + length). The view is only valid during the call. */
  protected abstract consume(bytes: Uint8Array, start: number, length: number): void;

  /** Input offset of the record being measured or consumed (valid inside the callbacks). */
  get offset(): number {
    return this.recordOffset;
  }

  /** Bytes held back because their record is not complete yet. */
  get pendingBytes(): number {
    return this.carryLength;
  }

  push(chunk: Uint8Array): void {
    let pos = 0;
    if (this.carryLength > 0) {
      pos = this.completeCarried(chunk);
      if (this.carryLength > 0) return;
    }
    const end = chunk.length;
    while (pos < end) {
      const available = end - pos;
      const length = this.measure(chunk, pos, available);
      if (length < 0 || length > available) break;
      this.consume(chunk, pos, length);
      this.recordOffset += length;
      pos += length;
    }
    if (pos < end) this.append(chunk, pos, end - pos);
  }

  /**
   * How many more bytes the pending record needs: 0 when nothing is pending; for a record whose length
   * is still unknown, the bytes needed to learn it.
   */
  missingBytes(): number {
    if (this.carryLength === 0) return 0;
    const length = this.measure(this.carry, 0, this.carryLength);
    return (length < 0 ? -length : length) - this.carryLength;
  }

  /** Feeds the carried partial record from the chunk; returns how much of the chunk it used. */
  private completeCarried(chunk: Uint8Array): number {
    let pos = 0;
    let length = this.measure(this.carry, 0, this.carryLength);
    while (length < 0) {
      const wanted = Math.max(-length, this.carryLength + 1) - this.carryLength;
      const take = Math.min(wanted, chunk.length - pos);
      if (take <= 0) return pos;
      this.append(chunk, pos, take);
      pos += take;
      length = this.measure(this.carry, 0, this.carryLength);
    }
    const take = Math.min(length - this.carryLength, chunk.length - pos);
    if (take > 0) {
      this.append(chunk, pos, take);
      pos += take;
    }
    if (this.carryLength < length) return pos;
    this.carryLength = 0;
    this.consume(this.carry, 0, length);
    this.recordOffset += length;
    return pos;
  }

  private append(bytes: Uint8Array, start: number, count: number): void {
    const needed = this.carryLength + count;
    if (needed > this.carry.length) {
      let capacity = this.carry.length;
      while (capacity < needed) capacity *= 2;
      const grown = new Uint8Array(capacity);
      grown.set(this.carry.subarray(0, this.carryLength));
      this.carry = grown;
    }
    this.carry.set(bytes.subarray(start, start + count), this.carryLength);
    this.carryLength = needed;
  }
}
