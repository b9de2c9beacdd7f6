// Parsing of the address forms the state dumps print. Anything that is not a well-formed address
// yields undefined so the caller can reject the line with its location.
import type { IpFamily, IpPrefix, L4Address } from "../../model/ip-prefix.js";
import { isIPv6 } from "../../model/ip.js";
import { isIPv4 } from "../../model/ipv4.js";

export interface ParsedAddress {
  readonly address: string;
  readonly family: IpFamily;
}

/**
 * An IPv4 (dotted quad as Go prints it: no leading zeros) or IPv6 address, without zone or brackets.
 * IPv4 goes through the model's dotted-quad scanner (dumps hold hundreds of thousands of them and it
 * is several times faster than ip-num); IPv6 goes through ip-num's validator.
 */
export function parseIpAddress(text: string): ParsedAddress | undefined {
  if (isIPv4(text)) return { address: text, family: "ipv4" };
  if (isIPv6(text)) return { address: text, family: "ipv6" };
  return undefined;
}

/** `address/length` with the length in range for the family. */
export function parsePrefix(text: string): IpPrefix | undefined {
  const slash = text.indexOf("/");
  if (slash < 0) return undefined;
  const address = parseIpAddress(text.slice(0, slash));
  const length = parseDecimal(text.slice(slash + 1), address?.family === "ipv6" ? 128 : 32);
  if (address === undefined || length === undefined) return undefined;
  return { address: address.address, length, family: address.family };
}

export interface ParsedL4Address extends L4Address {
  readonly family: IpFamily;
  /** True for `[v6]:port`. */
  readonly bracketed: boolean;
}

/**
 * `a.b.c.d:port`, `[v6]:port` or bare `v6:port` (split at the last colon, as ct/nat dumps of some
 * releases print it). `portRange` bounds the port number as printed.
 */
export function parseAddressPort(
  text: string,
  portRange: readonly [min: number, max: number] = [0, 0xffff],
): ParsedL4Address | undefined {
  const colon = text.lastIndexOf(":");
  if (colon <= 0) return undefined;
  let host = text.slice(0, colon);
  const bracketed = host.startsWith("[") && host.endsWith("]");
  if (bracketed) host = host.slice(1, -1);
  const address = parseIpAddress(host);
  const port = parseSignedDecimal(text.slice(colon + 1), portRange[0], portRange[1]);
  if (address === undefined || port === undefined) return undefined;
  if (bracketed && address.family !== "ipv6") return undefined;
  return { address: address.address, port, family: address.family, bracketed };
}

/** A decimal integer 0..max without sign or leading zeros (Go's %d). */
export function parseDecimal(text: string, max: number): number | undefined {
  if (!/^(0|[1-9]\d*)$/.test(text) || text.length > 16) return undefined;
  const value = Number(text);
  return value <= max ? value : undefined;
}

/** A decimal integer min..max, optionally negative. */
export function parseSignedDecimal(text: string, min: number, max: number): number | undefined {
  if (!/^-?(0|[1-9]\d*)$/.test(text) || text.length > 16 || text === "-0") return undefined;
  const value = Number(text);
  return value >= min && value <= max ? value : undefined;
}

const U64_MAX = (1n << 64n) - 1n;

/** A decimal u64 as bigint (counters, backend IDs, socket cookies exceed 2^53). */
export function parseU64(text: string): bigint | undefined {
  if (!/^(0|[1-9]\d*)$/.test(text) || text.length > 20) return undefined;
  const value = BigInt(text);
  return value <= U64_MAX ? value : undefined;
}

/** `0x` followed by hex digits, value 0..max. */
export function parseHex(text: string, max: number): number | undefined {
  if (!/^0x[0-9a-fA-F]{1,8}$/.test(text)) return undefined;
  const value = parseInt(text.slice(2), 16);
  return value <= max ? value : undefined;
}

/** Formats `address:port` the way the dump prints it (IPv6 in brackets when `brackets`). */
export function formatAddressPort(address: L4Address, family: IpFamily, brackets: boolean): string {
  return family === "ipv6" && brackets
    ? `[${address.address}]:${address.port}`
    : `${address.address}:${address.port}`;
}
