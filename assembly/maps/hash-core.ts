// Storage shared by the hash map and the LRU hash map: a preallocated entry pool (like the kernel's
// preallocated hash maps, so value pointers stay valid until their entry is deleted) and an
// open-addressing index of (hash << 32 | id + 1) slots with linear probing and backward-shift
// deletion, kept at most half full so probes stay short.
//
// Entry record: key bytes, padding to 8, `extraBytes` for the subclass (the LRU hash and reference
// bit, kept next to the key so a lookup touches one record), value bytes, padding to 8. Memory
// (n = max_entries): n * (stride + 5) + 8 * nextPow2(2n) bytes, + 8n once iterated.
import { SortedIds } from "./sorted-ids";
import { EINVAL, ENOMEM } from "./errno";
import { IdPool } from "./id-pool";
import { align8, allocZeroed, canAllocate, compareBytes, freeZeroed, nextPowerOfTwo } from "./memory";
import { KeyBytes } from "./key-bytes";
import { indexCapacity, indexInsert, indexRemove } from "./probe-index";

/** Largest key and value sizes accepted (Cilium's largest hash-map records are well below). */
export const HASH_MAX_KEY_SIZE: u32 = 512;
export const HASH_MAX_VALUE_SIZE: u32 = 65536;
/** Largest max_entries (index slots must stay below 2^31). */
export const HASH_MAX_ENTRIES: u32 = 1 << 28;

const SEED: u64 = 0x2f1b_d3a5_6c8e_0b47;

/**
 * Looks up `n` keys stored back to back at `keys` with `map.lookup` (a template: resolved and
 * inlined per map type, so an LRU map marks every hit used), storing each value pointer
 * (0 = absent) as a u32 at `results`. Returns the number found.
 */
export function lookupEach<Map>(map: Map, keys: usize, n: u32, results: usize): u32 {
  const keySize = <usize>map.keySize;
  let hits: u32 = 0;
  for (let i: usize = 0; i < <usize>n; i++) {
    const value = map.lookup(keys + i * keySize);
    store<u32>(results + (i << 2), value);
    hits += <u32>(value != 0);
  }
  return hits;
}

function compareEntryKeys(ctx: usize, a: u32, b: u32): i32 {
  const map = changetype<HashCore>(ctx);
  return compareBytes(map.entryKey(a), map.entryKey(b), map.keySize);
}

export class HashCore {
  readonly keySize: u32;
  readonly valueSize: u32;
  readonly maxEntries: u32;
  /** Number of entries stored. */
  count: u32 = 0;

  /** Offset of the subclass's bytes in a record. */
  protected readonly extraOffset: usize;
  protected readonly valueOffset: usize;
  protected readonly stride: usize;
  protected readonly entries: usize;
  private readonly ids: IdPool;
  private readonly index: usize;
  private readonly indexMask: u32;
  private readonly order: SortedIds;

  /**
   * 0 if a map with these sizes can be created, else -EINVAL (a zero or oversized parameter, as
   * the kernel rejects) or -ENOMEM. `extraBytes` is what a subclass adds to each record.
   */
  static check(keySize: u32, valueSize: u32, maxEntries: u32, extraBytes: u32): i32 {
    if (keySize == 0 || keySize > HASH_MAX_KEY_SIZE) return -EINVAL;
    if (valueSize == 0 || valueSize > HASH_MAX_VALUE_SIZE) return -EINVAL;
    if (maxEntries == 0 || maxEntries > HASH_MAX_ENTRIES) return -EINVAL;
    const stride = <u64>align8(align8(keySize) + extraBytes + valueSize);
    const entries = stride * maxEntries;
    const index = nextPowerOfTwo((<u64>maxEntries) << 1) << 3;
    const total = entries + index + <u64>maxEntries * 13;
    return canAllocate(total, max(entries, index)) ? 0 : -ENOMEM;
  }

  constructor(keySize: u32, valueSize: u32, maxEntries: u32, extraBytes: u32) {
    this.keySize = keySize;
    this.valueSize = valueSize;
    this.maxEntries = maxEntries;
    this.order = new SortedIds(maxEntries);
    this.ids = new IdPool(maxEntries);
    this.extraOffset = align8(keySize);
    this.valueOffset = this.extraOffset + extraBytes;
    this.stride = align8(this.valueOffset + valueSize);
    this.entries = allocZeroed(this.stride * maxEntries);
    const capacity = indexCapacity(maxEntries);
    this.index = allocZeroed((<usize>capacity) << 3);
    this.indexMask = capacity - 1;
  }

  @inline
  entryKey(id: u32): usize {
    return this.entries + <usize>id * this.stride;
  }

  @inline
  entryValue(id: u32): usize {
    return this.entries + <usize>id * this.stride + this.valueOffset;
  }

