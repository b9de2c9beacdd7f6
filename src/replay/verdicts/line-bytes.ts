// The byte level of the verdict lines: ASCII written straight into a reused buffer, no string per
// line or field. Short constant fragments and digits are stored four bytes at a time (one unaligned
// DataView store instead of four byte stores: a JSON line is over 500 bytes); a store may run up to
// three bytes past what it means to write, which the next write covers or the line's end leaves
// out (MAX_LINE_BYTES keeps room for it). Longer fragments are copied with set() (memcpy).

/** Room a writer may use for one line: more than the longest line either format writes, plus slack. */
export const MAX_LINE_BYTES = 4096;

const encoder = new TextEncoder();

/** A string's UTF-8 bytes (the formats' own fragments are ASCII). */
const ascii = (text: string): Uint8Array => encoder.encode(text);

/** A buffer lines are written into: its bytes, and a DataView of them for the four-byte stores. */
export class LineBuffer {
  readonly view: DataView;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
}

/** A fragment of a line: its bytes, and (when short) the same bytes as little-endian words. */
export interface Fragment {
  readonly bytes: Uint8Array;
  /** Zero-padded; empty when the fragment is long enough for set() to copy it faster. */
  readonly words: Uint32Array;
}

/** Fragments up to this long are stored as words. */
const WORD_BYTES = 32;

/** A fragment of `parts` back to back (a string's UTF-8 bytes; the formats' own text is ASCII). */
export function fragment(...parts: (string | Uint8Array)[]): Fragment {
  const bytes = concat(...parts);
  const words = new Uint32Array(bytes.length <= WORD_BYTES ? Math.ceil(bytes.length / 4) : 0);
  new Uint8Array(words.buffer).set(bytes.subarray(0, words.length * 4));
  return { bytes, words };
}

/** Writes a fragment; returns the position after it. */
export function put(out: LineBuffer, at: number, f: Fragment): number {
  const words = f.words;
  const n = words.length;
  if (n === 0) return putBytes(out, at, f.bytes);
  const view = out.view;
  for (let k = 0; k < n; k++) view.setUint32(at + 4 * k, words[k]!, true);
  return at + f.bytes.length;
}

/** Writes a constant. */
export type PutConstant = (out: LineBuffer, at: number) => number;

/**
 * A writer of one constant of up to 16 bytes: a call site that always calls it gets it inlined, its
 * words as constants (no loop, no loads of a fragment).
 */
export function constant(text: string): PutConstant {
  const { bytes, words } = fragment(text);
  const n = bytes.length;
  const [a = 0, b = 0, c = 0, d = 0] = words;
  switch (words.length) {
    case 1:
      return (out, at) => (out.view.setUint32(at, a, true), at + n);
    case 2:
      return (out, at) => (out.view.setUint32(at, a, true), out.view.setUint32(at + 4, b, true), at + n);
    case 3:
      return (out, at) => {
        const view = out.view;
        view.setUint32(at, a, true);
        view.setUint32(at + 4, b, true);
        view.setUint32(at + 8, c, true);
        return at + n;
      };
    case 4:
      return (out, at) => {
        const view = out.view;
        view.setUint32(at, a, true);
        view.setUint32(at + 4, b, true);
        view.setUint32(at + 8, c, true);
        view.setUint32(at + 12, d, true);
        return at + n;
      };
    default:
      throw new Error(`constant of ${n} bytes: 1 to 16 expected`);
  }
}

/** Copies `bytes` (a cached segment of a line); returns the position after them. */
function putBytes(out: LineBuffer, at: number, bytes: Uint8Array): number {
  out.bytes.set(bytes, at);
  return at + bytes.length;
}

/** Little-endian word of up to four ASCII characters. */
const word = (text: string): number => [...text].reduceRight((w, c) => (w * 256 + c.charCodeAt(0)) >>> 0, 0);

/** 0..9999 as four zero-padded digits, as words. */
const FOUR = Uint32Array.from({ length: 10_000 }, (_, n) => word(String(n).padStart(4, "0")));
/** 0..9999 as their digits, from the word's first byte; SHORT_LENGTH gives how many. */
const SHORT = Uint32Array.from({ length: 10_000 }, (_, n) => word(String(n)));
const SHORT_LENGTH = Uint8Array.from({ length: 10_000 }, (_, n) => String(n).length);
/** 0..255 and a dot, for dotted quads; OCTET_LENGTH counts the dot. */
const OCTET = Uint32Array.from({ length: 256 }, (_, n) => word(`${n}.`));
const OCTET_LENGTH = Uint8Array.from({ length: 256 }, (_, n) => String(n).length + 1);

