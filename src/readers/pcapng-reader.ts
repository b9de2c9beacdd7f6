// Streaming reader for pcapng (IETF draft-ietf-opsawg-pcapng): any number of sections, each in its own
// byte order; per-interface link type, timestamp resolution (if_tsresol, decimal or binary) and offset
// (if_tsoffset); enhanced, simple and obsolete packet blocks. Blocks that carry no packets (name
// resolution, statistics, secrets, custom, unknown) are skipped by their length.
import { clearPacketFields, type PacketRecord } from "../model/packet.js";
import type { ByteSource } from "./byte-source.js";
import type { CaptureFormatError } from "./capture-error.js";
import { FramedDecoder, u32le } from "./framed-decoder.js";
import { runDecoder, type PacketHandler, type ReaderOptions } from "./packet-decoder.js";
import type { ReadSummary } from "./read-summary.js";
import { TickClock } from "./tick-clock.js";

export const PcapngBlockType = {
  SECTION_HEADER: 0x0a0d0d0a,
  INTERFACE_DESCRIPTION: 0x00000001,
  OBSOLETE_PACKET: 0x00000002,
  SIMPLE_PACKET: 0x00000003,
  ENHANCED_PACKET: 0x00000006,
  CUSTOM_COPIABLE: 0x00000bad,
  CUSTOM_NOT_COPIABLE: 0x40000bad,
} as const;

const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPTION_END = 0;
const OPTION_IF_TSRESOL = 9;
const OPTION_IF_TSOFFSET = 14;
/** Beyond this a block length is corrupt rather than a big packet (Wireshark allows up to 16 MiB packets). */
const MAX_BLOCK = 16 * 1024 * 1024 + 4096;
/**
 * Interfaces one section may describe. Each costs memory until the next section, so a file of nothing
 * but interface descriptions must hit a limit; 2^16 is what an obsolete packet block can address.
 */
export const MAX_INTERFACES_PER_SECTION = 65536;

/** One interface description of the current section. */
export interface PcapngInterface {
  linkType: number;
  /** 0 = no limit. */
  snapLength: number;
  clock: TickClock;
}

/** Decodes a pcapng stream pushed to it into packet records. */
export class PcapngDecoder extends FramedDecoder {
  /** Interfaces of the current section, by interface ID. */
  interfaces: PcapngInterface[] = [];
  /** Sections seen so far. */
  sections = 0;

  constructor(onPacket: PacketHandler, sourceName?: string) {
    super("pcapng", onPacket, sourceName);
  }

  end(): void {
    const pending = this.pendingBytes;
    if (this.sections === 0) {
      throw this.error(`input ends after ${pending} bytes, before the end of the first section header block`);
    }
    if (pending > 0) {
      throw this.error(
        `file ends inside a block: ${pending} bytes present, ${this.missingBytes()} more expected (truncated capture)`,
      );
    }
  }

  protected measure(bytes: Uint8Array, start: number, available: number): number {
    if (available < 8) return -8;
    const typeLE = u32le(bytes, start);
    if (typeLE === PcapngBlockType.SECTION_HEADER) {
      // The section's byte order is only known from the byte-order magic that follows the length.
      if (available < 12) return -12;
      const magicLE = u32le(bytes, start + 8);
      if (magicLE === BYTE_ORDER_MAGIC) this.littleEndian = true;
      else if (magicLE === 0x4d3c2b1a) this.littleEndian = false;
      else
        throw this.error(
          `section header block has an invalid byte-order magic 0x${magicLE.toString(16).padStart(8, "0")}`,
        );
      return this.checkedLength(bytes, start, 28);
    }
    if (this.sections === 0) {
      throw this.error(
        `not a pcapng file: the first block has type 0x${typeLE.toString(16).padStart(8, "0")}, not a section header`,
      );
    }
    return this.checkedLength(bytes, start, 12);
  }

