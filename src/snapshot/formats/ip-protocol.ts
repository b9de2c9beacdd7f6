// Protocol names as Cilium's u8proto prints them; other protocol numbers print as decimals.
import { parseDecimal } from "./address-text.js";

const NAMES: ReadonlyMap<string, number> = new Map([
  ["ANY", 0],
  ["ICMP", 1],
  ["TCP", 6],
  ["UDP", 17],
  ["ICMPv6", 58],
  ["SCTP", 132],
]);

/** The IP protocol number of a printed protocol, or undefined. */
export function protocolNumber(printed: string): number | undefined {
  return NAMES.get(printed) ?? parseDecimal(printed, 0xff);
}

/** The name the newest agents print for a protocol number. */
export function protocolName(nexthdr: number): string {
  for (const [name, number] of NAMES) if (number === nexthdr) return name;
  return String(nexthdr);
}
