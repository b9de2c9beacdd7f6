// A zip reader driven by the central directory: members are inflated one at a time, in chunks,
// so a member that inflates past its declared size or the unpack limits stops there. Each member's
// size and CRC-32 are checked against its central directory entry.
import { Inflate, inflateSync } from "fflate";
import { InputError } from "../errors.js";
import { Crc32 } from "./crc32.js";
import { ArchiveFormatError, type ArchiveEntry, type ArchiveReadOptions } from "./entries.js";

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const STORED = 0;
const DEFLATED = 8;
/** Compressed bytes handed to the inflater at a time: bounds what one step can produce. */
const STEP = 64 * 1024;

interface CentralEntry {
  readonly path: string;
  readonly method: number;
  readonly encrypted: boolean;
  readonly symlink: boolean;
  readonly crc: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localOffset: number;
}

const decoder = new TextDecoder();

function u16(b: Uint8Array, at: number): number {
  return (b[at] ?? 0) | ((b[at + 1] ?? 0) << 8);
}

function u32(b: Uint8Array, at: number): number {
  return (u16(b, at) | (u16(b, at + 2) << 16)) >>> 0;
}

function u64(b: Uint8Array, at: number): number {
  const value = u32(b, at) + u32(b, at + 4) * 2 ** 32;
  if (!Number.isSafeInteger(value)) throw new ArchiveFormatError(`zip64 field at byte ${at} is too large`);
  return value;
}

function findEocd(b: Uint8Array): number {
  // The record is 22 bytes plus a comment of up to 65535.
  for (let at = b.length - 22; at >= Math.max(0, b.length - 22 - 0xffff); at--) {
    if (u32(b, at) === EOCD) return at;
  }
  throw new ArchiveFormatError("no end of central directory record");
}

/** Entry count and central directory position, from the (zip64) end records. */
function directory(b: Uint8Array): { count: number; offset: number; size: number } {
  const eocd = findEocd(b);
  let count = u16(b, eocd + 10);
  let size = u32(b, eocd + 12);
  let offset = u32(b, eocd + 16);
  const locator = eocd - 20;
  if (locator >= 0 && u32(b, locator) === ZIP64_LOCATOR) {
    const at = u64(b, locator + 8);
    if (at + 56 > b.length || u32(b, at) !== ZIP64_EOCD)
      throw new ArchiveFormatError("zip64 end of central directory record missing");
    count = u64(b, at + 32);
    size = u64(b, at + 40);
    offset = u64(b, at + 48);
  }
  if (offset + size > b.length) throw new ArchiveFormatError("central directory runs past the end");
  return { count, offset, size };
}

function readCentral(b: Uint8Array, at: number): { entry: CentralEntry; next: number } {
  if (at + 46 > b.length || u32(b, at) !== CENTRAL)
    throw new ArchiveFormatError(`central directory entry at byte ${at} is damaged`);
  const nameLength = u16(b, at + 28);
  const extraLength = u16(b, at + 30);
  const commentLength = u16(b, at + 32);
  const next = at + 46 + nameLength + extraLength + commentLength;
  if (next > b.length)
    throw new ArchiveFormatError(`central directory entry at byte ${at} runs past the end`);
  let size = u32(b, at + 24);
  let compressedSize = u32(b, at + 20);
  let localOffset = u32(b, at + 42);
  // Zip64: the 32-bit fields that are all ones are in the extra field, in this order.
  for (let e = at + 46 + nameLength; e + 4 <= at + 46 + nameLength + extraLength;) {
    const id = u16(b, e);
    const length = u16(b, e + 2);
    if (id === 1) {
      let field = e + 4;
      const take = () => {
        const value = u64(b, field);
        field += 8;
        return value;
      };
      if (size === 0xffffffff) size = take();
      if (compressedSize === 0xffffffff) compressedSize = take();
      if (localOffset === 0xffffffff) localOffset = take();
    }
    e += 4 + length;
  }
  const unixMode = u32(b, at + 38) >>> 16;
  return {
    entry: {
      path: decoder.decode(b.subarray(at + 46, at + 46 + nameLength)),
      method: u16(b, at + 10),
      encrypted: (u16(b, at + 8) & 1) === 1,
      symlink: (unixMode & 0xf000) === 0xa000,
      crc: u32(b, at + 16),
      compressedSize,
      size,
      localOffset,
    },
    next,
  };
}

