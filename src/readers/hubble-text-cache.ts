// The strings of a Hubble line that repeat from flow to flow (verdicts, observation points, node and
// interface names, addresses) turned from raw bytes into JS strings once: later lines with the same
// bytes get the same string back, so the scanner's fast path does not allocate per flow. Bounded: when
// full it starts over.

const CAPACITY = 4096; // power of two; at most half used
const MAX_CACHED_BYTES = 64;

/** Bytes -> string for ASCII text, remembering recent values. */
export class HubbleTextCache {
  private readonly hashes = new Int32Array(CAPACITY);
  private readonly texts: (string | undefined)[] = new Array<string | undefined>(CAPACITY);
  private readonly bytes: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(CAPACITY);
  private used = 0;
  private readonly decoder = new TextDecoder("utf-8");

  /** The text of bytes[start, end) (which the caller knows is ASCII). */
  text(bytes: Uint8Array, start: number, end: number): string {
    const length = end - start;
    if (length === 0) return "";
    if (length > MAX_CACHED_BYTES) return this.decoder.decode(bytes.subarray(start, end));
    let hash = 0x811c9dc5;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
    let slot = hash & (CAPACITY - 1);
    for (;;) {
      const known = this.bytes[slot];
      if (known === undefined) break;
      if (this.hashes[slot] === hash && sameBytes(known, bytes, start, length)) return this.texts[slot]!;
      slot = (slot + 1) & (CAPACITY - 1);
    }
    const text = this.decoder.decode(bytes.subarray(start, end));
    if (this.used >= CAPACITY / 2) {
      this.clear();
      slot = hash & (CAPACITY - 1);
    }
    this.used++;
    this.hashes[slot] = hash;
    this.bytes[slot] = bytes.slice(start, end);
    this.texts[slot] = text;
    return text;
  }

  private clear(): void {
    this.used = 0;
    this.bytes.fill(undefined);
    this.texts.fill(undefined);
  }
}

function sameBytes(known: Uint8Array, bytes: Uint8Array, start: number, length: number): boolean {
  if (known.length !== length) return false;
  for (let i = 0; i < length; i++) if (known[i] !== bytes[start + i]) return false;
  return true;
}
