// The push interface every reader implements, and the loop that feeds it from a ByteSource.
// Decoders are synchronous and chunk-driven: the caller pushes bytes as they arrive, the decoder calls
// the packet handler for each complete packet (with its one reused record), and end() reports a
// record left incomplete. The async part (reading the input) stays outside, per chunk, not per packet.
import type { PacketRecord } from "../model/packet.js";
import { chunksOf, type ByteSource } from "./byte-source.js";
import { CaptureFormatError } from "./capture-error.js";
import type { ReadSummary } from "./read-summary.js";

/** Called once per decoded packet with the reader's reused record: copy what you keep. */
export type PacketHandler = (packet: PacketRecord) => void;

export interface PacketDecoder {
  /** Counters so far; final after end(). */
  readonly summary: ReadSummary;
  /** Decodes every complete record the bytes finish; keeps an incomplete tail for the next push. */
  push(chunk: Uint8Array): void;
  /** Declares the input finished; throws CaptureFormatError if it ended inside a record. */
  end(): void;
}

export interface ReaderOptions {
  /** Name of the input (a file path) for error messages. */
  sourceName?: string;
  /**
   * Awaited after each chunk is decoded: a consumer's back-pressure and progress hook. Receives the
   * input bytes fed so far (for synthetic input: the packets generated so far).
   */
  afterChunk?: (progress: number) => void | Promise<void>;
}

/**
 * Feeds a source through a decoder to its end. On bad input the CaptureFormatError carries the summary
 * of what was decoded before it (the packets already handed out stay handed out).
 */
export async function runDecoder(
  decoder: PacketDecoder,
  source: ByteSource,
  options: ReaderOptions = {},
): Promise<ReadSummary> {
  let fed = 0;
  try {
    for await (const chunk of chunksOf(source)) {
      decoder.push(chunk);
      fed += chunk.length;
      if (options.afterChunk) await options.afterChunk(fed);
    }
    decoder.end();
  } catch (err) {
    if (err instanceof CaptureFormatError) err.summary = decoder.summary;
    throw err;
  }
  return decoder.summary;
}
