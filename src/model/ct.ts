// One conntrack entry as `cilium-dbg bpf ct list global` prints it (maps cilium_ct4_global,
// cilium_ct_any4_global and their IPv6 twins).
import type { IpFamily, L4Address } from "./ip-prefix.js";

/**
 * Entry type from the tuple flags: OUT (TUPLE_F_OUT, connection originated locally), IN (TUPLE_F_IN,
 * originated remotely), SVC (TUPLE_F_SERVICE, the service-translation entry of a load-balanced flow).
 */
export type CtDirection = "IN" | "OUT" | "SVC";

/**
 * Which fields the agent printed after `expires=`; the value struct and its String() changed over releases:
 * - `slave`: RxPackets RxBytes RxFlagsSeen LastRxReport TxPackets TxBytes TxFlagsSeen LastTxReport
 *   Flags (no names) RevNAT Slave SourceSecurityID (oldest agents)
 * - `split`: the same counters, Flags with names, RevNAT SourceSecurityID
 * - `split-ifindex`: `split` plus IfIndex (up to v1.15)
 * - `backend-id`: Packets Bytes RxFlagsSeen LastRxReport TxFlagsSeen LastTxReport Flags RevNAT
 *   SourceSecurityID BackendID (v1.16+)
 * - `backend-id-natport`: `backend-id` plus NatPort (main, late 2025)
 */
export type CtValueLayout = "slave" | "split" | "split-ifindex" | "backend-id" | "backend-id-natport";

/** One conntrack entry as `bpf ct list global` prints it. */
export interface CtEntry {
  /** Protocol as printed: `TCP`, `UDP`, `ICMP`, `ICMPv6`, `SCTP`, `ANY`, or a decimal number. */
  readonly protocol: string;
  /** IP protocol number (tuple nexthdr). */
  readonly nexthdr: number;
  readonly family: IpFamily;
  readonly direction: CtDirection;
  /** TUPLE_F_RELATED (ICMP errors matched against the embedded tuple). */
  readonly related: boolean;
  /**
   * The connection as printed: originator -> responder for IN/OUT entries, client -> service frontend
   * for SVC entries (also for old agents, which printed SVC entries reversed; see `legacyServiceKey`).
   */
  readonly source: L4Address;
  readonly destination: L4Address;
  /** Lifetime: expiry time in the BPF clock (seconds since boot, or jiffies). */
  readonly expires: number;
  /** `--time-diff` only: seconds left (negative when expired); null otherwise. */
  readonly remainingSeconds: number | null;
  readonly layout: CtValueLayout;
  /**
   * Split layouts only (0 otherwise). In SVC entries rxBytes holds the backend ID. The u64 fields are
   * bigints; JSON.stringify writes them as decimal strings (u64-json.ts).
   */
  readonly rxPackets: bigint;
  readonly rxBytes: bigint;
  readonly txPackets: bigint;
  readonly txBytes: bigint;
  /** `backend-id` layouts only (0 otherwise): conntrack accounting counters. */
  readonly packets: bigint;
  readonly bytes: bigint;
  /** OR of the TCP flags seen in each direction (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10...). */
  readonly rxFlagsSeen: number;
  readonly txFlagsSeen: number;
  readonly lastRxReport: number;
  readonly lastTxReport: number;
  /** The u16 entry flag bits (see CT_FLAG_BITS). */
  readonly flags: number;
  /** Flag names exactly as printed between `[ ]`; null in the `slave` layout, which prints none. */
  readonly flagNames: readonly string[] | null;
  /** Reverse-NAT (service) ID in host order; 0 = none. */
  readonly revNat: number;
  readonly sourceSecurityId: number;
  /** `IfIndex=` (or `Slave=` in the oldest layout); 0 when the layout has neither. */
  readonly ifIndex: number;
  /**
   * Selected backend of a SVC entry: `BackendID=` in the backend-id layouts, taken from `RxBytes=` for
   * SVC entries in the split layouts (where the field doubled as backend ID); 0 otherwise.
   */
  readonly backendId: bigint;
  /** `NatPort=` (DSR/NodePort NAT port, host order); 0 when not printed. */
  readonly natPort: number;
  /** SVC entry printed the pre-v1.15 way: `OUT <frontend> -> <client> service`. */
  readonly legacyServiceKey: boolean;
  /** IPv6 addresses printed in brackets (`[fd00::1]:80`), as newer agents do. */
  readonly ipv6Brackets: boolean;
}

/** CT entry flag bits and the names the agent prints for them (bit 7 was `DSR` before it was renamed). */
export const CT_FLAG_BITS: readonly (readonly [name: string, bit: number])[] = [
  ["RxClosing", 0x0001],
  ["TxClosing", 0x0002],
  ["Nat64", 0x0004],
  ["LBLoopback", 0x0008],
  ["SeenNonSyn", 0x0010],
  ["NodePort", 0x0020],
  ["ProxyRedirect", 0x0040],
  ["DSRInternal", 0x0080],
  ["DSR", 0x0080],
  ["FromL7LB", 0x0100],
  ["FromTunnel", 0x0400],
];
