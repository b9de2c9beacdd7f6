// Read-back of an emulated node's maps (`dpemu maps dump`, tests): entries are copied out in key
// order, a chunk per call, the way `bpf_map_get_next_key` walks a map. Reading never refreshes
// LRU recency, so a dump does not change which entry is evicted next.
//
// A record is the entry's key bytes followed by its value bytes, in the layouts of layout.ts
// (the reference twin stores the same bytes, so one host decoder reads both). LPM maps give
// {u32 address, u32 prefix length} as the key. The Maglev map gives {u32 rev-NAT ID, u32 table
// length}; dpMaglevRead copies a table out.
import { HashCore } from "../maps/hash-core";
import { LpmTrie } from "../maps/lpm-trie";
import { EINVAL, ENOENT } from "../maps/errno";
import { nodeOf } from "./handles";
import { Node } from "./node";
import { DP_LPM_KEY_ADDR, DP_LPM_KEY_PREFIX_LEN, DP_LPM_KEY_SIZE } from "./layout";

export const DUMP_MAP_SERVICES: u32 = 0;
export const DUMP_MAP_BACKENDS: u32 = 1;
export const DUMP_MAP_REV_NAT: u32 = 2;
export const DUMP_MAP_IPCACHE: u32 = 3;
export const DUMP_MAP_IPMASQ: u32 = 4;
export const DUMP_MAP_CT_TCP: u32 = 5;
export const DUMP_MAP_CT_ANY: u32 = 6;
export const DUMP_MAP_NAT: u32 = 7;
export const DUMP_MAP_MAGLEV: u32 = 8;
export const DUMP_MAP_ENDPOINTS: u32 = 9;
export const DUMP_MAP_AFFINITY: u32 = 10;

/** Bytes of the value part of a Maglev record: the table length (u32). */
export const MAGLEV_RECORD_VALUE: u32 = 4;

function hashMapOf(n: Node, map: u32): HashCore | null {
  if (map == DUMP_MAP_SERVICES) return n.services;
  if (map == DUMP_MAP_BACKENDS) return n.backends;
  if (map == DUMP_MAP_REV_NAT) return n.revNat;
  if (map == DUMP_MAP_CT_TCP) return n.ctTcp;
  if (map == DUMP_MAP_CT_ANY) return n.ctAny;
  if (map == DUMP_MAP_NAT) return n.nat;
  if (map == DUMP_MAP_MAGLEV) return n.maglev;
  if (map == DUMP_MAP_ENDPOINTS) return n.endpoints;
  if (map == DUMP_MAP_AFFINITY) return n.affinity;
  return null;
}

function lpmOf(n: Node, map: u32): LpmTrie | null {
  if (map == DUMP_MAP_IPCACHE) return n.ipcache;
  if (map == DUMP_MAP_IPMASQ) return n.ipMasq;
  return null;
}

/** Bytes of the key part of a record of `map`, or -EINVAL for an unknown map. */
export function dpMapKeySize(h: i32, map: u32): i32 {
  const n = nodeOf(h);
  const hash = hashMapOf(n, map);
  if (hash !== null) return <i32>hash.keySize;
  return lpmOf(n, map) !== null ? <i32>DP_LPM_KEY_SIZE : -EINVAL;
}

/** Bytes of the value part of a record of `map`, or -EINVAL for an unknown map. */
export function dpMapValueSize(h: i32, map: u32): i32 {
  const n = nodeOf(h);
  if (map == DUMP_MAP_MAGLEV) return <i32>MAGLEV_RECORD_VALUE;
  const hash = hashMapOf(n, map);
  if (hash !== null) return <i32>hash.valueSize;
  const lpm = lpmOf(n, map);
  return lpm !== null ? <i32>lpm.valueSize : -EINVAL;
}

/** Number of entries in `map`, or -EINVAL for an unknown map. */
export function dpMapCount(h: i32, map: u32): i32 {
  const n = nodeOf(h);
  const hash = hashMapOf(n, map);
  if (hash !== null) return <i32>hash.count;
  const lpm = lpmOf(n, map);
  return lpm !== null ? <i32>lpm.count : -EINVAL;
}

/**
 * Copies up to `capacity` records of `map` to `out`, starting after the record key at `after`
 * (0: from the first entry). `after` may point into `out` (the last record of the previous
 * chunk): it is read before anything is written. Returns the number of records, or -EINVAL.
 */
export function dpMapRead(h: i32, map: u32, after: usize, out: usize, capacity: u32): i32 {
  const n = nodeOf(h);
  const hash = hashMapOf(n, map);
  if (hash !== null) return readHash(hash, map == DUMP_MAP_MAGLEV, after, out, capacity);
  const lpm = lpmOf(n, map);
  if (lpm !== null) return readLpm(lpm, after, out, capacity);
  return -EINVAL;
}

function readHash(map: HashCore, maglev: bool, after: usize, out: usize, capacity: u32): i32 {
  const keySize = <usize>map.keySize;
  const valueSize = maglev ? <usize>MAGLEV_RECORD_VALUE : <usize>map.valueSize;
  let id = map.next(after);
  let written: u32 = 0;
  while (id >= 0 && written < capacity) {
    const record = out + <usize>written * (keySize + valueSize);
    memory.copy(record, map.entryKey(<u32>id), keySize);
    // The Maglev value holds a pointer to the table; the host gets the table's length instead.
    if (maglev) store<u32>(record + keySize, load<u32>(map.entryValue(<u32>id), 4));
    else memory.copy(record + keySize, map.entryValue(<u32>id), valueSize);
    written++;
    id = map.next(map.entryKey(<u32>id));
  }
  return <i32>written;
}

function readLpm(trie: LpmTrie, after: usize, out: usize, capacity: u32): i32 {
  const valueSize = <usize>trie.valueSize;
  let id =
    after == 0
      ? trie.next(false, 0, 0)
      : trie.next(true, load<u32>(after, DP_LPM_KEY_ADDR), load<u32>(after, DP_LPM_KEY_PREFIX_LEN));
  let written: u32 = 0;
  while (id >= 0 && written < capacity) {
    const record = out + <usize>written * (<usize>DP_LPM_KEY_SIZE + valueSize);
    const address = trie.entryAddress(<u32>id);
    const length = trie.entryLength(<u32>id);
    store<u32>(record, address, DP_LPM_KEY_ADDR);
    store<u32>(record, length, DP_LPM_KEY_PREFIX_LEN);
    memory.copy(record + DP_LPM_KEY_SIZE, trie.entryValue(<u32>id), valueSize);
    written++;
    id = trie.next(true, address, length);
  }
  return <i32>written;
}

/**
 * Copies the Maglev table of `revNat` (u32 backend IDs) to `out` if it has at most `capacity`
 * entries. Returns the table's length (also when it did not fit), or -ENOENT.
 */
export function dpMaglevRead(h: i32, revNat: u32, out: usize, capacity: u32): i32 {
  const n = nodeOf(h);
  store<u32>(n.u32Key, revNat);
  const value = n.maglev.peek(n.u32Key);
  if (value == 0) return -ENOENT;
  const m = load<u32>(value, 4);
  if (m <= capacity) memory.copy(out, <usize>load<u32>(value), (<usize>m) << 2);
  return <i32>m;
}
