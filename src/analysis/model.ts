// The inputs of the Maglev-vs-random comparison: a service with its backends (from a snapshot or
// synthetic) and the flows that reach it, kept columnar so hundreds of thousands stay cheap.

/** A backend selection algorithm of Cilium: Maglev or random. */
export type Algorithm = "maglev" | "random";
export const ALGORITHMS: readonly Algorithm[] = ["random", "maglev"];

/** One backend of a service, in the form the Maglev build takes it. */
export interface CompareBackend {
  /** Cilium's backend ID (what the Maglev table and the random slot resolve to). */
  readonly id: number;
  readonly address: string;
  readonly port: number;
  /** TCP, UDP, SCTP or ANY. */
  readonly protocol: string;
  /** Cilium's backend weight (Maglev only: random selection ignores weights, as Cilium's does). */
  readonly weight: number;
  /** ClusterMesh cluster of a remote backend (part of its Maglev hash string). */
  readonly clusterId?: number;
}

/** A service under comparison; `backends` are its active backends in slot order. */
export interface CompareService {
  /** Cilium's service (rev-NAT) ID, or null for a synthetic service. */
  readonly id: number | null;
  /** "IP:PORT/PROTO" as `cilium-dbg service list` prints it. */
  readonly frontend: string;
  /** The frontend address (IPv4 text; 0.0.0.0 for a NodePort surrogate that matches any node address). */
  readonly address: string;
  readonly port: number;
  /** IP protocol number (6 TCP, 17 UDP, 132 SCTP). */
  readonly protocol: number;
  readonly backends: readonly CompareBackend[];
}

/**
 * Connections to one service: client address (host-order u32) and port per flow, with the packets
 * and bytes each carried. The service port and protocol come from the service.
 */
export interface FlowSet {
  readonly count: number;
  readonly clientAddress: Uint32Array;
  readonly clientPort: Uint16Array;
  readonly packets: Float64Array;
  readonly bytes: Float64Array;
}

/** "IP:PORT", the key under which per-backend figures are reported. */
export function backendKey(backend: CompareBackend): string {
  return `${backend.address}:${backend.port}`;
}
