// One entry point for every flow source: detects the format from the first bytes (unless told), then
// streams the input through the matching reader. A synthetic spec is a small JSON document: it is read
// whole (bounded) and its packets are generated.
import { chunksOf, type ByteSource } from "../readers/byte-source.js";
import { DETECTION_BYTES, detectCaptureFormat } from "../readers/detect-format.js";
import { HubbleDecoder, type HubbleReaderOptions } from "../readers/hubble-reader.js";
import { runDecoder, type PacketDecoder, type PacketHandler } from "../readers/packet-decoder.js";
import { PcapDecoder } from "../readers/pcap-reader.js";
import { PcapngDecoder } from "../readers/pcapng-reader.js";
import type { CaptureFormat, ReadSummary } from "../readers/read-summary.js";
import { readSynthetic, type SyntheticReaderOptions } from "../synthetic/synthetic.js";
import { parseSyntheticSpec, SyntheticSpecError } from "../synthetic/synthetic-spec.js";
import { InvalidInputError } from "../model/errors.js";

/** Formats a prefix of the input decides for good (a synthetic spec needs its whole head). */
const EARLY_FORMATS: ReadonlySet<string> = new Set<CaptureFormat>(["pcap", "pcapng", "hubble"]);

/** A synthetic spec is a small document; anything larger is not one. */
const MAX_SPEC_BYTES = 16 * 1024 * 1024;

/** Options of readCapture: the format (or auto-detection) and each reader's options. */
export interface ReadCaptureOptions extends HubbleReaderOptions, SyntheticReaderOptions {
  /** Input format; "auto" (default) detects it from the first bytes. */
  format?: CaptureFormat | "auto";
  /** Called once the format is known (detected or given). */
  onFormat?: (format: CaptureFormat, description: string) => void;
}

/** Raised when the input is in no format the readers know (or not the one asked for). */
export class UnknownCaptureFormatError extends InvalidInputError {
  constructor(
    readonly description: string,
    readonly sourceName?: string,
  ) {
    super(`${sourceName ? `${sourceName}: ` : ""}unrecognised input: ${description}`);
    this.name = "UnknownCaptureFormatError";
  }
}

/**
 * Reads any supported input, calling onPacket for every packet record. Throws CaptureFormatError
 * (with what was read so far in .summary) on corrupt input, UnknownCaptureFormatError when the format
 * cannot be told, SyntheticSpecError for an invalid spec.
 */
export async function readCapture(
  source: ByteSource,
  onPacket: PacketHandler,
  options: ReadCaptureOptions = {},
): Promise<ReadSummary> {
  const chunks = chunksOf(source);
  try {
    return await readChunks(chunks, onPacket, options);
  } finally {
    // Stopped early (an error, a found first packet): the source is let go of (a file is closed).
    await chunks.return(undefined);
  }
}

async function readChunks(
  chunks: AsyncGenerator<Uint8Array, void, undefined>,
  onPacket: PacketHandler,
  options: ReadCaptureOptions,
): Promise<ReadSummary> {
  // Peek: gather the first chunks until the format is known or there is enough to tell. A capture's
  // magic or the start of a Hubble line decides early, so a slow pipe (`hubble observe --follow`)
  // is replayed as it arrives; what the prefix decides, the whole head would decide too.
  const head: Uint8Array[] = [];
  let headBytes = 0;
  let exhausted = false;
  let detected = detectCaptureFormat(new Uint8Array(0));
  let detectedAt = 0;
  while (headBytes < DETECTION_BYTES) {
    const next = await chunks.next();
    if (next.done) {
      exhausted = true;
      break;
    }
    // Copied: a source may reuse its buffers once the next chunk is asked for (file-source.ts).
    head.push(next.value.slice());
    headBytes += next.value.length;
    // Looked at again when the head has doubled or a line is complete: bounded work for tiny chunks.
    if (headBytes >= 2 * detectedAt || next.value.includes(0x0a)) {
      detectedAt = headBytes;
      detected = detectCaptureFormat(concat(head, Math.min(headBytes, DETECTION_BYTES)));
      if (EARLY_FORMATS.has(detected.format)) break;
    }
  }
  if (detectedAt !== headBytes)
    detected = detectCaptureFormat(concat(head, Math.min(headBytes, DETECTION_BYTES)));
  let format: CaptureFormat;
  if (options.format === undefined || options.format === "auto") {
    if (detected.format === "unknown")
      throw new UnknownCaptureFormatError(detected.description, options.sourceName);
    format = detected.format;
  } else {
    format = options.format;
    if (detected.format !== format && (format === "pcap" || format === "pcapng")) {
      throw new UnknownCaptureFormatError(
        `asked to read ${format}, but the input looks like: ${detected.description}`,
        options.sourceName,
      );
    }
  }
  options.onFormat?.(format, detected.format === format ? detected.description : format);

  // The peeked chunks first, then the rest of the source.
  async function* rest(): AsyncGenerator<Uint8Array, void, undefined> {
    yield* head;
    if (exhausted) return;
    for (;;) {
      const next = await chunks.next();
      if (next.done) return;
      yield next.value;
    }
  }

  if (format === "synthetic") return readSpec(rest(), onPacket, options);
  let decoder: PacketDecoder;
  if (format === "pcap") decoder = new PcapDecoder(onPacket, options.sourceName);
  else if (format === "pcapng") decoder = new PcapngDecoder(onPacket, options.sourceName);
  else decoder = new HubbleDecoder(onPacket, options);
  return runDecoder(decoder, rest(), options);
}

async function readSpec(
  source: AsyncIterable<Uint8Array>,
  onPacket: PacketHandler,
  options: ReadCaptureOptions,
): Promise<ReadSummary> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of source) {
    total += chunk.length;
    if (total > MAX_SPEC_BYTES) {
      throw new SyntheticSpecError(
        "(document)",
        `larger than ${MAX_SPEC_BYTES} bytes: not a spec`,
        options.sourceName,
      );
    }
    parts.push(chunk.slice());
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(concat(parts, total)));
  } catch (err) {
    throw new SyntheticSpecError(
      "(document)",
      `not valid JSON (${(err as Error).message})`,
      options.sourceName,
    );
  }
  return readSynthetic(parseSyntheticSpec(json, options.sourceName), onPacket, options);
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  if (parts.length === 1 && parts[0]!.length === length) return parts[0]!;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    const take = Math.min(part.length, length - offset);
    out.set(part.subarray(0, take), offset);
    offset += take;
    if (offset === length) break;
  }
  return out;
}
