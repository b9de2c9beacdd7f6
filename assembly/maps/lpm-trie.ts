// IPv4 longest-prefix-match map with the semantics of the kernel's BPF_MAP_TYPE_LPM_TRIE.
//
// Lookup structure: a DIR-16-8-8 multibit table, so a lookup is at most three dependent loads
// (no bit-by-bit trie walk):
//   level 0: 65536 slots indexed by address bits 31..16;
//   level 1: 256-slot chunks indexed by bits 15..8, present only under /16s that hold a prefix longer than /16;
//   level 2: 256-slot chunks indexed by bits 7..0, present only under /24s that hold a prefix longer than /24.
// Each prefix is expanded over the slots it covers ("controlled prefix expansion"); a slot keeps
// the longest prefix covering it. A slot is a u32:
//   bit 31 set      -> pointer to a child chunk (byte address >> 2);
//   otherwise       -> leaf: bits 29..24 = prefix length + 1 (0 = no prefix), bits 23..0 = entry id.
// The prefixes themselves live in an entry pool and an exact-match hash index (prefix -> entry), which
// serves exact get, update-in-place, and finding the next shorter covering prefix on delete.
//
// Memory (n = max_entries, v = value size, stride = align8(8 + v)):
//   fixed:   256 KiB level 0 + n * (stride + 5) + 8 * nextPow2(2n) bytes (+ 8n once iterated);
//   chunks:  1 KiB each; level-1 <= min(#prefixes longer than /16, 65536),
//            level-2 <= min(#prefixes longer than /24, n). A chunk is freed as soon as nothing
//            longer than its level remains under it, so chunk memory follows the live prefixes.
//   Cilium's ipcache (n = 512000, v = 10): about 22.4 MiB fixed (+3.9 MiB once iterated).
//   Realistic content (pod /32s clustered in per-node /24 pod CIDRs, some /24 and /16, one /0)
//   needs one level-2 chunk per populated /24: 100k pod IPs in 1000 node CIDRs cost ~1 MiB of
//   chunks (bench: 1M such prefixes use 56 MB in all). The adversarial worst case (every /32 in
//   its own /24, across all /16s) is 64 MiB + 500 MiB of chunks.
import { SortedIds } from "./sorted-ids";
import { BPF_EXIST, BPF_NOEXIST, EEXIST, EINVAL, ENOENT, ENOMEM, ENOSPC } from "./errno";
import { IdPool } from "./id-pool";
import { align8, allocZeroed, canAllocate, finalMix, freeZeroed, nextPowerOfTwo } from "./memory";
import { indexCapacity, indexInsert, indexRemove } from "./probe-index";

/** Largest max_entries: entry ids must fit the 24-bit id field of a slot. */
export const LPM_MAX_ENTRIES: u32 = 0xffffff;
/** Largest value size accepted (the kernel's limit is larger; no Cilium LPM value comes close). */
export const LPM_MAX_VALUE_SIZE: u32 = 65536;

const CHUNK: u32 = 0x80000000;
const ID_MASK: u32 = 0x00ffffff;
const DEPTH_SHIFT: u32 = 24;
const CHUNK_SLOTS: u32 = 256;
const CHUNK_BYTES: usize = 1024;
const LEVEL0_SLOTS: u32 = 65536;

// Entry record layout: address (host order, masked to the prefix), prefix length, then the value.
const ENTRY_ADDRESS: usize = 0;
const ENTRY_LENGTH: usize = 4;
const ENTRY_VALUE: usize = 8;

/** Network mask of a prefix length 0..32 (host order). */
export function prefixMask(length: u32): u32 {
  return length == 0 ? 0 : 0xffffffff << (32 - length);
}

function leafOf(length: u32, id: u32): u32 {
  return ((length + 1) << DEPTH_SHIFT) | id;
}

function chunkOf(slot: u32): usize {
  return <usize>(slot << 2);
}

