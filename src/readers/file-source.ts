// Node only: a capture file as a ByteSource, read in large chunks (browsers pass File.stream() instead).
// The chunks are two buffers read into in turn, synchronously. A stream's fresh buffer per read (an
// allocation, page faults, external memory for the garbage collector) is pure overhead for bytes
// read once; and an asynchronous read is a hand-off to libuv's thread pool and back, which on a
// machine whose cores all run replay workers waits for a time slice twice per chunk (the workers
// then starve). A 1 MiB read from the page cache blocks the event loop for about 0.1 ms.
import { closeSync, openSync, readSync } from "node:fs";
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
  const fd = openSync(path, "r");
  try {
    const buffers = [new Uint8Array(chunkSize), new Uint8Array(chunkSize)];
    for (let turn = 0; ; turn ^= 1) {
      const buffer = buffers[turn]!;
      const bytesRead = readSync(fd, buffer, 0, chunkSize, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    closeSync(fd);
  }
}
