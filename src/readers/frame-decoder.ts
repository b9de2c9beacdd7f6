// Decodes one captured frame (link layer -> IPv4 -> TCP/UDP/ICMP/SCTP) into the reused packet record.
// Reads bytes in place, allocates nothing. A frame that is not an IPv4 packet the datapath can use is
// counted once in the skip counters, by reason, and reported as not decoded.
import { IcmpType, IpProto, type PacketRecord } from "../model/packet.js";
import { LinkType } from "./link-type.js";
import type { SkipCounts } from "./skip-counts.js";

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_ARP = 0x0806;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100;
const ETHERTYPE_QINQ = 0x88a8;
const ETHERTYPE_QINQ_OLD = 0x9100;

const ETHERNET_HEADER = 14;
const SLL_HEADER = 16;
const SLL2_HEADER = 20;
const IPV4_MIN_HEADER = 20;
// An L4 header is decoded only when its whole fixed part was captured; a cut one is a "truncated-l4" skip.
const TCP_HEADER = 20;
const UDP_HEADER = 8;
const SCTP_COMMON_HEADER = 12;
const ICMP_HEADER = 8;

/**
 * Fills `packet` from the frame bytes[start, start + capturedLength) of the given link type.
 * Returns true when the packet is an IPv4 packet the datapath handles; otherwise counts the skip and
 * returns false (the record is then partially overwritten and must not be used).
 * The caller sets the position fields (time, lengths, packet number, offset).
 */
export function decodeFrame(
  bytes: Uint8Array,
  start: number,
  capturedLength: number,
  wireLength: number,
  linkType: number,
  packet: PacketRecord,
  skipped: SkipCounts,
): boolean {
  const end = start + capturedLength;
  switch (linkType) {
    case LinkType.ETHERNET:
      if (capturedLength < ETHERNET_HEADER) return skip(skipped, "truncated-l2");
      return decodeEthertype(
        bytes,
        start + ETHERNET_HEADER,
        end,
        u16(bytes, start + 12),
        start,
        wireLength,
        packet,
        skipped,
      );
    case LinkType.LINUX_SLL:
      if (capturedLength < SLL_HEADER) return skip(skipped, "truncated-l2");
      return decodeEthertype(
        bytes,
        start + SLL_HEADER,
        end,
        u16(bytes, start + 14),
        start,
        wireLength,
        packet,
        skipped,
      );
    case LinkType.LINUX_SLL2:
      if (capturedLength < SLL2_HEADER) return skip(skipped, "truncated-l2");
      return decodeEthertype(
        bytes,
        start + SLL2_HEADER,
        end,
        u16(bytes, start),
        start,
        wireLength,
        packet,
        skipped,
      );
    case LinkType.RAW:
      if (capturedLength < 1) return skip(skipped, "truncated-l3");
      switch (bytes[start]! >>> 4) {
        case 4:
          return decodeIPv4(bytes, start, end, wireLength, packet, skipped);
        case 6:
          return skip(skipped, "ipv6");
        default:
          return skip(skipped, "malformed-ip");
      }
    case LinkType.IPV4:
      return decodeIPv4(bytes, start, end, wireLength, packet, skipped);
    case LinkType.IPV6:
      return skip(skipped, "ipv6");
    default:
      return skip(skipped, "unsupported-link-type");
  }
}

function decodeEthertype(
  bytes: Uint8Array,
  offset: number,
  end: number,
  ethertype: number,
  frameStart: number,
  wireLength: number,
  packet: PacketRecord,
  skipped: SkipCounts,
): boolean {
  // Any number of stacked VLAN tags: each is 2 bytes of TCI followed by the next Ethernet type.
  while (ethertype === ETHERTYPE_VLAN || ethertype === ETHERTYPE_QINQ || ethertype === ETHERTYPE_QINQ_OLD) {
    if (offset + 4 > end) return skip(skipped, "truncated-l2");
    ethertype = u16(bytes, offset + 2);
    offset += 4;
  }
  switch (ethertype) {
    case ETHERTYPE_IPV4:
      return decodeIPv4(bytes, offset, end, wireLength - (offset - frameStart), packet, skipped);
    case ETHERTYPE_IPV6:
      return skip(skipped, "ipv6");
    case ETHERTYPE_ARP:
      return skip(skipped, "arp");
    default:
      return skip(skipped, "other-ethertype");
  }
}