/** The compressed bytes of a member, located through its local header. */
function memberData(b: Uint8Array, entry: CentralEntry): Uint8Array {
  const at = entry.localOffset;
  if (at + 30 > b.length || u32(b, at) !== LOCAL)
    throw new ArchiveFormatError(`local header of ${entry.path} at byte ${at} is damaged`);
  const start = at + 30 + u16(b, at + 26) + u16(b, at + 28);
  if (start + entry.compressedSize > b.length)
    throw new ArchiveFormatError(`${entry.path} runs past the end of the archive`);
  return b.subarray(start, start + entry.compressedSize);
}

/** Inflates one member chunk by chunk, counting against the budget and the declared size. */
function inflateMember(
  archive: string,
  b: Uint8Array,
  entry: CentralEntry,
  options: ArchiveReadOptions,
): Uint8Array {
  const member = `${archive}!/${entry.path}`;
  const data = memberData(b, entry);
  const out = new Uint8Array(entry.size);
  let length = 0;
  const crc = new Crc32();
  const take = (chunk: Uint8Array) => {
    if (length + chunk.length > entry.size) {
      throw new InputError(
        { file: member, line: 0 },
        `expected ${entry.size} bytes as the zip's central directory declares, found more (a damaged or hostile archive)`,
      );
    }
    options.budget.spend(archive, chunk.length);
    out.set(chunk, length);
    length += chunk.length;
    crc.update(chunk);
  };
  if (entry.method === STORED) take(data);
  else {
    try {
      // A small stream in one call (a streaming inflater per member costs more than the member);
      // what one step can produce is bounded by deflate's ratio either way.
      // One byte more than declared, to see a member that inflates to more.
      if (data.length <= STEP) take(inflateSync(data, { out: new Uint8Array(entry.size + 1) }));
      else {
        const inflater = new Inflate((chunk) => take(chunk));
        for (let at = 0; at < data.length; at += STEP)
          inflater.push(data.subarray(at, at + STEP), at + STEP >= data.length);
      }
    } catch (error) {
      if (error instanceof InputError) throw error;
      throw new InputError(
        { file: member, line: 0 },
        `expected deflate data, found a corrupt stream (${error instanceof Error ? error.message : String(error)})`,
      );
    }
  }
  if (length !== entry.size) {
    throw new InputError(
      { file: member, line: 0 },
      `expected ${entry.size} bytes as the zip's central directory declares, found ${length} (truncated member)`,
    );
  }
  if (crc.value !== entry.crc) {
    throw new InputError(
      { file: member, line: 0 },
      `expected CRC-32 ${entry.crc.toString(16).padStart(8, "0")}, found ${crc.value.toString(16).padStart(8, "0")} (a damaged member)`,
    );
  }
  return out;
}

/**
 * The regular files of a zip that `options.wanted` asks for, inflated one at a time. Directories
 * and symlinks are never members; sizes, CRCs and the unpack limits are checked before a member is
 * handed out.
 */
export function* zipEntries(
  archive: string,
  b: Uint8Array,
  options: ArchiveReadOptions,
): Generator<ArchiveEntry> {
  const { count, offset, size } = directory(b);
  options.budget.checkEntries(archive, count);
  const wanted: CentralEntry[] = [];
  let declared = 0;
  // The directory is read to its end: writers without zip64 store the count of a zip of more
  // than 65,535 members modulo 65,536.
  let read = 0;
  for (let at = offset; at < offset + size; read++) {
    options.budget.checkEntries(archive, read + 1, true);
    const { entry, next } = readCentral(b, at);
    at = next;
    if (entry.path.endsWith("/") || entry.symlink || !options.wanted(entry.path)) continue;
    if (entry.encrypted) throw new ArchiveFormatError(`${entry.path} is encrypted`);
    if (entry.method !== STORED && entry.method !== DEFLATED)
      throw new ArchiveFormatError(
        `${entry.path} uses compression method ${entry.method} (expected deflate)`,
      );
    if (entry.method === STORED && entry.compressedSize !== entry.size)
      throw new ArchiveFormatError(`${entry.path} is stored with two different sizes`);
    options.budget.checkMember(`${archive}!/${entry.path}`, entry.size);
    declared += entry.size;
    wanted.push(entry);
  }
  if (read % 0x10000 !== count % 0x10000)
    throw new ArchiveFormatError(`central directory holds ${read} entries, the end record says ${count}`);
  // What the directory declares is refused before anything is inflated.
  options.budget.checkTotal(archive, declared);
  for (const entry of wanted) yield { path: entry.path, bytes: inflateMember(archive, b, entry, options) };
}
