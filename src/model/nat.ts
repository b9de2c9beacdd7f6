// One SNAT mapping entry as `cilium-dbg bpf nat list` prints it (cilium_snat_v4_external and the IPv6
// twin). A masqueraded connection has two: OUT (original -> translated source) and IN (reverse).
import type { IpFamily, L4Address } from "./ip-prefix.js";

/**
 * How the value was printed:
 * - `host-local`: `Created=<n>sec HostLocal=<n>` (v1.8 era; the field was later renamed needs_ct)
 * - `needs-ct`: `Created=<n>sec NeedsCT=<n>`
 * - `needs-ct-ago`: `Created=<n>sec ago NeedsCT=<n>` (newer agents)
 */
export type NatValueLayout = "host-local" | "needs-ct" | "needs-ct-ago";

/** One SNAT entry as `bpf nat list` prints it. */
export interface NatEntry {
  /** Protocol as printed (`TCP`, `UDP`, `ICMP`, `ICMPv6`, or a number). */
  readonly protocol: string;
  readonly nexthdr: number;
  readonly family: IpFamily;
  /** OUT: egress/original direction, value is XLATE_SRC; IN: reverse direction, value is XLATE_DST. */
  readonly direction: "IN" | "OUT";
  readonly related: boolean;
  /** The key tuple in packet layout: source -> destination as on the wire. */
  readonly source: L4Address;
  readonly destination: L4Address;
  /** OUT: the new source (masquerade IP and port); IN: the original source to restore as destination. */
  readonly translated: L4Address;
  /** Seconds between entry creation and the dump. */
  readonly createdSecondsAgo: number;
  /** The needs_ct (older: host_local) value. */
  readonly needsCt: number;
  readonly layout: NatValueLayout;
  /** IPv6 addresses printed in brackets, as newer agents do. */
  readonly ipv6Brackets: boolean;
}
