// The router's multipath hash. Linux hashes a flow with `fib_multipath_hash()`: policy 0 (L3, the
// default) over source and destination address, policy 1 (L4) over the 5-tuple
// (net.ipv4.fib_multipath_hash_policy), and keeps 31 bits (`hash >> 1`) for next-hop selection.
// The kernel's hash is siphash under a key drawn at random once per boot, so no two routers (or
// reboots) map a flow to the same path. dpemu uses Jenkins' jhash (Linux's multipath hash before
// siphash) keyed by a seed the user chooses (default 0): which node a given flow lands on is then
// reproducible, while the distribution over paths and what moves when the path set changes are
// the kernel's.
import { jhash2Words, jhash3Words } from "../model/jhash.js";

/** `fib_multipath_hash_policy`: "l3" (0, addresses) or "l4" (1, addresses, ports and protocol). */
export type MultipathHashPolicy = "l3" | "l4";

/** The 31-bit multipath hash of a flow, as the next-hop selection compares it. */
export function multipathHash(
  policy: MultipathHashPolicy,
  seed: number,
  saddr: number,
  daddr: number,
  sport: number,
  dport: number,
  proto: number,
): number {
  const h =
    policy === "l3"
      ? jhash2Words(saddr >>> 0, daddr >>> 0, seed >>> 0)
      : jhash3Words(saddr >>> 0, daddr >>> 0, ((sport << 16) | dport) >>> 0, (seed ^ proto) >>> 0);
  return h >>> 1;
}
