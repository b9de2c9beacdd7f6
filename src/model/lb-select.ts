// Maglev lookup and Cilium's random slot choice with the seeded xoshiro128** generator (prng.ts)
// that stands in for the kernel's prandom: the twin of assembly/lb/select.ts, run by the reference
// datapath and by pickBackend (src/lb/select.ts).
import type { Xoshiro128 } from "./prng.js";

/** Cilium's Maglev pick: the backend ID at table[hash mod M]. */
export function maglevLookup(table: Uint32Array, hash: number): number {
  return table[(hash >>> 0) % table.length]!;
}

/** Cilium's random slot, (prandom % count) + 1: slot 0 is the service's master entry. */
export function randomSlot(rng: Xoshiro128, count: number): number {
  return (rng.next() % count) + 1;
}
