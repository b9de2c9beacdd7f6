// IP address text helpers shared by the models and parsers. Addresses are kept as canonical text
// (dotted quad, or RFC 5952 IPv6 as Go prints it) so that dumps print back unchanged.

import { Validator } from "ip-num";
import { isIPv4 } from "./ipv4.js";

export type IpFamily = 4 | 6;

/**
 * An IPv6 address without zone or brackets (the forms Go prints, embedded IPv4 tail included),
 * validated by ip-num.
 */
export function isIPv6(text: string): boolean {
  return /^[0-9a-fA-F:.]+$/.test(text) && text.includes(":") && Validator.isValidIPv6String(text)[0];
}

export function ipFamily(address: string): IpFamily | undefined {
  if (isIPv4(address)) return 4;
  if (isIPv6(address)) return 6;
  return undefined;
}

/** `ip:port`, with IPv6 addresses in brackets as Go's net.JoinHostPort prints them. */
export function joinHostPort(address: string, port: number): string {
  return address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
}

export interface HostPort {
  readonly address: string;
  readonly port: number;
}

/** Parses `1.2.3.4:80` or `[fd00::1]:80`; undefined when malformed. */
export function splitHostPort(text: string): HostPort | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|(\d+\.\d+\.\d+\.\d+)):(\d{1,5})$/.exec(text);
  if (!match) return undefined;
  const address = match[1] ?? match[2] ?? "";
  const port = Number(match[3]);
  if (port > 65535 || ipFamily(address) === undefined) return undefined;
  return { address, port };
}
