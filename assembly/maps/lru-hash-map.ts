// BPF_MAP_TYPE_LRU_HASH: a hash map that, when full, makes room for a new key by evicting an entry
// that has not been used recently; a lookup or an update marks an entry as used.
//
// Like the kernel (kernel/bpf/bpf_lru_list.c), use is a reference bit set on lookup and update, not
// a move in a list, and eviction gives referenced entries a second chance: a clock hand sweeps the
// entry ids in order, clearing reference bits, and evicts the first entry whose bit is clear. The
// kernel keeps active and inactive lists per CPU and evicts in batches; this is the single-list
// clock those lists approximate. A failed update changes nothing. The reference twin in
// src/reference/maps/lru-clock.ts follows the same ids, bits and hand.
//
// Each record keeps its index hash (so evicting does not rehash the victim's key) and its
// reference bit right after the key, in the line a lookup has just read.
import { HashCore, lookupEach } from "./hash-core";
import { KeyBytes } from "./key-bytes";
import { BPF_EXIST, BPF_NOEXIST, EEXIST, EINVAL, ENOENT } from "./errno";

/** Record bytes after the key: the u32 index hash, the u8 reference bit, padding. */
const EXTRA_BYTES: u32 = 8;
const HASH_AT: usize = 0;
const REF_AT: usize = 4;

export class LruHashMap extends HashCore {
  /** Next id the clock hand examines. */
  private hand: u32 = 0;
  /** Entries evicted to make room so far (wraps); callers count evictions by difference. */
  evictions: u32 = 0;

  static check(keySize: u32, valueSize: u32, maxEntries: u32): i32 {
    return HashCore.check(keySize, valueSize, maxEntries, EXTRA_BYTES);
  }

  constructor(keySize: u32, valueSize: u32, maxEntries: u32) {
    super(keySize, valueSize, maxEntries, EXTRA_BYTES);
  }

  /** Value of the key at `key` (marking it used), or 0. */
  @inline
  lookup(key: usize): usize {
    const id = this.findId(key);
    if (id < 0) return 0;
    this.reference(<u32>id);
    return this.entryValue(<u32>id);
  }

  /** As HashMap.lookupBatch; every hit is marked used. */
  lookupBatch(keys: usize, n: u32, results: usize): u32 {
    return lookupEach<LruHashMap>(this, keys, n, results);
  }

  /**
   * Inserts or replaces, marking an existing entry used (a new one starts unreferenced, as in the
   * kernel). 0 or: -EINVAL (bad flags), -EEXIST (NOEXIST on an existing key), -ENOENT (EXIST on a
   * missing key). A new key in a full map evicts (see evict) instead of failing.
   */
  update(key: usize, value: usize, flags: u32): i32 {
    if (flags > BPF_EXIST) return -EINVAL;
    const hash = this.hashOf(key);
    const found = this.findHashed(key, hash);
    if (found >= 0) {
      if (flags == BPF_NOEXIST) return -EEXIST;
      KeyBytes.copy(this.entryValue(<u32>found), value, this.valueSize);
      this.reference(<u32>found);
      return 0;
    }
    if (flags == BPF_EXIST) return -ENOENT;
    if (this.count == this.maxEntries) this.evict();
    const id = this.insertNew(key, value, hash);
    const extra = this.extra(id);
    store<u32>(extra + HASH_AT, hash);
    store<u8>(extra + REF_AT, 0);
    return 0;
  }

  /** 0, or -ENOENT if the key is absent. */
  delete(key: usize): i32 {
    const id = this.findId(key);
    if (id < 0) return -ENOENT;
    this.removeHashed(<u32>id, load<u32>(this.extra(<u32>id) + HASH_AT));
    return 0;
  }

  /**
   * In a full map, touches (see touchSlot) the record and index slot of the entry `ahead` places
   * after the clock hand: the next insertion's likely victims. Returns what it loaded.
   */
  @inline
  touchVictim(ahead: u32): u64 {
    if (this.count != this.maxEntries) return 0;
    let id = this.hand + ahead;
    if (id >= this.maxEntries) id -= this.maxEntries;
    return this.touchSlot(load<u32>(this.extra(id) + HASH_AT));
  }

  dispose(): void {
    this.hand = 0;
    super.dispose();
  }

  /**
   * Second chance: from the hand on, referenced entries lose their bit and are passed; the first
   * unreferenced one is evicted and the hand stops just after it. Only called on a full map, so
   * every id holds an entry; a sweep ends within one turn of the hand.
   */
  private evict(): void {
    const last = this.maxEntries - 1;
    let id = this.hand;
    while (true) {
      const ref = this.extra(id) + REF_AT;
      if (load<u8>(ref) == 0) break;
      store<u8>(ref, 0);
      id = id == last ? 0 : id + 1;
    }
    this.hand = id == last ? 0 : id + 1;
    this.removeHashed(id, load<u32>(this.extra(id) + HASH_AT));
    this.evictions++;
  }

  @inline
  private extra(id: u32): usize {
    return this.entries + <usize>id * this.stride + this.extraOffset;
  }

  /** Sets the reference bit, writing only when it was clear (so hits do not dirty shared lines). */
  @inline
  private reference(id: u32): void {
    const ref = this.extra(id) + REF_AT;
    if (load<u8>(ref) == 0) store<u8>(ref, 1);
  }
}