function prefixHash(address: u32, length: u32): u32 {
  return finalMix(address ^ (length * 0x9e3779b1));
}

function compareEntries(ctx: usize, a: u32, b: u32): i32 {
  const trie = changetype<LpmTrie>(ctx);
  const x = trie.sortKey(a);
  const y = trie.sortKey(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export class LpmTrie {
  readonly valueSize: u32;
  readonly maxEntries: u32;
  /** Number of prefixes stored. */
  count: u32 = 0;
  /** Number of level-1 and level-2 chunks allocated. */
  chunks: u32 = 0;

  private readonly stride: usize;
  private readonly entries: usize;
  private readonly ids: IdPool;
  private readonly index: usize;
  private readonly indexMask: u32;
  private readonly level0: usize;
  /** How many prefixes of each length 0..32 exist: delete probes only lengths in use. */
  private readonly lengthCounts: usize;
  private readonly order: SortedIds;

  /** 0 if a trie with these parameters can be created, else the negative errno the kernel would give. */
  static check(valueSize: u32, maxEntries: u32): i32 {
    if (valueSize == 0 || valueSize > LPM_MAX_VALUE_SIZE) return -EINVAL;
    if (maxEntries == 0 || maxEntries > LPM_MAX_ENTRIES) return -EINVAL;
    const stride = <u64>align8(ENTRY_VALUE + valueSize);
    const entries = stride * maxEntries;
    const index = nextPowerOfTwo((<u64>maxEntries) << 1) << 3;
    const total = entries + index + <u64>maxEntries * 13 + ((<u64>LEVEL0_SLOTS) << 2);
    return canAllocate(total, max(entries, index)) ? 0 : -ENOMEM;
  }

  /** Creates an empty trie; call `check` first for untrusted parameters. */
  constructor(valueSize: u32, maxEntries: u32) {
    this.valueSize = valueSize;
    this.maxEntries = maxEntries;
    this.order = new SortedIds(maxEntries);
    this.ids = new IdPool(maxEntries);
    this.stride = align8(ENTRY_VALUE + valueSize);
    this.entries = allocZeroed(this.stride * maxEntries);
    const capacity = indexCapacity(maxEntries);
    this.index = allocZeroed((<usize>capacity) << 3);
    this.indexMask = capacity - 1;
    this.level0 = allocZeroed((<usize>LEVEL0_SLOTS) << 2);
    this.lengthCounts = allocZeroed(33 << 2);
  }

  // ---- hot path -------------------------------------------------------------------------------

  /** The slot holding the longest prefix covering `address` (host order): 0 if none. */
  @inline
  lookupLeaf(address: u32): u32 {
    let slot = load<u32>(this.level0 + ((<usize>(address >>> 16)) << 2));
    if (slot & CHUNK) {
      slot = load<u32>(chunkOf(slot) + ((<usize>((address >>> 8) & 0xff)) << 2));
      if (slot & CHUNK) slot = load<u32>(chunkOf(slot) + ((<usize>(address & 0xff)) << 2));
    }
    return slot;
  }

  /** Value of the longest prefix covering `address` (host order), or 0 if no prefix covers it. */
  @inline
  lookup(address: u32): usize {
    const leaf = this.lookupLeaf(address);
    return leaf == 0 ? 0 : this.entries + <usize>(leaf & ID_MASK) * this.stride + ENTRY_VALUE;
  }

  /** Entry id of the longest prefix covering `address`, or -1. */
  lookupId(address: u32): i32 {
    const leaf = this.lookupLeaf(address);
    return leaf == 0 ? -1 : <i32>(leaf & ID_MASK);
  }

  /**
   * Looks up `n` host-order u32 addresses at `addresses`, storing each value pointer (0 = no match)
   * as a u32 at `results`. Returns the number of addresses that matched.
   */
  lookupBatch(addresses: usize, n: u32, results: usize): u32 {
    const level0 = this.level0;
    const values = this.entries + ENTRY_VALUE;
    const stride = this.stride;
    let hits: u32 = 0;
    for (let i: usize = 0; i < <usize>n; i++) {
      const address = load<u32>(addresses + (i << 2));
      let slot = load<u32>(level0 + ((<usize>(address >>> 16)) << 2));
      if (slot & CHUNK) {
        slot = load<u32>(chunkOf(slot) + ((<usize>((address >>> 8) & 0xff)) << 2));
        if (slot & CHUNK) slot = load<u32>(chunkOf(slot) + ((<usize>(address & 0xff)) << 2));
      }
      const value = values + <usize>(slot & ID_MASK) * stride;
      store<u32>(results + (i << 2), select<usize>(value, 0, slot != 0));
      hits += <u32>(slot != 0);
    }
    return hits;
  }

  // ---- entries --------------------------------------------------------------------------------

  @inline
  entryAddress(id: u32): u32 {
    return load<u32>(this.entries + <usize>id * this.stride + ENTRY_ADDRESS);
  }

  @inline
  entryLength(id: u32): u32 {
    return load<u8>(this.entries + <usize>id * this.stride + ENTRY_LENGTH);
  }

  @inline
  entryValue(id: u32): usize {
    return this.entries + <usize>id * this.stride + ENTRY_VALUE;
  }

  /** Iteration order: by address, then by prefix length. */
  @inline
  sortKey(id: u32): u64 {
    return ((<u64>this.entryAddress(id)) << 8) | this.entryLength(id);
  }

  // ---- control plane ----------------------------------------------------------------------------

  /** Value of exactly the prefix `address/length` (host bits ignored), or 0. */
  get(address: u32, length: u32): usize {
    if (length > 32) return 0;
    const id = this.find(address & prefixMask(length), length);
    return id < 0 ? 0 : this.entryValue(<u32>id);
  }

  /**
   * Inserts or replaces `address/length` (host bits beyond the prefix are ignored) with the
   * `valueSize` bytes at `value`. Returns 0 or, as the kernel's trie_update_elem():
   * -EINVAL (bad flags or length > 32), -EEXIST (BPF_NOEXIST on an existing prefix),
   * -ENOENT (BPF_EXIST on a missing prefix), -ENOSPC (a new prefix in a full trie; the kernel's LPM
   * trie answers ENOSPC here, unlike hash maps' E2BIG), -ENOMEM (linear memory exhausted).
   * Order of checks and in-place replacement in a full trie follow the current kernel (after
   * "bpf: Handle in-place update for full LPM trie correctly"; older kernels answered ENOSPC to any
   * update of a full trie).
   */
  update(address: u32, length: u32, value: usize, flags: u32): i32 {
    if (flags > BPF_EXIST || length > 32) return -EINVAL;
    address &= prefixMask(length);
    const existing = this.find(address, length);
    if (existing >= 0) {
      if (flags == BPF_NOEXIST) return -EEXIST;
      memory.copy(this.entryValue(<u32>existing), value, this.valueSize);
      return 0;
    }
    if (flags == BPF_EXIST) return -ENOENT;
    if (this.count == this.maxEntries) return -ENOSPC;
    if (!this.canAddChunks(address, length)) return -ENOMEM;

    const id = this.ids.allocate();
    const record = this.entries + <usize>id * this.stride;
    store<u32>(record + ENTRY_ADDRESS, address);
    store<u8>(record + ENTRY_LENGTH, <u8>length);
    memory.copy(record + ENTRY_VALUE, value, this.valueSize);
    indexInsert(this.index, this.indexMask, prefixHash(address, length), id);
    this.bumpLength(length, 1);
    this.count++;
    this.order.stale = true;

    const leaf = leafOf(length, id);
    const depth = length + 1;
    if (length <= 16) {
      this.spread(this.level0, address >>> 16, 1 << (16 - length), leaf, depth);
    } else {
      const level1 = this.childOf(this.level0 + ((<usize>(address >>> 16)) << 2));
      if (length <= 24) {
        this.spread(level1, (address >>> 8) & 0xff, 1 << (24 - length), leaf, depth);
      } else {
        const level2 = this.childOf(level1 + ((<usize>((address >>> 8) & 0xff)) << 2));
        this.spread(level2, address & 0xff, 1 << (32 - length), leaf, depth);
      }
    }
    return 0;
  }

  /**
   * Deletes exactly `address/length`; addresses it covered fall back to the next shorter prefix.
   * Returns 0, -ENOENT if absent, -EINVAL if length > 32.
   */
  delete(address: u32, length: u32): i32 {
    if (length > 32) return -EINVAL;
    address &= prefixMask(length);
    const found = this.find(address, length);
    if (found < 0) return -ENOENT;
    const id = <u32>found;

    const fallback = this.coveringLeaf(address, length);
    const depth = length + 1;
    if (length <= 16) {
      this.retract(this.level0, address >>> 16, 1 << (16 - length), depth, fallback);
    } else {
      const slot0 = this.level0 + ((<usize>(address >>> 16)) << 2);
      const level1 = chunkOf(load<u32>(slot0));
      if (length <= 24) {
        this.retract(level1, (address >>> 8) & 0xff, 1 << (24 - length), depth, fallback);
        this.collapse(slot0, level1);
      } else {
        const slot1 = level1 + ((<usize>((address >>> 8) & 0xff)) << 2);
        const level2 = chunkOf(load<u32>(slot1));
        this.retract(level2, address & 0xff, 1 << (32 - length), depth, fallback);
        if (this.collapse(slot1, level2)) this.collapse(slot0, level1);
      }
    }

    indexRemove(this.index, this.indexMask, prefixHash(address, length), id);
    this.ids.release(id);
    this.bumpLength(length, -1);
    this.count--;
    return 0;
  }

  /**
   * Iteration: the id of the first entry after `address/length` in (address, length) order, or
   * of the first entry when `after` is false; -1 at the end. The cursor need not be in the trie.
   */
  next(after: bool, address: u32, length: u32): i32 {
    this.order.refresh(this.ids, compareEntries, changetype<usize>(this));
    const order = this.order;
    let lo: u32 = 0;
    if (after) {
      const probe = ((<u64>(address & prefixMask(min(length, 32)))) << 8) | min(length, 32);
      let hi = order.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (this.sortKey(order.at(mid)) <= probe) lo = mid + 1;
        else hi = mid;
      }
    }
    return order.firstLive(lo, this.ids);
  }

  /** Bytes of linear memory held by this trie. */
  get memoryBytes(): usize {
    return (
      this.stride * this.maxEntries +
      this.ids.memoryBytes +
      ((<usize>(this.indexMask + 1)) << 3) +
      ((<usize>LEVEL0_SLOTS) << 2) +
      (33 << 2) +
      <usize>this.chunks * CHUNK_BYTES +
      this.order.memoryBytes
    );
  }

  /** Frees all memory; the trie must not be used afterwards. */
  dispose(): void {
    this.freeChunks(this.level0, LEVEL0_SLOTS);
    freeZeroed(this.level0);
    freeZeroed(this.entries);
    this.ids.dispose();
    freeZeroed(this.index);
    freeZeroed(this.lengthCounts);
    this.order.dispose();
    this.count = 0;
  }

  // ---- table maintenance ------------------------------------------------------------------------

  /** Writes `leaf` over every slot in [start, start+n) holding a shorter prefix (or none), into chunks too. */
  private spread(table: usize, start: u32, n: u32, leaf: u32, depth: u32): void {
    for (let i = start; i < start + n; i++) {
      const at = table + ((<usize>i) << 2);
      const slot = load<u32>(at);
      if (slot & CHUNK) this.spread(chunkOf(slot), 0, CHUNK_SLOTS, leaf, depth);
      else if (slot >>> DEPTH_SHIFT < depth) store<u32>(at, leaf);
    }
  }

  /** Replaces the deleted prefix (the slots of exactly `depth`) by `fallback` in [start, start+n). */
  private retract(table: usize, start: u32, n: u32, depth: u32, fallback: u32): void {
    for (let i = start; i < start + n; i++) {
      const at = table + ((<usize>i) << 2);
      const slot = load<u32>(at);
      if (slot & CHUNK) this.retract(chunkOf(slot), 0, CHUNK_SLOTS, depth, fallback);
      else if (slot >>> DEPTH_SHIFT == depth) store<u32>(at, fallback);
    }
  }

  /** The chunk under the slot at `at`, creating it (filled with the slot's leaf) if needed. */
  private childOf(at: usize): usize {
    const slot = load<u32>(at);
    if (slot & CHUNK) return chunkOf(slot);
    const chunk = heap.alloc(CHUNK_BYTES);
    for (let i: usize = 0; i < CHUNK_BYTES; i += 4) store<u32>(chunk + i, slot);
    store<u32>(at, CHUNK | (<u32>(chunk >>> 2)));
    this.chunks++;
    return chunk;
  }

  /** Folds a chunk back into its parent slot once all its slots agree (nothing longer remains). */
  private collapse(at: usize, chunk: usize): bool {
    const first = load<u32>(chunk);
    if (first & CHUNK) return false;
    for (let i: usize = 4; i < CHUNK_BYTES; i += 4) {
      if (load<u32>(chunk + i) != first) return false;
    }
    store<u32>(at, first);
    heap.free(chunk);
    this.chunks--;
    return true;
  }

  /** Whether the chunks an insert of `address/length` may create can be allocated. */
  private canAddChunks(address: u32, length: u32): bool {
    if (length <= 16) return true;
    const slot0 = load<u32>(this.level0 + ((<usize>(address >>> 16)) << 2));
    let needed: u64 = slot0 & CHUNK ? 0 : 1;
    if (length > 24) {
      const slot1 = slot0 & CHUNK ? load<u32>(chunkOf(slot0) + ((<usize>((address >>> 8) & 0xff)) << 2)) : 0;
      if (!(slot1 & CHUNK)) needed++;
    }
    return needed == 0 || canAllocate(needed * (CHUNK_BYTES + 16), CHUNK_BYTES);
  }

  private freeChunks(table: usize, n: u32): void {
    for (let i: u32 = 0; i < n; i++) {
      const slot = load<u32>(table + ((<usize>i) << 2));
      if (slot & CHUNK) {
        this.freeChunks(chunkOf(slot), CHUNK_SLOTS);
        heap.free(chunkOf(slot));
      }
    }
    this.chunks = 0;
  }

  /** Leaf of the longest prefix strictly shorter than `length` that covers `address` (0 if none). */
  private coveringLeaf(address: u32, length: u32): u32 {
    for (let l = <i32>length - 1; l >= 0; l--) {
      if (load<u32>(this.lengthCounts + ((<usize>l) << 2)) == 0) continue;
      const id = this.find(address & prefixMask(l), l);
      if (id >= 0) return leafOf(l, <u32>id);
    }
    return 0;
  }

  private bumpLength(length: u32, delta: i32): void {
    const at = this.lengthCounts + ((<usize>length) << 2);
    store<u32>(at, load<u32>(at) + delta);
  }

  // ---- exact-match index: open addressing, slots (hash << 32 | id + 1) -----------------------------

  private find(address: u32, length: u32): i32 {
    const hash = prefixHash(address, length);
    let pos = hash & this.indexMask;
    while (true) {
      const slot = load<u64>(this.index + ((<usize>pos) << 3));
      const idPlus1 = <u32>slot;
      if (idPlus1 == 0) return -1;
      if (<u32>(slot >>> 32) == hash) {
        const id = idPlus1 - 1;
        if (this.entryAddress(id) == address && this.entryLength(id) == length) return <i32>id;
      }
      pos = (pos + 1) & this.indexMask;
    }
  }
}
