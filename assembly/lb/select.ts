// Datapath backend selection. Maglev: table[flowHash % M] (bpf/lib/lb.h lb4_select_backend_id_maglev).
// Random: slot = (prandom % count) + 1 (lb4_select_backend_id_random); the kernel's per-CPU
// prandom is replaced by a seeded xoshiro128** generator so that a replay is reproducible. The
// same generator, seeded the same way, is implemented in src/reference/prng.ts.

import { flowHashV4 } from "./flow-hash";

/** Size in bytes of the PRNG state a handle points to (four u32 words). */
export const PRNG_STATE_SIZE: u32 = 16;

/** Batch flow record: client address u32 (host order), client port u16, service port u16, protocol u8. */
export const FLOW_RECORD_SIZE: u32 = 12;
export const FLOW_RECORD_CLIENT_ADDRESS: u32 = 0;
export const FLOW_RECORD_CLIENT_PORT: u32 = 4;
export const FLOW_RECORD_SERVICE_PORT: u32 = 6;
export const FLOW_RECORD_PROTOCOL: u32 = 8;

/** The backend ID Cilium's Maglev lookup returns for a tuple hash. */
export function maglevLookup(table: usize, m: u32, hash: u32): u32 {
  return load<u32>(table + ((<usize>(hash % m)) << 2));
}

// SplitMix32 step (a Weyl sequence through murmur3's fmix32): spreads one u32 seed over the
// four state words, and never yields four zeros since fmix32 is a bijection.
function splitmix32(x: u32): u32 {
  x ^= x >> 16;
  x *= 0x85ebca6b;
  x ^= x >> 13;
  x *= 0xc2b2ae35;
  return x ^ (x >> 16);
}

/** Seeds the xoshiro128** state at `state` (PRNG_STATE_SIZE bytes) from a u32 seed. */
export function prngSeed(state: usize, seed: u32): void {
  let weyl = seed;
  for (let k: usize = 0; k < 4; k++) {
    weyl += 0x9e3779b9;
    store<u32>(state + (k << 2), splitmix32(weyl));
  }
}

/** Next u32 from the xoshiro128** state at `state`. */
export function prngNext(state: usize): u32 {
  let s0 = load<u32>(state);
  let s1 = load<u32>(state, 4);
  let s2 = load<u32>(state, 8);
  let s3 = load<u32>(state, 12);
  const result = rotl<u32>(s1 * 5, 7) * 9;
  const t = s1 << 9;
  s2 ^= s0;
  s3 ^= s1;
  s1 ^= s2;
  s0 ^= s3;
  s2 ^= t;
  s3 = rotl<u32>(s3, 11);
  store<u32>(state, s0);
  store<u32>(state, s1, 4);
  store<u32>(state, s2, 8);
  store<u32>(state, s3, 12);
  return result;
}

/** Cilium's random slot: (prandom % count) + 1; slot 0 is the service's master entry. */
export function randomSlot(state: usize, count: u32): u32 {
  return (prngNext(state) % count) + 1;
}

/** Allocates and seeds a PRNG state; returns its handle. */
export function prngCreate(seed: u32): usize {
  const state = heap.alloc(PRNG_STATE_SIZE);
  prngSeed(state, seed);
  return state;
}

export function prngFree(state: usize): void {
  heap.free(state);
}

/**
 * Maglev selection for `n` flow records at `flows`: writes one backend ID (u32) per flow to
 * `out`. `seed` is SeedJhash0; `packing` a FLOW_HASH_* constant; `affinity` zeroes the client
 * port where Cilium does.
 */
export function maglevSelectBatch(
  table: usize,
  m: u32,
  flows: usize,
  n: u32,
  seed: u32,
  packing: u32,
  affinity: bool,
  out: usize,
): void {
  for (let k: u32 = 0; k < n; k++) {
    const rec = flows + <usize>k * FLOW_RECORD_SIZE;
    const hash = flowHashV4(
      load<u32>(rec, FLOW_RECORD_CLIENT_ADDRESS),
      <u32>load<u16>(rec, FLOW_RECORD_CLIENT_PORT),
      <u32>load<u16>(rec, FLOW_RECORD_SERVICE_PORT),
      <u32>load<u8>(rec, FLOW_RECORD_PROTOCOL),
      seed,
      packing,
      affinity,
    );
    store<u32>(out + ((<usize>k) << 2), maglevLookup(table, m, hash));
  }
}

/**
 * Random selection, `n` times: draws slot = (prandom % count) + 1 and writes the backend ID of that
 * slot (`backendIds[slot - 1]`, u32 each, in slot order) to `out`.
 */
export function randomSelectBatch(state: usize, backendIds: usize, count: u32, n: u32, out: usize): void {
  for (let k: u32 = 0; k < n; k++) {
    const slot = randomSlot(state, count);
    store<u32>(out + ((<usize>k) << 2), load<u32>(backendIds + ((<usize>(slot - 1)) << 2)));
  }
}