  /** Id of the entry whose key equals the `keySize` bytes at `key`, or -1. */
  @inline
  findId(key: usize): i32 {
    return this.findHashed(key, this.hashOf(key));
  }

  /** Index hash of the `keySize` bytes at `key` (computed once per update, reused by the insert). */
  @inline
  hashOf(key: usize): u32 {
    return KeyBytes.hash(key, this.keySize, SEED);
  }

  /**
   * Loads the index slot a key hashed to `hash` starts probing at and returns it. Wasm has no
   * prefetch instruction: a caller that loads the slots of the next few lookups back to back (and
   * keeps the results, so the loads stay) has their cache misses overlap instead of queueing.
   */
  @inline
  touchSlot(hash: u32): u64 {
    return load<u64>(this.index + ((<usize>(hash & this.indexMask)) << 3));
  }

  /** Value of `key` without any side effect (no LRU reference bit), or 0. */
  peek(key: usize): usize {
    const id = this.findId(key);
    return id < 0 ? 0 : this.entryValue(<u32>id);
  }

  /**
   * Iteration in key byte order (memcmp): the id of the first entry whose key is greater than the
   * key at `previous`, or of the first entry when `previous` is 0; -1 at the end. The previous key
   * need not be in the map.
   */
  next(previous: usize): i32 {
    this.order.refresh(this.ids, compareEntryKeys, changetype<usize>(this));
    const order = this.order;
    let lo: u32 = 0;
    if (previous != 0) {
      let hi = order.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (compareBytes(this.entryKey(order.at(mid)), previous, this.keySize) <= 0) lo = mid + 1;
        else hi = mid;
      }
    }
    return order.firstLive(lo, this.ids);
  }

  /** Ids below this may hold entries: scanning 0..idBound with hasId visits entries in id order. */
  get idBound(): u32 {
    return this.ids.highWater;
  }

  /** Whether entry id `id` holds an entry. */
  @inline
  hasId(id: u32): bool {
    return this.ids.isLive(id);
  }

  /** Bytes of linear memory held by this map. */
  get memoryBytes(): usize {
    return (
      this.stride * this.maxEntries +
      this.ids.memoryBytes +
      ((<usize>(this.indexMask + 1)) << 3) +
      this.order.memoryBytes
    );
  }

  /** Frees all memory; the map must not be used afterwards. */
  dispose(): void {
    freeZeroed(this.entries);
    this.ids.dispose();
    freeZeroed(this.index);
    this.order.dispose();
    this.count = 0;
  }

  /**
   * Stores a new entry whose index hash (hashOf) is `hash`; the key must be absent and the map not
   * full. Returns its id.
   */
  protected insertNew(key: usize, value: usize, hash: u32): u32 {
    const id = this.ids.allocate();
    const record = this.entries + <usize>id * this.stride;
    KeyBytes.copy(record, key, this.keySize);
    KeyBytes.copy(record + this.valueOffset, value, this.valueSize);
    indexInsert(this.index, this.indexMask, hash, id);
    this.count++;
    this.order.stale = true;
    return id;
  }

  /** Removes entry `id` from the index and returns it to the pool. Its key bytes stay until reuse. */
  protected removeId(id: u32): void {
    this.removeHashed(id, this.hashOf(this.entryKey(id)));
  }

  /** As removeId, with the entry's hashOf already known. */
  protected removeHashed(id: u32, hash: u32): void {
    indexRemove(this.index, this.indexMask, hash, id);
    this.ids.release(id);
    this.count--;
  }

  /** As findId for a map with 4-byte keys, the key given as its value (no store and reload). */
  @inline
  protected findU32(key: u32): i32 {
    return this.probe(KeyBytes.hashU32(key, SEED), <usize>key, true);
  }

  /** As findId, with the key's hashOf already computed. */
  @inline
  protected findHashed(key: usize, hash: u32): i32 {
    return this.probe(hash, key, false);
  }

  /**
   * The id whose slot carries `hash` and whose key matches, or -1 at the first empty slot. `key`
   * is the u32 key itself when `keyIsValue` (a constant at each call site), else a pointer to it.
   */
  @inline
  private probe(hash: u32, key: usize, keyIsValue: bool): i32 {
    const index = this.index;
    const mask = this.indexMask;
    let pos = hash & mask;
    while (true) {
      const slot = load<u64>(index + ((<usize>pos) << 3));
      const idPlus1 = <u32>slot;
      if (idPlus1 == 0) return -1;
      if (<u32>(slot >>> 32) == hash) {
        const stored = this.entryKey(idPlus1 - 1);
        if (keyIsValue ? load<u32>(stored) == <u32>key : KeyBytes.equal(stored, key, this.keySize)) {
          return <i32>(idPlus1 - 1);
        }
      }
      pos = (pos + 1) & mask;
    }
  }
}
