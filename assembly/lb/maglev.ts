// Maglev lookup-table build, entry for entry as Cilium's control plane (pkg/maglev/maglev.go):
// backends sorted by their hash string, offset = h1 % M and skip = h2 % (M - 1) + 1 from murmur3
// x64-128 of that string, round-robin fill with Cilium's weight rule. Each backend's permutation
// (offset + j * skip) % M is walked incrementally, so the N x M permutation matrix Cilium
// allocates is never materialised: memory is O(N + M) and the fill is O(M log M) on average.

import { murmur3Hash128 } from "../hash/murmur3";

/** Input record per backend: id u32, weight u32, hash-string offset u32, hash-string length u32. */
export const MAGLEV_BACKEND_SIZE: u32 = 16;
export const MAGLEV_BACKEND_ID: u32 = 0;
export const MAGLEV_BACKEND_WEIGHT: u32 = 4;
export const MAGLEV_BACKEND_NAME_OFFSET: u32 = 8;
export const MAGLEV_BACKEND_NAME_LENGTH: u32 = 12;

/** Empty-slot marker while filling, as in Cilium; a backend may therefore not use this ID. */
export const MAGLEV_EMPTY: u32 = 0xffffffff;
/** Cilium's backend weights are u16. */
export const MAGLEV_MAX_WEIGHT: u32 = 0xffff;

export const MAGLEV_OK: i32 = 0;
export const MAGLEV_ERR_TABLE_SIZE: i32 = -1;
export const MAGLEV_ERR_NO_BACKENDS: i32 = -2;
export const MAGLEV_ERR_WEIGHT: i32 = -3;
export const MAGLEV_ERR_ID: i32 = -4;

/** Whether `m` is one of Cilium's supported table sizes (maglevSupportedTableSizes). */
export function maglevTableSizeSupported(m: u32): bool {
  switch (m) {
    case 251:
    case 509:
    case 1021:
    case 2039:
    case 4093:
    case 8191:
    case 16381:
    case 32749:
    case 65521:
    case 131071:
      return true;
  }
  return false;
}

// Per-build working memory, grown on demand and reused: sorted order, merge buffer, and per
// sorted backend its id, weight, current permutation position, skip and weight counter.
let work: usize = 0;
let workCapacity: u32 = 0;
const hashOut: usize = memory.data(16);

function ensureWork(n: u32): void {
  if (n <= workCapacity) return;
  if (work != 0) heap.free(work);
  work = heap.alloc(<usize>n * 32);
  workCapacity = n;
}

function nameLess(backends: usize, names: usize, x: u32, y: u32): bool {
  const rx = backends + <usize>x * MAGLEV_BACKEND_SIZE;
  const ry = backends + <usize>y * MAGLEV_BACKEND_SIZE;
  const px = names + <usize>load<u32>(rx, MAGLEV_BACKEND_NAME_OFFSET);
  const py = names + <usize>load<u32>(ry, MAGLEV_BACKEND_NAME_OFFSET);
  const lx = load<u32>(rx, MAGLEV_BACKEND_NAME_LENGTH);
  const ly = load<u32>(ry, MAGLEV_BACKEND_NAME_LENGTH);
  const common = lx < ly ? lx : ly;
  for (let k: u32 = 0; k < common; k++) {
    const bx = load<u8>(px + k);
    const by = load<u8>(py + k);
    if (bx != by) return bx < by;
  }
  return lx < ly;
}

// Stable bottom-up merge sort of record indices by hash string (Go compares strings byte-wise).
function sortByName(backends: usize, names: usize, n: u32, order: usize, tmp: usize): void {
  for (let i: u32 = 0; i < n; i++) store<u32>(order + ((<usize>i) << 2), i);
  let src = order;
  let dst = tmp;
  for (let width: u32 = 1; width < n; width <<= 1) {
    for (let lo: u32 = 0; lo < n; lo += width << 1) {
      const mid = min(lo + width, n);
      const hi = min(lo + (width << 1), n);
      let a = lo;
      let b = mid;
      let k = lo;
      while (a < mid && b < hi) {
        const ia = load<u32>(src + ((<usize>a) << 2));
        const ib = load<u32>(src + ((<usize>b) << 2));
        if (nameLess(backends, names, ib, ia)) {
          store<u32>(dst + ((<usize>k) << 2), ib);
          b++;
        } else {
          store<u32>(dst + ((<usize>k) << 2), ia);
          a++;
        }
        k++;
      }
      // One run is exhausted; the rest of the other is already in order.
      if (a < mid) memory.copy(dst + ((<usize>k) << 2), src + ((<usize>a) << 2), (<usize>(mid - a)) << 2);
      else if (b < hi) memory.copy(dst + ((<usize>k) << 2), src + ((<usize>b) << 2), (<usize>(hi - b)) << 2);
    }
    const swap = src;
    src = dst;
    dst = swap;
  }
  if (src != order) memory.copy(order, src, (<usize>n) << 2);
}

/**
 * Builds the Maglev table of `m` backend IDs into `table` (m u32 slots) from `count` records at
 * `backends` whose hash strings live at `names` + offset. `seed` is SeedMurmur. Returns MAGLEV_OK
 * or a negative MAGLEV_ERR_* code (then `table` is untouched).
 */
