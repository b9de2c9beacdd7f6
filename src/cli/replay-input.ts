// What `dpemu replay --input` names: a file, read twice (a first look for the first packet's time,
// then the replay), or `-`, standard input, read once — its start is kept for the first look
// (readers/stream-head.ts), so `hubble observe -o json --follow | dpemu replay --input -` works.
import { stat } from "node:fs/promises";
import type { ByteSource } from "../readers/byte-source.js";
import { fileByteSource } from "../readers/file-source.js";
import { StreamHead } from "../readers/stream-head.js";
import { InputError } from "../snapshot/errors.js";

/** The replay's input: its name for messages, its size if known, and its bytes (twice). */
export interface ReplayInput {
  /** The path, or "stdin". */
  readonly name: string;
  /** Bytes, for the progress bar; null for standard input. */
  readonly size: number | null;
  /** The input's start, for the first packet's time. */
  head(): ByteSource;
  /** The whole input. */
  all(): ByteSource;
}

/** Opens `--input PATH` (or `-`); a path that is not a readable file is an InputError. */
export async function openReplayInput(path: string, signal: AbortSignal): Promise<ReplayInput> {
  if (path === "-") {
    const stream = new StreamHead(process.stdin, signal);
    return { name: "stdin", size: null, head: () => stream.head(), all: () => stream.all() };
  }
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error("not a file");
    size = info.size;
  } catch {
    throw new InputError(
      { file: path, line: 0 },
      "--input expects a capture file (pcap, pcapng, Hubble JSON or synthetic spec), or - for stdin",
    );
  }
  return { name: path, size, head: () => fileByteSource(path), all: () => fileByteSource(path) };
}
