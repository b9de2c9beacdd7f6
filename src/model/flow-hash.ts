// Cilium's Maglev tuple hash of an IPv4 flow (bpf/lib/hash.h __hash_from_tuple_v4 as called by
// bpf/lib/lb.h lb4_select_backend_id_maglev): the twin of assembly/lb/flow-hash.ts, run by the
// reference datapath and by maglevFlowHash (src/lb/select.ts).
import type { FlowV4, PortPacking } from "./flow.js";
import { jhash3Words } from "./jhash.js";

/** A network-order 16-bit field as an x86 BPF program holds it: the port with its bytes swapped. */
const rawPort = (port: number): number => ((port & 0xff) << 8) | ((port >>> 8) & 0xff);

/** A network-order IPv4 address as an x86 BPF program holds it: host value with bytes swapped. */
const rawAddress = (address: number): number =>
  (((address & 0xff) << 24) | ((address & 0xff00) << 8) | ((address >>> 8) & 0xff00) | (address >>> 24)) >>>
  0;

/** The 32-bit ports word Cilium hashes. */
export function flowHashPortsWord(flow: FlowV4, packing: PortPacking, affinity = false): number {
  const client = rawPort(flow.clientPort);
  const service = rawPort(flow.servicePort);
  if (packing === "service-port-high") return ((service << 16) | (affinity ? 0 : client)) >>> 0;
  return ((client << 16) | service) >>> 0;
}

/** Cilium's Maglev tuple hash; `seed` is SeedJhash0 (hash_init4_seed). */
export function flowHashV4(flow: FlowV4, seed: number, packing: PortPacking, affinity = false): number {
  return jhash3Words(
    rawAddress(flow.clientAddress),
    flowHashPortsWord(flow, packing, affinity),
    flow.protocol & 0xff,
    seed,
  );
}
