// Packets a reader saw but could not turn into an IPv4 packet record, counted by reason. Every frame or
// flow line of an input ends up either as a record or in exactly one of these counters.

/** Why a packet was skipped. */
export const SKIP_KINDS = [
  /** IPv6 packets (Ethernet type 0x86dd, raw-IP version 6, Hubble flows with IPv6 addresses). */
  "ipv6",
  /** ARP frames. */
  "arp",
  /** IPv4 fragments other than the first (no L4 header to read ports from). */
  "ipv4-fragment",
  /** Frames whose Ethernet type is neither IPv4, IPv6, ARP nor a VLAN tag (LLDP, 802.3/LLC, ...). */
  "other-ethertype",
  /** IPv4 packets of a protocol other than TCP, UDP, ICMP or SCTP (GRE, ESP, IGMP, ...). */
  "other-ip-protocol",
  /** Frames cut (by the snap length) before the end of the link-layer header. */
  "truncated-l2",
  /** Frames cut inside the IPv4 header. */
  "truncated-l3",
  /** Frames cut inside the fixed L4 header (TCP 20, UDP 8, SCTP 12, ICMP 8 bytes). */
  "truncated-l4",
  /** IPv4 headers that cannot be right (header length < 20, total length < header length). */
  "malformed-ip",
  /** Packets on an interface whose link type the readers do not decode (802.11, USB, ...). */
  "unsupported-link-type",
  /** pcapng custom blocks: listed as frames by Wireshark, but they hold no network packet. */
  "pcapng-custom-block",
  /** Hubble lines that are not flows (node status, lost events, agent or debug events). */
  "hubble-non-flow",
  /** Hubble lines that are not valid JSON (only counted when the reader is told to skip them). */
  "hubble-malformed",
  /** Hubble flows without an IP layer. */
  "hubble-no-ip",
  /** Hubble IPv4 flows without an L4 layer. */
  "hubble-no-l4",
  /** Hubble L7 (proxy) flows: requests and responses, not packets. */
  "hubble-l7",
  /** Hubble socket-LB translation events (Type SOCK): no packet crossed the datapath. */
  "hubble-sock",
] as const;

export type SkipKind = (typeof SKIP_KINDS)[number];

/** A counter per kind; readers increment fields in place (no allocation per packet). */
export type SkipCounts = Record<SkipKind, number>;

export function createSkipCounts(): SkipCounts {
  const counts = {} as SkipCounts;
  for (const kind of SKIP_KINDS) counts[kind] = 0;
  return counts;
}

/** Sum of all counters. */
export function totalSkipped(counts: SkipCounts): number {
  let total = 0;
  for (const kind of SKIP_KINDS) total += counts[kind];
  return total;
}

/** Only the non-zero counters, for summaries. */
export function nonZeroSkips(counts: SkipCounts): Partial<SkipCounts> {
  const out: Partial<SkipCounts> = {};
  for (const kind of SKIP_KINDS) if (counts[kind] > 0) out[kind] = counts[kind];
  return out;
}
