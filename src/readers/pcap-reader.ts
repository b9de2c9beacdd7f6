// Streaming reader for classic pcap files (tcpdump.org/manpages/pcap-savefile.5.txt): microsecond and
// nanosecond magic in either byte order, and the "modified" (Kuznetsov) variant with 24-byte record
// headers. Packets are decoded as the bytes arrive; nothing but a straddling record is ever copied.
import { clearPacketFields } from "../model/packet.js";
import type { ByteSource } from "./byte-source.js";
import { FramedDecoder, u32le } from "./framed-decoder.js";
import { runDecoder, type PacketHandler, type ReaderOptions } from "./packet-decoder.js";
import type { ReadSummary } from "./read-summary.js";

const GLOBAL_HEADER = 24;
const RECORD_HEADER = 16;
const MODIFIED_RECORD_HEADER = 24;
/** Wireshark's limit for ordinary link types; a larger snap length in the header raises it. */
const STANDARD_MAX_PACKET = 262144;
/** No capture has frames this large: beyond it a length field is corrupt, not a big packet. */
const ABSOLUTE_MAX_PACKET = 16 * 1024 * 1024;

const MAGIC_MICRO = 0xa1b2c3d4;
const MAGIC_NANO = 0xa1b23c4d;
const MAGIC_MODIFIED = 0xa1b2cd34;

/** What the file header says; available once the first 24 bytes are read. */
export interface PcapHeader {
  littleEndian: boolean;
  nanosecond: boolean;
  /** Kuznetsov's patched libpcap format (extra 8 bytes per record). */
  modified: boolean;
  versionMajor: number;
  versionMinor: number;
  snapLength: number;
  linkType: number;
}

/** The magic numbers of a pcap file as read little-endian from its first 4 bytes; undefined if not pcap. */
export function pcapMagicInfo(
  firstWord: number,
): { littleEndian: boolean; nanosecond: boolean; modified: boolean } | undefined {
  const swapped =
    ((firstWord & 0xff) << 24) |
    ((firstWord & 0xff00) << 8) |
    ((firstWord >>> 8) & 0xff00) |
    (firstWord >>> 24);
  for (const [word, littleEndian] of [
    [firstWord >>> 0, true],
    [swapped >>> 0, false],
  ] as const) {
    if (word === MAGIC_MICRO) return { littleEndian, nanosecond: false, modified: false };
    if (word === MAGIC_NANO) return { littleEndian, nanosecond: true, modified: false };
    if (word === MAGIC_MODIFIED) return { littleEndian, nanosecond: false, modified: true };
  }
  return undefined;
}

/** Decodes a pcap stream pushed to it into packet records. */
export class PcapDecoder extends FramedDecoder {
  /** The file header, once read. */
  header: PcapHeader | undefined;
  private recordHeaderLength = RECORD_HEADER;
  private maxPacket = STANDARD_MAX_PACKET;
  private fractionToNanos = 1000;

  constructor(onPacket: PacketHandler, sourceName?: string) {
    super("pcap", onPacket, sourceName);
  }

  end(): void {
    if (this.header === undefined) {
      throw this.errorAt(
        1,
        `input ends after ${this.pendingBytes} bytes, before the end of the ${GLOBAL_HEADER}-byte pcap file header`,
      );
    }
    const pending = this.pendingBytes;
    if (pending > 0) {
      throw this.errorAt(
        this.summary.seen + 1,
        `file ends inside a packet record: ${pending} bytes present, ${this.missingBytes()} more expected (truncated capture)`,
      );
    }
  }

  protected measure(bytes: Uint8Array, start: number, available: number): number {
    if (this.header === undefined) return available < GLOBAL_HEADER ? -GLOBAL_HEADER : GLOBAL_HEADER;
    if (available < this.recordHeaderLength) return -this.recordHeaderLength;
    const capturedLength = this.u32(bytes, start + 8);
    if (capturedLength > this.maxPacket) {
      throw this.errorAt(
        this.summary.seen + 1,
        `record claims ${capturedLength} captured bytes, more than the ${this.maxPacket}-byte limit (corrupt length field)`,
      );
    }
    return this.recordHeaderLength + capturedLength;
  }

  protected consume(bytes: Uint8Array, start: number, length: number): void {
    if (this.header === undefined) {
      this.readHeader(bytes, start);
    } else {
      this.readRecord(bytes, start, length);
    }
    this.summary.bytesRead += length;
  }

  private readHeader(bytes: Uint8Array, start: number): void {
    const firstWord = u32le(bytes, start);
    const magic = pcapMagicInfo(firstWord);
    if (magic === undefined) {
      throw this.errorAt(
        1,
        `not a pcap file: magic number 0x${firstWord.toString(16).padStart(8, "0")} (little-endian read)`,
      );
    }
    this.littleEndian = magic.littleEndian;
    const versionMajor = this.u16(bytes, start + 4);
    const versionMinor = this.u16(bytes, start + 6);
    if (versionMajor !== 2) {
      throw this.errorAt(1, `unsupported pcap version ${versionMajor}.${versionMinor} (expected 2.x)`);
    }
    const snapLength = this.u32(bytes, start + 16);
    // The low 16 bits are the link type; the high bits may carry FCS-length information.
    const linkType = this.u32(bytes, start + 20) & 0xffff;
    this.header = { ...magic, versionMajor, versionMinor, snapLength, linkType };
    this.recordHeaderLength = magic.modified ? MODIFIED_RECORD_HEADER : RECORD_HEADER;
    this.fractionToNanos = magic.nanosecond ? 1 : 1000;
    this.maxPacket = Math.max(STANDARD_MAX_PACKET, Math.min(snapLength, ABSOLUTE_MAX_PACKET));
  }

  private readRecord(bytes: Uint8Array, start: number, length: number): void {
    const packet = this.packet;
    const summary = this.summary;
    summary.seen++;
    clearPacketFields(packet);
    packet.packetNumber = summary.seen;
    packet.byteOffset = this.offset;
    // Fractions beyond one second (seen in broken writers) carry into the seconds, as a time value.
    const nanos = this.u32(bytes, start + 4) * this.fractionToNanos;
    const carry = Math.floor(nanos / 1e9);
    packet.seconds = this.u32(bytes, start) + carry;
    packet.nanoseconds = nanos - carry * 1e9;
    packet.capturedLength = length - this.recordHeaderLength;
    packet.wireLength = this.u32(bytes, start + 12);
    this.deliver(bytes, start + this.recordHeaderLength, this.header!.linkType);
  }
}

/** Reads a whole pcap stream, calling onPacket for every decoded IPv4 packet. */
export function readPcap(
  source: ByteSource,
  onPacket: PacketHandler,
  options: ReaderOptions = {},
): Promise<ReadSummary> {
  return runDecoder(new PcapDecoder(onPacket, options.sourceName), source, options);
}
