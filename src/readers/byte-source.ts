// Inputs as a stream of byte chunks, so the same readers work on a Node stream, a browser
// ReadableStream (fetch body, File.stream()) or an in-memory list of buffers.

/** Anything that yields the input's bytes in order, in chunks of any size. */
export type ByteSource = AsyncIterable<Uint8Array> | Iterable<Uint8Array> | ReadableStream<Uint8Array>;

function isReadableStream(source: ByteSource): source is ReadableStream<Uint8Array> {
  return typeof (source as ReadableStream<Uint8Array>).getReader === "function";
}

/** The chunks of a source as one async iterable; rejects text chunks (a stream opened with an encoding). */
export async function* chunksOf(source: ByteSource): AsyncGenerator<Uint8Array, void, undefined> {
  if (isReadableStream(source)) {
    // getReader() rather than async iteration: not every browser iterates ReadableStreams yet.
    const reader = source.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield checkChunk(value);
      }
    } finally {
      reader.releaseLock();
    }
  }
  for await (const chunk of source) yield checkChunk(chunk);
}

function checkChunk(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  throw new TypeError(
    `a capture source must yield Uint8Array chunks, got ${typeof chunk} (open Node streams without an encoding)`,
  );
}

/** Splits one buffer into chunks of a given size: for tests and for inputs already in memory. */
export function* chunkBytes(bytes: Uint8Array, chunkSize: number): Generator<Uint8Array, void, undefined> {
  if (!(chunkSize >= 1)) throw new RangeError(`chunk size must be at least 1, got ${chunkSize}`);
  for (let offset = 0; offset < bytes.length; offset += chunkSize) {
    yield bytes.subarray(offset, Math.min(bytes.length, offset + chunkSize));
  }
}
