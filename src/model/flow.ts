// An IPv4 flow as Cilium's Maglev tuple hash sees it, and the version-dependent way the hash packs
// its two ports. Shared by the public selection API (src/lb/), the Wasm wrappers and the reference.

/**
 * How Cilium packs the two ports into one hashed word.
 * - "service-port-high" (Cilium >= 1.17): service port << 16 | client port; with session affinity
 *   the client-port half is 0.
 * - "client-port-high" (Cilium <= 1.16): client port << 16 | service port; affinity changes nothing.
 */
export type PortPacking = "service-port-high" | "client-port-high";

/** One client flow to a service, as numbers. */
export interface FlowV4 {
  /** Client (source) address as a host-order number: 10.0.0.1 = 0x0a000001. */
  clientAddress: number;
  clientPort: number;
  /** The service (frontend) port the client connects to. */
  servicePort: number;
  /** IP protocol number (6 TCP, 17 UDP, 132 SCTP). */
  protocol: number;
}
