// The byte level of the verdict stream: lines are written as ASCII bytes straight into large chunks
// (no string per line, no string per field), from pre-encoded fragments, digits and dotted quads.
// Full chunks wait in a queue for the writer; written ones come back to be filled again, so a
// replay's whole stream goes through a handful of reused buffers.

/** Bytes per chunk handed to the output (large writes; a few chunks per input chunk at most). */
export const CHUNK_BYTES = 1 << 20;
/** Room reserved before each line: more than the longest line either format writes. */
export const MAX_LINE_BYTES = 4096;

const encoder = new TextEncoder();

/** A string's UTF-8 bytes (the stream's fragments are ASCII). */
export const ascii = (text: string): Uint8Array => encoder.encode(text);

/** The decimal digits of 0..255, for dotted quads: per octet, its digit count then the digits. */
const OCTET_DIGITS = new Uint8Array(256 * 4);
for (let n = 0; n < 256; n++) {
  const text = String(n);
  OCTET_DIGITS[n * 4] = text.length;
  for (let k = 0; k < text.length; k++) OCTET_DIGITS[n * 4 + 1 + k] = text.charCodeAt(k);
}

/** Writes one octet's digits (no call, no view per octet: dotted quads are most of a line's digits). */
function putOctet(out: Uint8Array, at: number, octet: number): number {
  const i = octet << 2;
  const n = OCTET_DIGITS[i]!;
  out[at] = OCTET_DIGITS[i + 1]!;
  if (n === 1) return at + 1;
  out[at + 1] = OCTET_DIGITS[i + 2]!;
  if (n === 2) return at + 2;
  out[at + 2] = OCTET_DIGITS[i + 3]!;
  return at + 3;
}

/** Copies `bytes` to `out` at `at`; returns the position after them. */
export function put(out: Uint8Array, at: number, bytes: Uint8Array): number {
  const n = bytes.length;
  // A loop beats set()'s call for a few bytes; set() wins from about a dozen on.
  if (n > 12) out.set(bytes, at);
  else for (let k = 0; k < n; k++) out[at + k] = bytes[k]!;
  return at + n;
}

/** Writes a non-negative integer (below 2^53) in decimal. */
export function putUint(out: Uint8Array, at: number, value: number): number {
  let digits = 1;
  for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  const end = at + digits;
  let n = value;
  for (let k = end - 1; k > at; k--) {
    const q = Math.floor(n / 10);
    out[k] = 48 + n - q * 10;
    n = q;
  }
  out[at] = 48 + n;
  return end;
}

/** Writes a non-negative integer with leading zeros to at least `width` digits (String.padStart). */
export function putPadded(out: Uint8Array, at: number, value: number, width: number): number {
  let digits = 1;
  for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  for (; digits < width; digits++) out[at++] = 48;
  return putUint(out, at, value);
}

/** Writes a host-order IPv4 address as a dotted quad. */
export function putIPv4(out: Uint8Array, at: number, address: number): number {
  at = putOctet(out, at, (address >>> 24) & 0xff);
  out[at++] = 46;
  at = putOctet(out, at, (address >>> 16) & 0xff);
  out[at++] = 46;
  at = putOctet(out, at, (address >>> 8) & 0xff);
  out[at++] = 46;
  return putOctet(out, at, address & 0xff);
}

/** `address:port`, or the address alone when the protocol has no ports (ICMP). */
export function putEndpoint(
  out: Uint8Array,
  at: number,
  address: number,
  port: number,
  ports: boolean,
): number {
  at = putIPv4(out, at, address);
  if (!ports) return at;
  out[at++] = 58;
  return putUint(out, at, port);
}

/**
 * The chunk lines are written into (`bytes` from `at` on) and the full chunks waiting to be written.
 * Call reserve() before each line, then write at `at` and store the new position back.
 */
export class LineChunks {
  bytes: Uint8Array = new Uint8Array(CHUNK_BYTES);
  at = 0;
  private readonly ready: Uint8Array[] = [];
  private readonly spare: Uint8Array[] = [];

  /** Makes room for one more line, moving a full chunk to the queue. */
  reserve(): void {
    if (this.at + MAX_LINE_BYTES > this.bytes.length) this.cut();
  }

  /** Queues what the current chunk holds (also at the end of the stream) and starts another. */
  cut(): void {
    if (this.at === 0) return;
    this.ready.push(this.bytes.subarray(0, this.at));
    this.bytes = this.spare.pop() ?? new Uint8Array(CHUNK_BYTES);
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
    this.spare.push(new Uint8Array(chunk.buffer));
  }
}
