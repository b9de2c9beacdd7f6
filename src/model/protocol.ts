// L4 protocols, the one table of the project: the number in packet records and BPF keys (Cilium's
// u8proto), the name cilium-dbg and Hubble print.

/**
 * IP protocol numbers as packet records and BPF map keys hold them. ANY (0) is a service without
 * protocol differentiation (releases up to 1.15, or `--bpf-lb-proto-diff=false`).
 */
export const IpProto = { ANY: 0, ICMP: 1, TCP: 6, UDP: 17, ICMPv6: 58, SCTP: 132 } as const;

/** A protocol's name as Cilium prints it (`TCP`, `ICMPv6`, ...). */
export type L4Protocol = keyof typeof IpProto;

const NAMES: ReadonlyMap<number, L4Protocol> = new Map(
  Object.entries(IpProto).map(([name, number]) => [number, name as L4Protocol]),
);

/** The IANA protocol number stored in BPF keys and values. */
export function protocolNumber(protocol: L4Protocol): number {
  return IpProto[protocol];
}

/** Parses a protocol name as printed by cilium-dbg (case-insensitive); undefined if unknown. */
export function parseProtocol(text: string): L4Protocol | undefined {
  const upper = text.toUpperCase();
  if (upper === "ICMPV6") return "ICMPv6";
  return Object.hasOwn(IpProto, upper) ? (upper as L4Protocol) : undefined;
}

/** The name Cilium prints for a protocol number, or undefined for a number it has no name for. */
export function protocolName(nexthdr: number): L4Protocol | undefined {
  return NAMES.get(nexthdr);
}
