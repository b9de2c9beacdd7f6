// The host-side packet record every flow source (pcap, pcapng, Hubble JSON, synthetic generator) fills.
// Readers own ONE record and overwrite it for every packet before handing it to a callback, so the
// hot path allocates nothing per packet: a consumer that wants to keep a packet must copy it
// (copyPacketRecord) before the callback returns.
import type { ObservedFlow } from "./observed-flow.js";

/**
 * TCP flags as a bitmask. FIN..CWR are the bits of TCP header byte 13 (so a raw header byte can be
 * stored as is); NS is the low bit of byte 12, kept above them.
 */
export const TcpFlag = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80,
  NS: 0x100,
} as const;

/** TCP flag names in the order Hubble prints them ("TCP Flags: SYN, ACK"), with their TcpFlag bits. */
export const TCP_FLAG_NAMES: readonly (readonly [string, number])[] = [
  ["SYN", TcpFlag.SYN],
  ["ACK", TcpFlag.ACK],
  ["FIN", TcpFlag.FIN],
  ["RST", TcpFlag.RST],
  ["PSH", TcpFlag.PSH],
  ["URG", TcpFlag.URG],
  ["ECE", TcpFlag.ECE],
  ["CWR", TcpFlag.CWR],
  ["NS", TcpFlag.NS],
];

/** The names of the flags set in a TcpFlag mask, in Hubble's order. */
export function tcpFlagNames(mask: number): string[] {
  return TCP_FLAG_NAMES.filter(([, bit]) => (mask & bit) !== 0).map(([name]) => name);
}

/** Where a packet enters the emulated node. */
export const EntryPoint = {
  /** Not known from the input; the replayer decides from the snapshot (source is a local endpoint or not). */
  Unknown: 0,
  /** Sent by a local endpoint (pod), seen by bpf_lxc (Cilium's from-container program). */
  FromEndpoint: 1,
  /** Arrived on a native network device (bpf_host from-netdev). */
  FromNetwork: 2,
  /** Arrived through the tunnel device (bpf_overlay from-overlay). */
  FromOverlay: 3,
} as const;
export type EntryPoint = (typeof EntryPoint)[keyof typeof EntryPoint];

/** Whether a packet is a reply of its connection, when the input says so (Hubble's is_reply, synthetic flows). */
export const ReplyState = {
  Unknown: 0,
  /** A packet in the direction of the connection's originator. */
  Original: 1,
  /** A packet flowing back to the originator. */
  Reply: 2,
} as const;
export type ReplyState = (typeof ReplyState)[keyof typeof ReplyState];

/** ICMP types that carry an echo identifier, which takes the place of a port (as in Cilium's CT tuple). */
export const IcmpType = {
  ECHO_REPLY: 0,
  DEST_UNREACH: 3,
  ECHO: 8,
  TIME_EXCEEDED: 11,
} as const;

/**
 * One IPv4 packet as the datapath needs it. All numbers are host-order integers.
 *
 * Ports: for TCP, UDP and SCTP the header's ports. For ICMP echo the identifier stands in for a port the
 * way Cilium's conntrack places it (request: sport = id, dport = 0; reply: sport = 0, dport = id, so a
 * reply matches the reversed request); every other ICMP message has both ports 0.
 */
export interface PacketRecord {
  /** Whole seconds since the Unix epoch (UTC). */
  seconds: number;
  /** Nanoseconds within the second, 0..999 999 999. */
  nanoseconds: number;
  /** IPv4 source address as a u32 (10.0.0.1 = 0x0a000001). */
  saddr: number;
  /** IPv4 destination address as a u32. */
  daddr: number;
  sport: number;
  dport: number;
  /** IP protocol number (IpProto). */
  proto: number;
  /** TcpFlag bits; 0 for other protocols. */
  tcpFlags: number;
  /** IPv4 total length from the header (0 when the source does not carry it, e.g. Hubble). */
  ipLength: number;
  /** Length of the frame on the wire (pcap orig_len); 0 when unknown. */
  wireLength: number;
  /** Bytes of the frame present in the capture (pcap incl_len); 0 when there is no frame. */
  capturedLength: number;
  /** ICMP type and code; 0 for other protocols. */
  icmpType: number;
  icmpCode: number;
  entry: EntryPoint;
  reply: ReplyState;
  /** 1-based number of the packet (frame, flow line or generated packet) in its input, counting skipped ones. */
  packetNumber: number;
  /** Byte offset of the packet's record in the input (pcap record header, pcapng block, Hubble line). */
  byteOffset: number;
  /** pcapng interface ID (0 for other inputs). */
  interfaceId: number;
  /** What Hubble reported for this flow; null for captures and synthetic flows. */
  observed: ObservedFlow | null;
  /**
   * Synthetic flows: the generator's connection number (1-based, unique in the workload) and the
   * slot the connection occupies (1-based; connections open at the same time never share a slot), so
   * a replayer can pair each reply with the translation of its request. 0 for other inputs.
   */
  connection: number;
  connectionSlot: number;
  /**
   * DSR info the packet arrives with on the backend's node (nodeport_extract_dsr_v4): the service
   * address and port carried by Cilium's Geneve DSR option, its IPv4 DSR option, or an IPIP packet's
   * inner destination; 0 for none. Set by whoever hands a packet from one node to the next (from the
   * previous hop's DatapathVerdict dsrAddr/dsrPort); captures and Hubble flows leave it 0.
   */
  dsrAddr: number;
  dsrPort: number;
}

/** A zeroed record for a reader to reuse. */
export function createPacketRecord(): PacketRecord {
  return {
    seconds: 0,
    nanoseconds: 0,
    saddr: 0,
    daddr: 0,
    sport: 0,
    dport: 0,
    proto: 0,
    tcpFlags: 0,
    ipLength: 0,
    wireLength: 0,
    capturedLength: 0,
    icmpType: 0,
    icmpCode: 0,
    entry: EntryPoint.Unknown,
    reply: ReplyState.Unknown,
    packetNumber: 0,
    byteOffset: 0,
    interfaceId: 0,
    observed: null,
    connection: 0,
    connectionSlot: 0,
    dsrAddr: 0,
    dsrPort: 0,
  };
}

/** Clears the per-packet fields a decoder may leave unset (everything but the position fields). */
export function clearPacketFields(packet: PacketRecord): void {
  packet.saddr = 0;
  packet.daddr = 0;
  packet.sport = 0;
  packet.dport = 0;
  packet.proto = 0;
  packet.tcpFlags = 0;
  packet.ipLength = 0;
  packet.icmpType = 0;
  packet.icmpCode = 0;
  packet.entry = EntryPoint.Unknown;
  packet.reply = ReplyState.Unknown;
  packet.dsrAddr = 0;
  packet.dsrPort = 0;
}

/** A detached copy, for consumers that keep packets beyond the callback (tests, small tools). */
export function copyPacketRecord(packet: PacketRecord): PacketRecord {
  return { ...packet, observed: packet.observed ? { ...packet.observed } : null };
}
