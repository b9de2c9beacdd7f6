// IP address text helpers shared by the models and parsers. Addresses are kept as canonical text
// (dotted quad, or RFC 5952 IPv6 as Go prints it) so that dumps print back unchanged.

import { isIPv4 } from "./ipv4.js";

export type IpFamily = 4 | 6;

/** Accepts the IPv6 forms Go prints (compressed, lower-case, optional embedded IPv4 tail). */
export function isIPv6(text: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || !text.includes(":")) return false;
  const halves = text.split("::");
  if (halves.length > 2) return false;
  const groups = (part: string): string[] | undefined => {
    if (part === "") return [];
    const parts = part.split(":");
    const last = parts[parts.length - 1] ?? "";
    const tail = last.includes(".") ? (isIPv4(last) ? ["0", "0"] : undefined) : [last];
    if (tail === undefined) return undefined;
    const all = [...parts.slice(0, -1), ...tail];
    return all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g)) ? all : undefined;
  };
  const head = groups(halves[0] ?? "");
  const rest = halves.length === 2 ? groups(halves[1] ?? "") : [];
  if (head === undefined || rest === undefined) return false;
  const count = head.length + rest.length;
  return halves.length === 2 ? count < 8 : count === 8;
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
