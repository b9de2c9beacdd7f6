// A streaming tar reader (POSIX ustar, GNU long names, pax `path` records): enough for the archives
// cilium-bugtool writes. It reads a stream of chunks (a .tar.gz is inflated as it goes), keeps only
// the members it is asked for, and never touches the disk; a damaged header is an error.
import { ArchiveFormatError, type ArchiveEntry, type ArchiveReadOptions } from "./entries.js";

const BLOCK = 512;
const decoder = new TextDecoder();

function text(block: Uint8Array, offset: number, length: number): string {
  const slice = block.subarray(offset, offset + length);
  const end = slice.indexOf(0);
  return decoder.decode(end < 0 ? slice : slice.subarray(0, end));
}

function octal(block: Uint8Array, offset: number, length: number): number {
  const field = text(block, offset, length).trim();
  if (field === "") return 0;
  if (!/^[0-7]+$/.test(field)) throw new ArchiveFormatError(`bad octal field ${JSON.stringify(field)}`);
  return parseInt(field, 8);
}

function checksumOk(header: Uint8Array): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (header[i] ?? 0);
  return sum === octal(header, 148, 8);
}

/** Bytes from a stream of chunks, taken or skipped in order. */
class ByteStream {
  private readonly chunks: Iterator<Uint8Array>;
  private current: Uint8Array = new Uint8Array(0);
  private at = 0;
  /** Bytes consumed so far. */
  offset = 0;

  constructor(chunks: Iterable<Uint8Array>) {
    this.chunks = chunks[Symbol.iterator]();
  }

  private fill(): boolean {
    while (this.at >= this.current.length) {
      const next = this.chunks.next();
      if (next.done === true) return false;
      this.current = next.value;
      this.at = 0;
    }
    return true;
  }

  /** The next `n` bytes, or undefined when the stream ends first. */
  take(n: number): Uint8Array | undefined {
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      if (!this.fill()) return undefined;
      const part = this.current.subarray(this.at, this.at + n - filled);
      out.set(part, filled);
      filled += part.length;
      this.at += part.length;
    }
    this.offset += n;
    return out;
  }

  /** Skips `n` bytes; false when the stream ends first. */
  skip(n: number): boolean {
    let left = n;
    while (left > 0) {
      if (!this.fill()) return false;
      const step = Math.min(left, this.current.length - this.at);
      this.at += step;
      left -= step;
    }
    this.offset += n;
    return true;
  }
}

/** The regular files of a tar stream that `options.wanted` asks for, in archive order. */
export function* tarEntries(
  archive: string,
  chunks: Iterable<Uint8Array>,
  options: ArchiveReadOptions,
): Generator<ArchiveEntry> {
  const stream = new ByteStream(chunks);
  let longName: string | undefined;
  let paxPath: string | undefined;
  let members = 0;
  for (;;) {
    const offset = stream.offset;
    const header = stream.take(BLOCK);
    if (header === undefined || header.every((b) => b === 0)) return;
    if (!checksumOk(header)) throw new ArchiveFormatError(`tar header checksum mismatch at byte ${offset}`);
    options.budget.checkEntries(archive, ++members, true);
    const size = octal(header, 124, 12);
    const type = String.fromCharCode(header[156] ?? 0);
    const padding = Math.ceil(size / BLOCK) * BLOCK - size;
    const runsPast = () => new ArchiveFormatError(`tar entry at byte ${offset} runs past the end`);
    if (type === "L" || type === "x") {
      if (size > 1024 * 1024) throw new ArchiveFormatError(`tar name record at byte ${offset} is too long`);
      const body = stream.take(size);
      if (body === undefined || !stream.skip(padding)) throw runsPast();
      if (type === "L") longName = text(body, 0, body.length);
      else paxPath = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(decoder.decode(body))?.[1];
      continue;
    }
    const prefix = text(header, 345, 155);
    const name = longName ?? paxPath ?? (prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100));
    longName = undefined;
    paxPath = undefined;
    const regular = type === "0" || type === "\0" || type === "7";
    if (regular && options.wanted(name)) {
      options.budget.checkMember(`${archive}!/${name}`, size);
      const body = stream.take(size);
      if (body === undefined || !stream.skip(padding)) throw runsPast();
      yield { path: name, bytes: body };
    } else if (!stream.skip(size + padding)) throw runsPast();
  }
}
