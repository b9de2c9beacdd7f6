// A small tar reader (POSIX ustar, GNU long names, pax `path` records): enough for the archives
// cilium-bugtool writes. Reads from memory, never touches the disk; a damaged header is an error.
import { InvalidInputError } from "../../model/errors.js";

export interface ArchiveEntry {
  readonly path: string;
  readonly bytes: Uint8Array;
}

export class ArchiveFormatError extends InvalidInputError {}

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

/** Regular files of a tar archive, in archive order. */
export function readTar(data: Uint8Array): ArchiveEntry[] {
  const entries: ArchiveEntry[] = [];
  let offset = 0;
  let longName: string | undefined;
  let paxPath: string | undefined;
  while (offset + BLOCK <= data.length) {
    const header = data.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) break;
    if (!checksumOk(header)) throw new ArchiveFormatError(`tar header checksum mismatch at byte ${offset}`);
    const size = octal(header, 124, 12);
    const type = String.fromCharCode(header[156] ?? 0);
    const start = offset + BLOCK;
    if (start + size > data.length)
      throw new ArchiveFormatError(`tar entry at byte ${offset} runs past the end`);
    const body = data.subarray(start, start + size);
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
    if (type === "L") {
      longName = text(body, 0, body.length);
      continue;
    }
    if (type === "x") {
      paxPath = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(decoder.decode(body))?.[1];
      continue;
    }
    const prefix = text(header, 345, 155);
    const name = longName ?? paxPath ?? (prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100));
    longName = undefined;
    paxPath = undefined;
    if (type === "0" || type === "\0" || type === "7") entries.push({ path: name, bytes: body });
  }
  return entries;
}