  private checkedLength(bytes: Uint8Array, start: number, minimum: number): number {
    const length = this.u32(bytes, start + 4);
    if (length < minimum || length % 4 !== 0 || length > MAX_BLOCK) {
      throw this.error(
        `block of type 0x${this.u32(bytes, start).toString(16)} has an invalid length ${length} (must be a multiple of 4, ${minimum}..${MAX_BLOCK})`,
      );
    }
    return length;
  }

  protected consume(bytes: Uint8Array, start: number, length: number): void {
    const trailer = this.u32(bytes, start + length - 4);
    if (trailer !== length) {
      throw this.error(`block length ${length} does not match its trailing copy ${trailer} (corrupt block)`);
    }
    switch (this.u32(bytes, start)) {
      case PcapngBlockType.SECTION_HEADER:
        this.readSectionHeader(bytes, start);
        break;
      case PcapngBlockType.INTERFACE_DESCRIPTION:
        this.readInterface(bytes, start, length);
        break;
      case PcapngBlockType.ENHANCED_PACKET:
        this.readEnhancedPacket(bytes, start, length);
        break;
      case PcapngBlockType.SIMPLE_PACKET:
        this.readSimplePacket(bytes, start, length);
        break;
      case PcapngBlockType.OBSOLETE_PACKET:
        this.readObsoletePacket(bytes, start, length);
        break;
      case PcapngBlockType.CUSTOM_COPIABLE:
      case PcapngBlockType.CUSTOM_NOT_COPIABLE:
        // Wireshark lists custom blocks as frames; count them so packet numbers match its frame numbers.
        this.summary.seen++;
        this.summary.skipped["pcapng-custom-block"]++;
        break;
      default:
        // Name resolution, interface statistics, decryption secrets, local-use and unknown blocks: no packets.
        break;
    }
    this.summary.bytesRead += length;
  }

  private readSectionHeader(bytes: Uint8Array, start: number): void {
    const major = this.u16(bytes, start + 12);
    if (major !== 1) {
      throw this.error(`unsupported pcapng version ${major}.${this.u16(bytes, start + 14)} (expected 1.x)`);
    }
    this.sections++;
    // Interface IDs are numbered per section.
    this.interfaces = [];
  }

  private readInterface(bytes: Uint8Array, start: number, length: number): void {
    if (length < 20) throw this.error(`interface description block too short (${length} bytes)`);
    if (this.interfaces.length === MAX_INTERFACES_PER_SECTION) {
      throw this.error(
        `section ${this.sections} describes more than ${MAX_INTERFACES_PER_SECTION} interfaces (corrupt or hostile capture)`,
      );
    }
    const linkType = this.u16(bytes, start + 8);
    const snapLength = this.u32(bytes, start + 12);
    let tsresol = 6;
    let offsetSeconds = 0;
    const optionsEnd = start + length - 4;
    let option = start + 16;
    while (option + 4 <= optionsEnd) {
      const code = this.u16(bytes, option);
      const optionLength = this.u16(bytes, option + 2);
      const value = option + 4;
      if (code === OPTION_END) break;
      if (value + optionLength > optionsEnd) {
        throw this.error(`interface description option ${code} runs past the end of its block`);
      }
      if (code === OPTION_IF_TSRESOL && optionLength >= 1) {
        tsresol = bytes[value]!;
        if (!TickClock.isValidResolution(tsresol)) {
          throw this.error(
            `interface ${this.interfaces.length} has an unusable if_tsresol 0x${tsresol.toString(16)}`,
          );
        }
      } else if (code === OPTION_IF_TSOFFSET && optionLength >= 8) {
        // Signed 64-bit seconds; real offsets are far below 2^53.
        const low = this.u32(bytes, value + (this.littleEndian ? 0 : 4));
        const high = this.u32(bytes, value + (this.littleEndian ? 4 : 0)) | 0;
        offsetSeconds = high * 4294967296 + low;
      }
      option = value + ((optionLength + 3) & ~3);
    }
    this.interfaces.push({ linkType, snapLength, clock: new TickClock(tsresol, offsetSeconds) });
  }

