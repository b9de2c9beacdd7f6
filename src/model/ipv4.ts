// IPv4 addresses as host-order u32 integers (10.0.0.1 = 0x0a000001), the form packet records use.
// The one dotted-quad grammar of the project: every parser that accepts IPv4 text goes through here
// and wraps a rejection in its own error (or lets requireIPv4 throw one).
import { InvalidInputError } from "./errors.js";

/** Parses a dotted quad; undefined when the text is not exactly four decimal octets 0..255. */
export function parseIPv4(text: string): number | undefined {
  return parseDottedQuad(text, 0, text.length);
}

/** parseIPv4 on bytes[start, end) of ASCII input, for readers that scan raw bytes. */
export function parseIPv4Bytes(bytes: Uint8Array, start: number, end: number): number | undefined {
  return parseDottedQuad(bytes, start, end);
}

/**
 * The grammar behind both, over the character codes of source[start, end). The source is passed
 * itself, not through a callback, so a call allocates nothing (the Hubble reader parses two
 * addresses per flow).
 */
function parseDottedQuad(source: string | Uint8Array, start: number, end: number): number | undefined {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = typeof source === "string" ? source.charCodeAt(i) : source[i]!;
    if (c >= 48 && c <= 57) {
      // No leading zeros beyond a single "0": "010" is ambiguous (octal in some tools).
      if (digits > 0 && octet === 0) return undefined;
      octet = octet * 10 + (c - 48);
      digits++;
      if (octet > 255) return undefined;
    } else if (c === 46) {
      if (digits === 0 || dots === 3) return undefined;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else {
      return undefined;
    }
  }
  if (digits === 0 || dots !== 3) return undefined;
  return value * 256 + octet;
}

/** True when the text is a dotted quad parseIPv4 accepts (the form Go prints). */
export function isIPv4(text: string): boolean {
  return parseIPv4(text) !== undefined;
}

/** Dotted-quad text of a u32 address. */
export function formatIPv4(address: number): string {
  return `${(address >>> 24) & 0xff}.${(address >>> 16) & 0xff}.${(address >>> 8) & 0xff}.${address & 0xff}`;
}

/**
 * Parses a dotted quad to its host-order value (`"10.0.0.1"` → `0x0a000001`); anything else is an
 * InvalidInputError naming `what`.
 */
export function requireIPv4(text: string, what = "address"): number {
  const value = parseIPv4(text);
  if (value === undefined)
    throw new InvalidInputError(`${what} ${JSON.stringify(text)} is not an IPv4 address`);
  return value;
}

/** An IPv4 CIDR as host-order prefix (host bits cleared) and length. */
export interface Cidr {
  prefix: number;
  prefixLen: number;
}

/** Parses `"10.0.0.0/8"` (a bare address is a /32); anything else is an InvalidInputError. */
export function parseCidr(text: string): Cidr {
  const [address, length] = text.split("/");
  const prefixLen = length === undefined ? 32 : Number(length);
  const value = address === undefined ? undefined : parseIPv4(address);
  if (value === undefined || !/^\d{1,2}$/.test(length ?? "32") || prefixLen > 32) {
    throw new InvalidInputError(`not an IPv4 CIDR: ${JSON.stringify(text)}`);
  }
  const mask = prefixLen === 0 ? 0 : (0xffffffff << (32 - prefixLen)) >>> 0;
  return { prefix: (value & mask) >>> 0, prefixLen };
}
