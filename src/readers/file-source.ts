// Node only: a capture file as a ByteSource, read in large chunks (browsers pass File.stream() instead).
// The chunks are two buffers read into in turn: a replay reads each chunk once, so a stream's fresh
// buffer per read (an allocation, page faults and a garbage collection's worth of external memory
// for every megabyte) is pure overhead — 134 MB read in about 15 ms instead of 45 to 65 ms.
import { open } from "node:fs/promises";
import type { ByteSource } from "./byte-source.js";

/** Default read size: large enough that per-chunk overhead vanishes, small enough to stay cache-friendly. */
export const DEFAULT_FILE_CHUNK = 1 << 20;

/**
 * The file's bytes in chunks of up to `chunkSize`. A chunk stays valid until the chunk after the
 * next one is asked for (two buffers are reused in turn): copy what you keep longer.
 */
export function fileByteSource(path: string, chunkSize: number = DEFAULT_FILE_CHUNK): ByteSource {
  return { [Symbol.asyncIterator]: () => readChunks(path, chunkSize) };
}

async function* readChunks(path: string, chunkSize: number): AsyncGenerator<Uint8Array, void, undefined> {
  const file = await open(path, "r");
  try {
    const buffers = [new Uint8Array(chunkSize), new Uint8Array(chunkSize)];
    for (let turn = 0; ; turn ^= 1) {
      const buffer = buffers[turn]!;
      const { bytesRead } = await file.read(buffer, 0, chunkSize, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await file.close();
  }
}