export function maglevBuild(backends: usize, count: u32, names: usize, m: u32, seed: u32, table: usize): i32 {
  const checked = checkBackends(backends, count, m);
  if (checked != MAGLEV_OK) return checked;
  const weightSum = sortedPermutations(backends, count, names, m, seed);
  fillTable(count, m, weightSum, table);
  return MAGLEV_OK;
}

/** MAGLEV_OK, or why no table can be built: a table size, weight or ID Cilium would not take. */
function checkBackends(backends: usize, count: u32, m: u32): i32 {
  if (!maglevTableSizeSupported(m)) return MAGLEV_ERR_TABLE_SIZE;
  if (count == 0) return MAGLEV_ERR_NO_BACKENDS;
  for (let i: u32 = 0; i < count; i++) {
    const rec = backends + <usize>i * MAGLEV_BACKEND_SIZE;
    if (load<u32>(rec, MAGLEV_BACKEND_WEIGHT) > MAGLEV_MAX_WEIGHT) return MAGLEV_ERR_WEIGHT;
    if (load<u32>(rec, MAGLEV_BACKEND_ID) == MAGLEV_EMPTY) return MAGLEV_ERR_ID;
  }
  return MAGLEV_OK;
}

// The arrays of one build in the working memory, per sorted backend (set by sortedPermutations).
let ids: usize = 0;
let weights: usize = 0;
let positions: usize = 0;
let skips: usize = 0;
let counters: usize = 0;

/**
 * Sorts the backends by hash string and sets, per sorted backend, its id, weight, permutation
 * start (offset) and skip and its weight counter. Returns the sum of the weights.
 */
function sortedPermutations(backends: usize, count: u32, names: usize, m: u32, seed: u32): u64 {
  ensureWork(count);
  const n4 = (<usize>count) << 2;
  const order = work;
  const tmp = order + n4;
  ids = tmp + n4;
  weights = ids + n4;
  positions = weights + n4;
  skips = positions + n4;
  counters = skips + n4; // f64 each, 8-byte aligned since work is 16-aligned and n4*6 is 8-aligned

  sortByName(backends, names, count, order, tmp);

  const l = <f64>count;
  let weightSum: u64 = 0;
  for (let k: u32 = 0; k < count; k++) {
    const rec = backends + <usize>load<u32>(order + ((<usize>k) << 2)) * MAGLEV_BACKEND_SIZE;
    const weight = load<u32>(rec, MAGLEV_BACKEND_WEIGHT);
    weightSum += weight;
    murmur3Hash128(
      names + <usize>load<u32>(rec, MAGLEV_BACKEND_NAME_OFFSET),
      <usize>load<u32>(rec, MAGLEV_BACKEND_NAME_LENGTH),
      seed,
      hashOut,
    );
    const offset = <u32>(load<u64>(hashOut) % <u64>m);
    const skip = <u32>(load<u64>(hashOut, 8) % <u64>(m - 1)) + 1;
    const at = (<usize>k) << 2;
    store<u32>(ids + at, load<u32>(rec, MAGLEV_BACKEND_ID));
    store<u32>(weights + at, weight);
    store<u32>(positions + at, offset);
    store<u32>(skips + at, skip);
    // Cilium: weightCntr[i] = float64(weight) / float64(len(backends))
    store<f64>(counters + ((<usize>k) << 3), <f64>weight / l);
  }
  return weightSum;
}

/** Cilium's round-robin fill: each turn's backend takes the next empty entry of its permutation. */
function fillTable(count: u32, m: u32, weightSum: u64, table: usize): void {
  // Cilium only alters the round robin when weightSum / len (integer division) > 1.
  const weighted = weightSum / <u64>count > 1;
  const weightSumF = <f64>weightSum;
  memory.fill(table, 0xff, (<usize>m) << 2);

  let turn: u32 = 0; // n % count
  for (let n: u32 = 0; n < m; n++) {
    let i = turn;
    if (weighted) {
      // Skip backends whose weight does not yet entitle them to this turn (Envoy-style rule).
      while (true) {
        const counter = counters + ((<usize>i) << 3);
        const want = <u64>(n + 1) * <u64>load<u32>(weights + ((<usize>i) << 2));
        if (want < <u64>load<f64>(counter)) {
          i = i + 1 == count ? 0 : i + 1;
          continue;
        }
        store<f64>(counter, load<f64>(counter) + weightSumF);
        break;
      }
    }
    const at = (<usize>i) << 2;
    const skip = load<u32>(skips + at);
    let c = load<u32>(positions + at);
    while (load<u32>(table + ((<usize>c) << 2)) != MAGLEV_EMPTY) {
      c += skip;
      if (c >= m) c -= m;
    }
    store<u32>(table + ((<usize>c) << 2), load<u32>(ids + at));
    c += skip;
    if (c >= m) c -= m;
    store<u32>(positions + at, c);
    turn = turn + 1 == count ? 0 : turn + 1;
  }
}

/** Allocates a table of `m` u32 slots; the handle (address) stays valid until maglevTableFree. */
export function maglevTableAlloc(m: u32): usize {
  return heap.alloc((<usize>m) << 2);
}

export function maglevTableFree(table: usize): void {
  heap.free(table);
}
