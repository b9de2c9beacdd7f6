// Host-side IP address parsing (IPv4 through the model's dotted-quad parser, IPv6 validated with
// ip-num) and Go's netip.Addr.String() formatting, which Cilium's Maglev hash strings embed.
import { IPv6, Validator } from "ip-num";
import { formatIPv4, parseIPv4 } from "../model/ipv4.js";
import { InvalidInputError } from "../model/errors.js";

export type ParsedAddress =
  { family: 4; value: number; bytes: Uint8Array } | { family: 6; bytes: Uint8Array };

/** Parses a dotted-quad IPv4 or an IPv6 address; anything else is an InvalidInputError. */
export function parseAddress(text: string, what = "address"): ParsedAddress {
  const value = parseIPv4(text);
  if (value !== undefined) {
    const bytes = new Uint8Array([value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff]);
    return { family: 4, value, bytes };
  }
  if (text.includes(":") && Validator.isValidIPv6String(text)[0]) {
    let rest = IPv6.fromString(text).getValue();
    const bytes = new Uint8Array(16);
    for (let i = 15; i >= 0; i--) {
      bytes[i] = Number(rest & 0xffn);
      rest >>= 8n;
    }
    return { family: 6, bytes };
  }
  throw new InvalidInputError(`${what} ${JSON.stringify(text)} is not an IPv4 or IPv6 address`);
}

/** Go's netip.Addr.String(): dotted quad, or RFC 5952 IPv6 ("::ffff:a.b.c.d" for IPv4-mapped). */
export function formatAddressGo(address: ParsedAddress): string {
  const b = address.bytes;
  if (address.family === 4) return formatIPv4(address.value);
  const groups = Array.from({ length: 8 }, (_, i) => (b[2 * i]! << 8) | b[2 * i + 1]!);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  }
  // The longest run of at least two zero groups becomes "::" (the first one on a tie).
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  const hex = (from: number, to: number): string =>
    groups
      .slice(from, to)
      .map((g) => g.toString(16))
      .join(":");
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}`;
}
