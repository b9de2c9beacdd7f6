// Reference twin of assembly/lb/flow-hash.ts: Cilium's Maglev tuple hash of an IPv4 flow
// (bpf/lib/hash.h __hash_from_tuple_v4 as called by bpf/lib/lb.h lb4_select_backend_id_maglev).
import { jhash3Words } from "./hash/jhash.js";

/**
 * How Cilium packs the two ports into one hashed word.
 * - "service-port-high" (Cilium >= 1.17): service port << 16 | client port; with session affinity
 *   the client-port half is 0.
 * - "client-port-high" (Cilium <= 1.16): client port << 16 | service port; affinity changes nothing.
 */
export type PortPacking = "service-port-high" | "client-port-high";

/** A network-order 16-bit field as an x86 BPF program holds it: the port with its bytes swapped. */
export const rawPort = (port: number): number => ((port & 0xff) << 8) | ((port >>> 8) & 0xff);

/** A network-order IPv4 address as an x86 BPF program holds it: host value with bytes swapped. */
export const rawAddress = (address: number): number =>
  (((address & 0xff) << 24) | ((address & 0xff00) << 8) | ((address >>> 8) & 0xff00) | (address >>> 24)) >>>
  0;

export interface FlowV4 {
  /** Client (source) address as a host-order number: 10.0.0.1 = 0x0a000001. */
  clientAddress: number;
  clientPort: number;
  /** The service (frontend) port the client connects to. */
  servicePort: number;
  /** IP protocol number (6 TCP, 17 UDP, 132 SCTP). */
  protocol: number;
}

/** The 32-bit ports word Cilium hashes. */
export function portsWord(flow: FlowV4, packing: PortPacking, affinity = false): number {
  const client = rawPort(flow.clientPort);
  const service = rawPort(flow.servicePort);
  if (packing === "service-port-high") return ((service << 16) | (affinity ? 0 : client)) >>> 0;
  return ((client << 16) | service) >>> 0;
}

/** Cilium's Maglev tuple hash; `seed` is SeedJhash0 (hash_init4_seed). */
export function flowHashV4(flow: FlowV4, seed: number, packing: PortPacking, affinity = false): number {
  return jhash3Words(
    rawAddress(flow.clientAddress),
    portsWord(flow, packing, affinity),
    flow.protocol & 0xff,
    seed,
  );
}
