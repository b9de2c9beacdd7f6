// Archives built byte by byte, so tests can make the ones no honest tool writes: central
// directories that lie about sizes, wrong CRCs, entries sharing one compressed stream (the
// overlapping zip bomb), and tar.gz streams of members far larger than the archive.
import { deflateSync, Gzip, zipSync } from "fflate";

/** CRC-32 as fflate's zip writer computes it (read from its local header), independent of ours. */
export function crc32(data: Uint8Array): number {
  const zip = zipSync({ a: data }, { level: 0 });
  return (zip[14]! | (zip[15]! << 8) | (zip[16]! << 16) | (zip[17]! << 24)) >>> 0;
}

export interface ZipMember {
  readonly name: string;
  readonly data: Uint8Array;
  /** The size the central directory declares (default: the real one). */
  readonly declaredSize?: number;
  /** The CRC the central directory declares (default: the real one). */
  readonly crc?: number;
  /** Store these bytes as the compressed stream instead of deflating `data`. */
  readonly compressed?: Uint8Array;
  /** Unix mode bits for the central directory's external attributes (0o120777: a symlink). */
  readonly unixMode?: number;
}

function le(bytes: number, value: number): number[] {
  return Array.from({ length: bytes }, (_, i) => Math.floor(value / 2 ** (8 * i)) & 0xff);
}

const enc = new TextEncoder();

/**
 * A deflated zip. With `shareFirst`, every member's central entry points at the first member's
 * local header and data: N entries, one stream, N times the output.
 */
export function buildZip(members: readonly ZipMember[], options: { shareFirst?: boolean } = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: number[] = [];
  let offset = 0;
  let firstOffset = 0;
  members.forEach((m, index) => {
    const name = enc.encode(m.name);
    const compressed = m.compressed ?? deflateSync(m.data);
    const crc = m.crc ?? crc32(m.data);
    const size = m.declaredSize ?? m.data.length;
    const fields = [
      ...le(2, 20),
      ...le(2, 0),
      ...le(2, 8),
      ...le(4, 0),
      ...le(4, crc),
      ...le(4, compressed.length),
      ...le(4, size),
    ];
    let at = offset;
    if (!options.shareFirst || index === 0) {
      const local = new Uint8Array([
        ...le(4, 0x04034b50),
        ...fields,
        ...le(2, name.length),
        ...le(2, 0),
        ...name,
      ]);
      parts.push(local, compressed);
      offset += local.length + compressed.length;
      if (index === 0) firstOffset = at;
    } else at = firstOffset;
    central.push(
      ...le(4, 0x02014b50),
      ...le(2, 20),
      ...fields,
      ...le(2, name.length),
      ...le(2, 0),
      ...le(2, 0),
      ...le(2, 0),
      ...le(2, 0),
      ...le(4, (m.unixMode ?? 0) * 0x10000),
      ...le(4, at),
      ...name,
    );
  });
  const eocd = [
    ...le(4, 0x06054b50),
    ...le(2, 0),
    ...le(2, 0),
    ...le(2, Math.min(members.length, 0xffff)),
    ...le(2, Math.min(members.length, 0xffff)),
    ...le(4, central.length),
    ...le(4, offset),
    ...le(2, 0),
  ];
  const out = new Uint8Array(offset + central.length + eocd.length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  out.set(central, at);
  out.set(eocd, at + central.length);
  return out;
}

/** A ustar header for a regular file of `size` bytes, or for a symlink to `linkTarget`. */
export function tarHeader(name: string, size: number, linkTarget?: string): Uint8Array {
  const header = new Uint8Array(512);
  header.set(enc.encode(name).subarray(0, 100), 0);
  header.set(enc.encode("0000644\0"), 100);
  header.set(enc.encode(`${size.toString(8).padStart(11, "0")}\0`), 124);
  header.set(enc.encode("        "), 148);
  header[156] = linkTarget === undefined ? 0x30 : 0x32;
  if (linkTarget !== undefined) header.set(enc.encode(linkTarget).subarray(0, 100), 157);
  header.set(enc.encode("ustar\0" + "00"), 257);
  const sum = header.reduce((a, b) => a + b, 0);
  header.set(enc.encode(`${sum.toString(8).padStart(6, "0")}\0 `), 148);
  return header;
}

/** A tar.gz of `count` members of `size` bytes of one repeated character, gzipped as a stream. */
export function tarGzOfRepeats(count: number, size: number, name = (i: number) => `m${i}.txt`): Uint8Array {
  const out: Uint8Array[] = [];
  const gzip = new Gzip({ level: 9 }, (chunk) => out.push(chunk));
  const block = new Uint8Array(1024 * 1024).fill(0x61);
  for (let i = 0; i < count; i++) {
    gzip.push(tarHeader(name(i), size));
    for (let left = size; left > 0; left -= block.length)
      gzip.push(block.subarray(0, Math.min(left, block.length)));
    gzip.push(new Uint8Array((512 - (size % 512)) % 512));
  }
  gzip.push(new Uint8Array(1024), true);
  const total = out.reduce((n, c) => n + c.length, 0);
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const c of out) {
    bytes.set(c, at);
    at += c.length;
  }
  return bytes;
}
