// The open-addressing index the hash maps and the LPM trie's exact-match index find entries by:
// u64 slots (hash << 32 | id + 1, 0 = empty), linear probing from `hash & mask`, kept at most half
// full so probes stay short, and backward-shift deletion, so there are no tombstones. The finds stay
// with each map (each compares its own keys).
import { nextPowerOfTwo } from "./memory";

/** Slots for a map of `maxEntries`: a power of two, at least twice the entries (and at least 16). */
export function indexCapacity(maxEntries: u32): u32 {
  return <u32>max<u64>(16, nextPowerOfTwo((<u64>maxEntries) << 1));
}

/** Stores entry `id` under `hash` in the first empty slot of its probe sequence. */
export function indexInsert(index: usize, mask: u32, hash: u32, id: u32): void {
  let pos = hash & mask;
  while (<u32>load<u64>(index + ((<usize>pos) << 3)) != 0) pos = (pos + 1) & mask;
  store<u64>(index + ((<usize>pos) << 3), ((<u64>hash) << 32) | (id + 1));
}

/** Removes entry `id` (stored under `hash`) and shifts later members of its probe sequence back. */
export function indexRemove(index: usize, mask: u32, hash: u32, id: u32): void {
  let hole = hash & mask;
  while (<u32>load<u64>(index + ((<usize>hole) << 3)) != id + 1) hole = (hole + 1) & mask;
  let j = hole;
  while (true) {
    j = (j + 1) & mask;
    const slot = load<u64>(index + ((<usize>j) << 3));
    if (<u32>slot == 0) break;
    const home = (<u32>(slot >>> 32)) & mask;
    if (((j - home) & mask) >= ((j - hole) & mask)) {
      store<u64>(index + ((<usize>hole) << 3), slot);
      hole = j;
    }
  }
  store<u64>(index + ((<usize>hole) << 3), 0);
}
