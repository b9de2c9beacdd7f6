// Addresses as the state dumps print them. IPv6 entries are kept (marked by `family`) so the loader
// can report them as not emulated instead of dropping them.

/** IPv4 or IPv6. */
export type IpFamily = "ipv4" | "ipv6";

/** A CIDR prefix: `172.20.2.0/24`, `0.0.0.0/0`, `fd00::/64`. */
export interface IpPrefix {
  /** The address exactly as printed (Go's canonical form). */
  readonly address: string;
  /** Prefix length in bits (0..32 for IPv4, 0..128 for IPv6). */
  readonly length: number;
  readonly family: IpFamily;
}

/** An address with an L4 port (host byte order, 0..65535). */
export interface L4Address {
  readonly address: string;
  readonly port: number;
}

/** `address/length`, the form every dump prints. */
export function formatPrefix(prefix: IpPrefix): string {
  return `${prefix.address}/${prefix.length}`;
}
