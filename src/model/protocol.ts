// L4 protocols as Cilium names them in dumps (u8proto): the number in BPF keys, the name in text.

export type L4Protocol = "ANY" | "ICMP" | "TCP" | "UDP" | "ICMPv6" | "SCTP";

const NUMBERS: Readonly<Record<L4Protocol, number>> = {
  ANY: 0,
  ICMP: 1,
  TCP: 6,
  UDP: 17,
  ICMPv6: 58,
  SCTP: 132,
};

/** The IANA protocol number stored in BPF keys and values. */
export function protocolNumber(protocol: L4Protocol): number {
  return NUMBERS[protocol];
}

/** Parses a protocol name as printed by cilium-dbg (case-insensitive); undefined if unknown. */
export function parseProtocol(text: string): L4Protocol | undefined {
  const upper = text.toUpperCase();
  if (upper === "ICMPV6") return "ICMPv6";
  return upper in NUMBERS ? (upper as L4Protocol) : undefined;
}
