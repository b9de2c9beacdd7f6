// Cilium's IPv4 tuple hash for Maglev (bpf/lib/hash.h __hash_from_tuple_v4, called from
// bpf/lib/lb.h lb4_select_backend_id_maglev): jhash_3words(saddr, ports, nexthdr, hash_init4_seed).
// The BPF code hashes network-order fields as the host (x86, little endian) loads them, so the
// address and ports enter byte-swapped relative to their numeric values. The destination address
// is excluded on purpose (the same client picks the same backend on every VIP of a service).

import { jhash3Words } from "../hash/jhash";

/** Cilium <= 1.16: ports word = client port << 16 | service port (the CT tuple's dport<<16|sport). */
export const FLOW_HASH_CLIENT_PORT_HIGH: u32 = 0;
/**
 * Cilium >= 1.17 (PRs #37005 + #37353): ports word = service port << 16 | client port, and for
 * services with session affinity the client-port half is 0.
 */
export const FLOW_HASH_SERVICE_PORT_HIGH: u32 = 1;

/**
 * The 32-bit word Cilium hashes for the two ports, from host-order port numbers.
 * `packing` is FLOW_HASH_CLIENT_PORT_HIGH or FLOW_HASH_SERVICE_PORT_HIGH.
 */
export function flowHashPortsWord(clientPort: u32, servicePort: u32, packing: u32, affinity: bool): u32 {
  const client = <u32>bswap<u16>(<u16>clientPort);
  const service = <u32>bswap<u16>(<u16>servicePort);
  if (packing == FLOW_HASH_SERVICE_PORT_HIGH) return (service << 16) | (affinity ? 0 : client);
  return (client << 16) | service;
}

/**
 * Cilium's Maglev tuple hash of an IPv4 flow. `clientAddress` is the host-order value of the
 * source address (10.0.0.1 = 0x0a000001); ports are host-order numbers; `protocol` is the IP
 * protocol number; `seed` is SeedJhash0 (hash_init4_seed). Take it modulo M for the table index.
 */
export function flowHashV4(
  clientAddress: u32,
  clientPort: u32,
  servicePort: u32,
  protocol: u32,
  seed: u32,
  packing: u32,
  affinity: bool,
): u32 {
  return jhash3Words(
    bswap<u32>(clientAddress),
    flowHashPortsWord(clientPort, servicePort, packing, affinity),
    protocol & 0xff,
    seed,
  );
}
