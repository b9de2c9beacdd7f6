// Node only: a capture file as a ByteSource, read in large chunks (browsers pass File.stream() instead).
import { createReadStream } from "node:fs";
import type { ByteSource } from "./byte-source.js";

/** Default read size: large enough that per-chunk overhead vanishes, small enough to stay cache-friendly. */
export const DEFAULT_FILE_CHUNK = 1 << 20;

export function fileByteSource(path: string, chunkSize: number = DEFAULT_FILE_CHUNK): ByteSource {
  return createReadStream(path, { highWaterMark: chunkSize });
}
