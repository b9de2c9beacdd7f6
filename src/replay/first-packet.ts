// The capture time of an input's first packet, read without reading the rest: the replay places the
// snapshot's CT lifetimes relative to it (the dumps are taken as if right before the capture).
import type { ByteSource } from "../readers/byte-source.js";
import { CaptureFormatError } from "../readers/capture-error.js";
import { readCapture, type ReadCaptureOptions } from "./read-capture.js";

class FirstPacketFound extends Error {}

/**
 * Whole seconds of the first packet, or null when the input has none (or is corrupt before it: the
 * replay itself reports that). Other errors (unknown format, invalid spec) are thrown.
 */
export async function firstPacketSeconds(
  source: ByteSource,
  options: Pick<ReadCaptureOptions, "format" | "sourceName"> = {},
): Promise<number | null> {
  let seconds: number | null = null;
  const found = new FirstPacketFound();
  try {
    await readCapture(
      source,
      (packet) => {
        seconds = packet.seconds;
        throw found;
      },
      options,
    );
  } catch (error) {
    if (error !== found && !(error instanceof CaptureFormatError)) throw error;
  }
  return seconds;
}