/** `wireIpLength` is what the wire frame holds from the IP header on (for TSO captures with length 0). */
function decodeIPv4(
  bytes: Uint8Array,
  offset: number,
  end: number,
  wireIpLength: number,
  packet: PacketRecord,
  skipped: SkipCounts,
): boolean {
  const available = end - offset;
  if (available < 1) return skip(skipped, "truncated-l3");
  const versionIhl = bytes[offset]!;
  if (versionIhl >>> 4 !== 4) return skip(skipped, "malformed-ip");
  const headerLength = (versionIhl & 0x0f) * 4;
  // The header-length nibble alone shows an impossible header, however much was captured.
  if (headerLength < IPV4_MIN_HEADER) return skip(skipped, "malformed-ip");
  if (available < headerLength) return skip(skipped, "truncated-l3");
  let totalLength = u16(bytes, offset + 2);
  // A total length of 0 is what TSO/GSO super-packets show when captured before segmentation;
  // like Wireshark (ip.tso_support), take the length from the frame instead.
  if (totalLength === 0) totalLength = Math.max(wireIpLength, available);
  if (totalLength < headerLength) return skip(skipped, "malformed-ip");
  if ((u16(bytes, offset + 6) & 0x1fff) !== 0) return skip(skipped, "ipv4-fragment");

  const proto = bytes[offset + 9]!;
  packet.proto = proto;
  packet.ipLength = totalLength;
  packet.saddr = u32(bytes, offset + 12);
  packet.daddr = u32(bytes, offset + 16);
  packet.tcpFlags = 0;
  packet.icmpType = 0;
  packet.icmpCode = 0;

  const l4 = offset + headerLength;
  const ipEnd = offset + totalLength;
  // Bytes of L4 header present: limited by the capture and by the IP packet itself (Ethernet padding
  // after a short packet is not L4 data).
  const l4Captured = Math.min(end, ipEnd) - l4;
  switch (proto) {
    case IpProto.TCP:
      if (l4Captured < TCP_HEADER) return short(skipped, end, ipEnd, l4 + TCP_HEADER);
      // Flags: byte 13, plus NS, the low bit of byte 12.
      packet.sport = u16(bytes, l4);
      packet.dport = u16(bytes, l4 + 2);
      packet.tcpFlags = bytes[l4 + 13]! | ((bytes[l4 + 12]! & 0x01) << 8);
      return true;
    case IpProto.UDP:
      if (l4Captured < UDP_HEADER) return short(skipped, end, ipEnd, l4 + UDP_HEADER);
      packet.sport = u16(bytes, l4);
      packet.dport = u16(bytes, l4 + 2);
      return true;
    case IpProto.SCTP:
      if (l4Captured < SCTP_COMMON_HEADER) return short(skipped, end, ipEnd, l4 + SCTP_COMMON_HEADER);
      packet.sport = u16(bytes, l4);
      packet.dport = u16(bytes, l4 + 2);
      return true;
    case IpProto.ICMP: {
      if (l4Captured < ICMP_HEADER) return short(skipped, end, ipEnd, l4 + ICMP_HEADER);
      const type = bytes[l4]!;
      packet.icmpType = type;
      packet.icmpCode = bytes[l4 + 1]!;
      packet.sport = 0;
      packet.dport = 0;
      if (type === IcmpType.ECHO || type === IcmpType.ECHO_REPLY) {
        // The identifier takes a port's place as in Cilium's CT tuple: request as source, reply as destination.
        if (type === IcmpType.ECHO) packet.sport = u16(bytes, l4 + 4);
        else packet.dport = u16(bytes, l4 + 4);
      }
      return true;
    }
    default:
      return skip(skipped, "other-ip-protocol");
  }
}

/** An L4 header missing bytes: cut by the capture's snap length, or an IP packet too short to hold it. */
function short(skipped: SkipCounts, capturedEnd: number, ipEnd: number, needed: number): false {
  return skip(skipped, needed > ipEnd && ipEnd <= capturedEnd ? "malformed-ip" : "truncated-l4");
}

function skip(skipped: SkipCounts, kind: keyof SkipCounts): false {
  skipped[kind]++;
  return false;
}

function u16(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! << 8) | bytes[offset + 1]!;
}

function u32(bytes: Uint8Array, offset: number): number {
  return (
    ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>>
    0
  );
}
