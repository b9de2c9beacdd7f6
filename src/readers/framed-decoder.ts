// What the pcap and pcapng decoders share: a RecordFramer (push() cuts the records), one reused packet record,
// the read summary, field reads in the byte order the file (or pcapng section) declares, errors
// positioned at the record being read, and handing a decoded IPv4 frame to the caller.
import { createPacketRecord, type PacketRecord } from "../model/packet.js";
import { CaptureFormatError } from "./capture-error.js";
import { inClockRange } from "./clock-range.js";
import { decodeFrame } from "./frame-decoder.js";
import type { PacketDecoder, PacketHandler } from "./packet-decoder.js";
import { createReadSummary, type CaptureFormat, type ReadSummary } from "./read-summary.js";
import { RecordFramer } from "./record-framer.js";

export abstract class FramedDecoder extends RecordFramer implements PacketDecoder {
  readonly summary: ReadSummary;
  protected readonly packet: PacketRecord = createPacketRecord();
  /** Byte order of the multi-byte fields being read. */
  protected littleEndian = true;

  constructor(
    private readonly format: CaptureFormat,
    private readonly onPacket: PacketHandler,
    private readonly sourceName: string | undefined,
  ) {
    super();
    this.summary = createReadSummary(format);
  }

  abstract end(): void;

  /**
   * Decodes the current packet's frame (its time and lengths already set); counts and hands it on if it
   * is IPv4 and its time fits the datapath clock.
   */
  protected deliver(bytes: Uint8Array, frameStart: number, linkType: number): void {
    const packet = this.packet;
    if (!inClockRange(packet.seconds)) {
      this.summary.skipped["time-out-of-range"]++;
      return;
    }
    if (
      decodeFrame(
        bytes,
        frameStart,
        packet.capturedLength,
        packet.wireLength,
        linkType,
        packet,
        this.summary.skipped,
      )
    ) {
      this.summary.packets++;
      this.onPacket(packet);
    }
  }

  /** Bad input at the record being read, as packet `packetNumber`. */
  protected errorAt(packetNumber: number, problem: string): CaptureFormatError {
    return new CaptureFormatError(
      { format: this.format, byteOffset: this.offset, packetNumber, source: this.sourceName },
      problem,
    );
  }

  protected u16(bytes: Uint8Array, offset: number): number {
    return this.littleEndian
      ? bytes[offset]! | (bytes[offset + 1]! << 8)
      : (bytes[offset]! << 8) | bytes[offset + 1]!;
  }

  protected u32(bytes: Uint8Array, offset: number): number {
    return this.littleEndian ? u32le(bytes, offset) : u32be(bytes, offset);
  }
}

/** A little-endian u32, e.g. a magic number read before the byte order is known. */
export function u32le(bytes: Uint8Array, offset: number): number {
  return (
    (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24)) >>>
    0
  );
}

function u32be(bytes: Uint8Array, offset: number): number {
  return (
    ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>>
    0
  );
}
