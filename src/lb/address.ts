// Host-side IP address parsing (validated with ip-num) and Go's netip.Addr.String() formatting,
// which Cilium's Maglev hash strings embed.
import { IPv6, Validator } from "ip-num";
import { InvalidInputError } from "./errors.js";

export type ParsedAddress =
  { family: 4; value: number; bytes: Uint8Array } | { family: 6; bytes: Uint8Array };

/** Parses a dotted-quad IPv4 or an IPv6 address; anything else is an InvalidInputError. */
export function parseAddress(text: string, what = "address"): ParsedAddress {
  if (Validator.isValidIPv4String(text)[0]) {
    // ip-num has validated four decimal octets 0..255 without leading zeros; read them directly.
    let value = 0;
    let octet = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code === 46) {
        value = (value << 8) | octet;
        octet = 0;
      } else octet = octet * 10 + (code - 48);
    }
    value = ((value << 8) | octet) >>> 0;
    const bytes = new Uint8Array([value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff]);
    return { family: 4, value, bytes };
  }
  if (text.includes(":") && Validator.isValidIPv6String(text)[0]) {
    let value = IPv6.fromString(text).getValue();
    const bytes = new Uint8Array(16);
    for (let i = 15; i >= 0; i--) {
      bytes[i] = Number(value & 0xffn);
      value >>= 8n;
    }
    return { family: 6, bytes };
  }
  throw new InvalidInputError(`${what} ${JSON.stringify(text)} is not an IPv4 or IPv6 address`);
}

/** Parses an IPv4 address to its host-order value (10.0.0.1 = 0x0a000001). */
export function parseIPv4(text: string, what = "address"): number {
  const parsed = parseAddress(text, what);
  if (parsed.family !== 4)
    throw new InvalidInputError(`${what} ${JSON.stringify(text)} is not an IPv4 address`);
  return parsed.value;
}

/** Go's netip.Addr.String(): dotted quad, or RFC 5952 IPv6 ("::ffff:a.b.c.d" for IPv4-mapped). */
export function formatAddressGo(address: ParsedAddress): string {
  const b = address.bytes;
  if (address.family === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
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
