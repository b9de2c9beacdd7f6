// Storage shared by the hash map and the LRU hash map: a preallocated entry pool (like the kernel's
// preallocated hash maps, so value pointers stay valid until their entry is deleted) and an
// open-addressing index of (hash << 32 | id + 1) slots with linear probing and backward-shift
// deletion, kept at most half full so probes stay short.
//
// Entry record: key bytes, padding to 8, `extraBytes` for the subclass (the LRU links, kept next to
// the key so a lookup touches one record), value bytes, padding to 8. Memory (n = max_entries):
// n * (stride + 5) + 8 * nextPow2(2n) bytes, + 8n once iterated.
import { SortedIds } from "./sorted-ids";
import { EINVAL, ENOMEM } from "./errno";
import {
  align8,
  allocZeroed,
  bytesEqual,
  canAllocate,
  compareBytes,
  hashKey,
  nextPowerOfTwo,
} from "./memory";

/** Largest key and value sizes accepted (Cilium's largest hash-map records are well below). */
export const HASH_MAX_KEY_SIZE: u32 = 512;
export const HASH_MAX_VALUE_SIZE: u32 = 65536;
/** Largest max_entries (index slots must stay below 2^31). */
export const HASH_MAX_ENTRIES: u32 = 1 << 28;

const SEED: u64 = 0x2f1b_d3a5_6c8e_0b47;

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
  protected readonly live: usize;
  private readonly freeIds: usize;
  private freeCount: u32 = 0;
  private highWater: u32 = 0;
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
    this.extraOffset = align8(keySize);
    this.valueOffset = this.extraOffset + extraBytes;
    this.stride = align8(this.valueOffset + valueSize);
    this.entries = allocZeroed(this.stride * maxEntries);
    this.live = allocZeroed(maxEntries);
    this.freeIds = allocZeroed((<usize>maxEntries) << 2);
    const capacity = <u32>max<u64>(16, nextPowerOfTwo((<u64>maxEntries) << 1));
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
    return this.findHashed(key, hashKey(key, this.keySize, SEED));
  }

  /** Value of `key` without any side effect (no LRU refresh), or 0. */
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
    this.order.refresh(this.live, this.highWater, compareEntryKeys, changetype<usize>(this));
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
    for (let p = lo; p < order.length; p++) {
      const id = order.at(p);
      if (load<u8>(this.live + id) != 0) return <i32>id;
    }
    return -1;
  }

  /** Bytes of linear memory held by this map. */
  get memoryBytes(): usize {
    return (
      this.stride * this.maxEntries +
      this.maxEntries +
      ((<usize>this.maxEntries) << 2) +
      ((<usize>(this.indexMask + 1)) << 3) +
      this.order.memoryBytes
    );
  }

  /** Frees all memory; the map must not be used afterwards. */
  dispose(): void {
    heap.free(this.entries);
    heap.free(this.live);
    heap.free(this.freeIds);
    heap.free(this.index);
    this.order.dispose();
    this.count = 0;
  }

  /** Stores a new entry (the key must be absent and the map not full); returns its id. */
  protected insertNew(key: usize, value: usize): u32 {
    const id = this.allocateId();
    const record = this.entries + <usize>id * this.stride;
    memory.copy(record, key, this.keySize);
    memory.copy(record + this.valueOffset, value, this.valueSize);
    store<u8>(this.live + id, 1);
    const hash = hashKey(key, this.keySize, SEED);
    let pos = hash & this.indexMask;
    while (<u32>load<u64>(this.index + ((<usize>pos) << 3)) != 0) pos = (pos + 1) & this.indexMask;
    store<u64>(this.index + ((<usize>pos) << 3), ((<u64>hash) << 32) | (id + 1));
    this.count++;
    this.order.stale = true;
    return id;
  }

  /** Removes entry `id` from the index and returns it to the pool. Its key bytes stay until reuse. */
  protected removeId(id: u32): void {
    const mask = this.indexMask;
    const hash = hashKey(this.entryKey(id), this.keySize, SEED);
    let hole = hash & mask;
    while (<u32>load<u64>(this.index + ((<usize>hole) << 3)) != id + 1) hole = (hole + 1) & mask;
    let j = hole;
    while (true) {
      j = (j + 1) & mask;
      const slot = load<u64>(this.index + ((<usize>j) << 3));
      if (<u32>slot == 0) break;
      const home = (<u32>(slot >>> 32)) & mask;
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        store<u64>(this.index + ((<usize>hole) << 3), slot);
        hole = j;
      }
    }
    store<u64>(this.index + ((<usize>hole) << 3), 0);
    store<u8>(this.live + id, 0);
    this.releaseId(id);
    this.count--;
  }

  @inline
  private findHashed(key: usize, hash: u32): i32 {
    const index = this.index;
    const mask = this.indexMask;
    let pos = hash & mask;
    while (true) {
      const slot = load<u64>(index + ((<usize>pos) << 3));
      const idPlus1 = <u32>slot;
      if (idPlus1 == 0) return -1;
      if (<u32>(slot >>> 32) == hash && bytesEqual(this.entryKey(idPlus1 - 1), key, this.keySize)) {
        return <i32>(idPlus1 - 1);
      }
      pos = (pos + 1) & mask;
    }
  }

  /** A free entry id: a recycled one first, else the next never-used one. */
  private allocateId(): u32 {
    if (this.freeCount == 0) return this.highWater++;
    this.freeCount--;
    return load<u32>(this.freeIds + ((<usize>this.freeCount) << 2));
  }

  private releaseId(id: u32): void {
    store<u32>(this.freeIds + ((<usize>this.freeCount) << 2), id);
    this.freeCount++;
  }
}
