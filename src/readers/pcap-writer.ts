// The readers' counterpart: a packet record as a classic pcap record (little-endian, microsecond
// timestamps, Ethernet + IPv4 + a bare TCP or UDP header). Used to record what a replay saw enter
// the datapath, so the recording can be replayed as a real capture (benchmarks, tests).
import { IpProto, type PacketRecord } from "../model/packet.js";

export const PCAP_FILE_HEADER_BYTES = 24;
const RECORD_HEADER = 16;
const ETHERNET = 14;
const IPV4 = 20;
const ETHERTYPE_IPV4 = 0x0800;
const LINKTYPE_ETHERNET = 1;

/** A pcap file header: magic 0xa1b2c3d4 (µs), version 2.4, Ethernet link type. */
export function pcapFileHeader(snapLength = 262144): Uint8Array {
  const header = new Uint8Array(PCAP_FILE_HEADER_BYTES);
  const v = new DataView(header.buffer);
  v.setUint32(0, 0xa1b2c3d4, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setUint32(16, snapLength, true);
  v.setUint32(20, LINKTYPE_ETHERNET, true);
  return header;
}

/**
 * One pcap record of the packet: its time (µs), addresses, ports, protocol and TCP flags. The IP
 * total length is the packet's own when it is larger than the headers (the frame then carries a
 * zero payload), else just the headers.
 */
export function pcapRecordOf(p: PacketRecord): Uint8Array {
  const l4 = p.proto === IpProto.TCP ? 20 : 8;
  const ipLength = Math.max(p.ipLength, IPV4 + l4);
  const frame = ETHERNET + ipLength;
  const bytes = new Uint8Array(RECORD_HEADER + frame);
  const v = new DataView(bytes.buffer);
  v.setUint32(0, p.seconds, true);
  v.setUint32(4, Math.floor(p.nanoseconds / 1000), true);
  v.setUint32(8, frame, true);
  v.setUint32(12, frame, true);
  v.setUint16(RECORD_HEADER + 12, ETHERTYPE_IPV4);
  const ip = RECORD_HEADER + ETHERNET;
  v.setUint8(ip, 0x45);
  v.setUint16(ip + 2, ipLength);
  v.setUint8(ip + 8, 64);
  v.setUint8(ip + 9, p.proto);
  v.setUint32(ip + 12, p.saddr);
  v.setUint32(ip + 16, p.daddr);
  v.setUint16(ip + 20, p.sport);
  v.setUint16(ip + 22, p.dport);
  if (p.proto === IpProto.TCP) {
    v.setUint8(ip + 32, 0x50);
    v.setUint8(ip + 33, p.tcpFlags & 0xff);
  } else {
    v.setUint16(ip + 24, ipLength - IPV4);
  }
  return bytes;
}