/** Writes a non-negative integer (below 2^53) in decimal. */
export function putUint(out: LineBuffer, at: number, value: number): number {
  const view = out.view;
  if (value < 10_000) {
    view.setUint32(at, SHORT[value]!, true);
    return at + SHORT_LENGTH[value]!;
  }
  const high = Math.floor(value / 10_000);
  at = putUint(out, at, high);
  view.setUint32(at, FOUR[value - high * 10_000]!, true);
  return at + 4;
}

/** Writes 0..999_999_999 as nine digits with leading zeros (a timestamp's nanoseconds). */
export function putNine(out: LineBuffer, at: number, value: number): number {
  if (value >= 1e9) return putPadded(out, at, value, 9);
  const first = Math.floor(value / 1e8);
  const rest = value - first * 1e8;
  const middle = Math.floor(rest / 10_000);
  out.bytes[at] = 48 + first;
  out.view.setUint32(at + 1, FOUR[middle]!, true);
  out.view.setUint32(at + 5, FOUR[rest - middle * 10_000]!, true);
  return at + 9;
}

/** Writes a non-negative integer with leading zeros to at least `width` digits (String.padStart). */
export function putPadded(out: LineBuffer, at: number, value: number, width: number): number {
  let digits = 1;
  for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  for (; digits < width; digits++) out.bytes[at++] = 48;
  return putUint(out, at, value);
}

/** Writes a host-order IPv4 address as a dotted quad. */
export function putIPv4(out: LineBuffer, at: number, address: number): number {
  const view = out.view;
  const a = address >>> 24;
  const b = (address >>> 16) & 0xff;
  const c = (address >>> 8) & 0xff;
  const d = address & 0xff;
  view.setUint32(at, OCTET[a]!, true);
  at += OCTET_LENGTH[a]!;
  view.setUint32(at, OCTET[b]!, true);
  at += OCTET_LENGTH[b]!;
  view.setUint32(at, OCTET[c]!, true);
  at += OCTET_LENGTH[c]!;
  view.setUint32(at, OCTET[d]!, true);
  return at + OCTET_LENGTH[d]! - 1;
}

/** `address:port`, or the address alone when the protocol has no ports (ICMP). */
export function putEndpoint(
  out: LineBuffer,
  at: number,
  address: number,
  port: number,
  ports: boolean,
): number {
  at = putIPv4(out, at, address);
  if (!ports) return at;
  out.bytes[at++] = 58;
  return putUint(out, at, port);
}

/**
 * Segments composed once and kept, by a key of three int32 parts: a direct-mapped table (a key's
 * slot is a hash of it), so a lookup costs a few loads and compares, and a new key takes the slot of
 * the one before it. The number of slots bounds what is kept.
 */
export class SegmentTable {
  private readonly keys: Int32Array;
  private readonly segments: (Fragment | null)[];
  private readonly mask: number;

  /** `slots`: a power of two. */
  constructor(slots: number) {
    this.keys = new Int32Array(slots * 3);
    this.segments = new Array<Fragment | null>(slots).fill(null);
    this.mask = slots - 1;
  }

  private slot(a: number, b: number, c: number): number {
    const h = Math.imul(Math.imul(a, 0x9e3779b1) ^ b, 0x85ebca77) ^ Math.imul(c, 0xc2b2ae3d);
    return (h ^ (h >>> 15)) & this.mask;
  }

  /** The segment kept for the key, or null. */
  get(a: number, b: number, c: number): Fragment | null {
    const s = this.slot(a, b, c);
    const k = s * 3;
    const keys = this.keys;
    const segment = this.segments[s]!;
    return segment !== null && keys[k] === a && keys[k + 1] === b && keys[k + 2] === c ? segment : null;
  }

  /** Keeps `segment` for the key (in place of what its slot held); returns it. */
  set(a: number, b: number, c: number, segment: Fragment): Fragment {
    const s = this.slot(a, b, c);
    this.keys[s * 3] = a;
    this.keys[s * 3 + 1] = b;
    this.keys[s * 3 + 2] = c;
    this.segments[s] = segment;
    return segment;
  }

  clear(): void {
    this.segments.fill(null);
  }
}

/** The bytes of several fragments back to back. */
function concat(...parts: (Uint8Array | string)[]): Uint8Array {
  const bytes = parts.map((p) => (typeof p === "string" ? ascii(p) : p));
  const out = new Uint8Array(bytes.reduce((n, p) => n + p.length, 0));
  bytes.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}