  private readEnhancedPacket(bytes: Uint8Array, start: number, length: number): void {
    this.readTimestampedPacket(bytes, start, length, "enhanced packet block", true);
  }

  private readObsoletePacket(bytes: Uint8Array, start: number, length: number): void {
    this.readTimestampedPacket(bytes, start, length, "packet block", false);
  }

  /**
   * Enhanced and obsolete packet blocks share one layout: interface ID at 8 (u32 in the enhanced
   * block; u16 followed by a drops count in the obsolete one), timestamp at 12, captured and wire
   * lengths at 20 and 24, the frame at 28.
   */
  private readTimestampedPacket(
    bytes: Uint8Array,
    start: number,
    length: number,
    block: string,
    wideInterfaceId: boolean,
  ): void {
    if (length < 32) throw this.error(`${block} too short (${length} bytes)`);
    const interfaceId = wideInterfaceId ? this.u32(bytes, start + 8) : this.u16(bytes, start + 8);
    const capturedLength = this.u32(bytes, start + 20);
    if (capturedLength > length - 32) {
      throw this.error(`${block} claims ${capturedLength} captured bytes but holds ${length - 32}`);
    }
    const packet = this.beginPacket(interfaceId);
    packet.capturedLength = capturedLength;
    packet.wireLength = this.u32(bytes, start + 24);
    this.interfaces[interfaceId]!.clock.toTime(
      this.u32(bytes, start + 12),
      this.u32(bytes, start + 16),
      packet,
    );
    this.deliver(bytes, start + 28, this.interfaces[interfaceId]!.linkType);
  }

  private readSimplePacket(bytes: Uint8Array, start: number, length: number): void {
    if (length < 16) throw this.error(`simple packet block too short (${length} bytes)`);
    const packet = this.beginPacket(0);
    const wireLength = this.u32(bytes, start + 8);
    // A simple packet block has no captured-length field: the frame is cut at the interface's snap length.
    const snap = this.interfaces[0]!.snapLength;
    const capturedLength = snap !== 0 && snap < wireLength ? snap : wireLength;
    if (capturedLength > length - 16) {
      throw this.error(
        `simple packet block of ${length} bytes cannot hold a ${capturedLength}-byte frame`,
        this.summary.seen,
      );
    }
    packet.capturedLength = capturedLength;
    packet.wireLength = wireLength;
    // A simple packet block has no timestamp: the record keeps the previous packet's time, so replay
    // time never runs backwards (0 before any timestamped packet).
    this.deliver(bytes, start + 12, this.interfaces[0]!.linkType);
  }

  private beginPacket(interfaceId: number): PacketRecord {
    const summary = this.summary;
    summary.seen++;
    if (interfaceId >= this.interfaces.length) {
      throw this.error(
        `packet refers to interface ${interfaceId}, but the section describes ${this.interfaces.length} interface(s)`,
        summary.seen,
      );
    }
    const packet = this.packet;
    clearPacketFields(packet);
    packet.packetNumber = summary.seen;
    packet.byteOffset = this.offset;
    packet.interfaceId = interfaceId;
    return packet;
  }

  /** `packetNumber` defaults to the packet after the last one counted. */
  private error(problem: string, packetNumber: number = this.summary.seen + 1): CaptureFormatError {
    return this.errorAt(packetNumber, problem);
  }
}

/** Reads a whole pcapng stream, calling onPacket for every decoded IPv4 packet. */
export function readPcapng(
  source: ByteSource,
  onPacket: PacketHandler,
  options: ReaderOptions = {},
): Promise<ReadSummary> {
  return runDecoder(new PcapngDecoder(onPacket, options.sourceName), source, options);
}
