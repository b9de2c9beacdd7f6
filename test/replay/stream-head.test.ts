// StreamHead: a one-pass input (stdin) whose start is looked at first, then read whole from its first
// byte; only the start is kept, and a wait on a quiet pipe ends when the signal aborts.
import { describe, expect, it } from "vitest";
import { ReadStopped } from "../../src/readers/packet-decoder.js";
import { StreamHead } from "../../src/readers/stream-head.js";

async function bytesOf(source: AsyncIterable<Uint8Array>, stopAfter = Infinity): Promise<number[]> {
  const out: number[] = [];
  for await (const chunk of source) {
    out.push(...chunk);
    if (out.length >= stopAfter) break;
  }
  return out;
}

/** A one-pass source of chunks [0,1,2], [3,4,5], ... that fails if iterated twice. */
function onePass(chunks: number) {
  let iterated = false;
  return {
    async *[Symbol.asyncIterator]() {
      if (iterated) throw new Error("read twice");
      iterated = true;
      for (let i = 0; i < chunks; i++) yield Uint8Array.of(3 * i, 3 * i + 1, 3 * i + 2);
    },
  };
}

describe("StreamHead", () => {
  it("reads the start, then the whole input from its first byte, the source once", async () => {
    const stream = new StreamHead(onePass(5));
    expect(await bytesOf(stream.head(), 4)).toEqual([0, 1, 2, 3, 4, 5]);
    // A second look gives the same start again.
    expect(await bytesOf(stream.head(), 2)).toEqual([0, 1, 2]);
    expect(await bytesOf(stream.all())).toEqual(Array.from({ length: 15 }, (_, i) => i));
  });

  it("keeps no more than its bound of the start", async () => {
    const stream = new StreamHead(onePass(100), undefined, 7);
    // Chunks of 3 bytes: the third crosses the bound of 7, and the look ends there.
    expect(await bytesOf(stream.head())).toHaveLength(9);
    expect(await bytesOf(stream.all())).toHaveLength(300);
  });

  it("stops a wait for the next chunk when the signal aborts", async () => {
    const controller = new AbortController();
    const quiet = {
      async *[Symbol.asyncIterator]() {
        yield Uint8Array.of(1);
        await new Promise(() => {});
      },
    };
    const stream = new StreamHead(quiet, controller.signal);
    const reading = bytesOf(stream.all());
    setTimeout(() => controller.abort("SIGINT"), 10);
    const error = await reading.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ReadStopped);
    expect((error as ReadStopped).reason).toBe("SIGINT");
  });
});
