// Text fragments shared by the load-balancing dumps: frontend keys, backend addresses, flags.
import { ipFamily, joinHostPort, type IpFamily } from "../../model/ip.js";
import { parseProtocol, type L4Protocol } from "../../model/protocol.js";
import type { Frontend } from "../../model/service.js";

/** An IPv4 address or a bracketed IPv6 address, as regex source (one capture group). */
export const ADDRESS = String.raw`(\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:.]+\])`;
/** `<address>:<port>[/<PROTO>][/i]` (4 capture groups); a bare `/i` is the scope, not a protocol. */
export const FRONTEND = String.raw`${ADDRESS}:(\d{1,5})(?:/(?!i(?![A-Za-z0-9]))([A-Za-z][A-Za-z0-9]*))?(/i)?`;

export interface ParsedAddress {
  readonly address: string;
  readonly family: IpFamily;
}

/** Validates an address captured by ADDRESS (brackets removed). */
export function parseAddress(text: string): ParsedAddress | undefined {
  const address = text.startsWith("[") ? text.slice(1, -1) : text;
  const family = ipFamily(address);
  return family === undefined ? undefined : { address, family };
}

export function parsePort(text: string): number | undefined {
  const port = Number(text);
  return Number.isInteger(port) && port >= 0 && port <= 65535 ? port : undefined;
}

/** Builds a frontend from FRONTEND's captures; a missing protocol means ANY (pre-1.16 keys). */
export function frontendFrom(
  addressText: string,
  portText: string,
  protocolText: string | undefined,
  internal: string | undefined,
): (Frontend & { readonly family: IpFamily }) | undefined {
  const address = parseAddress(addressText);
  const port = parsePort(portText);
  const protocol: L4Protocol | undefined = protocolText === undefined ? "ANY" : parseProtocol(protocolText);
  if (address === undefined || port === undefined || protocol === undefined) return undefined;
  return {
    address: address.address,
    family: address.family,
    port,
    protocol,
    scope: internal ? "internal" : "external",
  };
}

/** Prints a frontend key the way the given release style does. */
export function printFrontend(frontend: Frontend, withProtocol: boolean): string {
  const protocol = withProtocol ? `/${frontend.protocol}` : "";
  return `${joinHostPort(frontend.address, frontend.port)}${protocol}${frontend.scope === "internal" ? "/i" : ""}`;
}

export function parseUint(text: string, max: number): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  return value <= max ? value : undefined;
}
