// BPF_MAP_TYPE_LRU_HASH: a hash map that, when full, makes room for a new key by evicting the
// least recently used entry; a lookup or an update makes an entry the most recently used.
//
// This is exact LRU over one global list. The kernel's LRU is approximate (per-CPU free lists,
// active/inactive lists with reference bits, eviction in batches), so in a full kernel map the
// victim is only "one of the least recently used" and an update can evict before it fails. Here a
// failed update changes nothing and the victim is always the single least recently used entry.
//
// The list links live in each entry record, right after the key, so refreshing an entry touches
// its own record plus its two neighbours.
import { HashCore, lookupEach } from "./hash-core";
import { BPF_EXIST, BPF_NOEXIST, EEXIST, EINVAL, ENOENT } from "./errno";

const NIL: u32 = 0xffffffff;
/** Record bytes for the links: the neighbour used more recently (towards head), then less recently. */
const LINK_BYTES: u32 = 8;
const NEWER: usize = 0;
const OLDER: usize = 4;

export class LruHashMap extends HashCore {
  /** Most recently used entry id, or NIL. */
  private head: u32 = NIL;
  /** Least recently used entry id (next eviction victim), or NIL. */
  private tail: u32 = NIL;
  /** Entries evicted to make room so far (wraps); callers count evictions by difference. */
  evictions: u32 = 0;

  static check(keySize: u32, valueSize: u32, maxEntries: u32): i32 {
    return HashCore.check(keySize, valueSize, maxEntries, LINK_BYTES);
  }

  constructor(keySize: u32, valueSize: u32, maxEntries: u32) {
    super(keySize, valueSize, maxEntries, LINK_BYTES);
  }

  /** Value of the key at `key` (making it the most recently used), or 0. */
  @inline
  lookup(key: usize): usize {
    const id = this.findId(key);
    if (id < 0) return 0;
    this.touch(<u32>id);
    return this.entryValue(<u32>id);
  }

  /** As HashMap.lookupBatch; every hit is refreshed, in batch order. */
  lookupBatch(keys: usize, n: u32, results: usize): u32 {
    return lookupEach<LruHashMap>(this, keys, n, results);
  }

  /**
   * Inserts or replaces; the entry becomes the most recently used. 0 or: -EINVAL (bad flags),
   * -EEXIST (NOEXIST on an existing key), -ENOENT (EXIST on a missing key). A new key in a full map
   * evicts the least recently used entry instead of failing.
   */
  update(key: usize, value: usize, flags: u32): i32 {
    if (flags > BPF_EXIST) return -EINVAL;
    const hash = this.hashOf(key);
    const found = this.findHashed(key, hash);
    if (found >= 0) {
      if (flags == BPF_NOEXIST) return -EEXIST;
      memory.copy(this.entryValue(<u32>found), value, this.valueSize);
      this.touch(<u32>found);
      return 0;
    }
    if (flags == BPF_EXIST) return -ENOENT;
    if (this.count == this.maxEntries) this.evict();
    this.pushFront(this.insertNew(key, value, hash));
    return 0;
  }

  /** 0, or -ENOENT if the key is absent. */
  delete(key: usize): i32 {
    const id = this.findId(key);
    if (id < 0) return -ENOENT;
    this.unlink(<u32>id);
    this.removeId(<u32>id);
    return 0;
  }

  /** Id of the least recently used entry (the next victim), or -1 when empty. */
  leastRecent(): i32 {
    return this.tail == NIL ? -1 : <i32>this.tail;
  }

  dispose(): void {
    this.head = NIL;
    this.tail = NIL;
    super.dispose();
  }

  private evict(): void {
    const victim = this.tail;
    this.unlink(victim);
    this.removeId(victim);
    this.evictions++;
  }

  @inline
  private links(id: u32): usize {
    return this.entries + <usize>id * this.stride + this.extraOffset;
  }

  @inline
  private touch(id: u32): void {
    if (id == this.head) return;
    this.unlink(id);
    this.pushFront(id);
  }

  private pushFront(id: u32): void {
    const links = this.links(id);
    store<u32>(links + NEWER, NIL);
    store<u32>(links + OLDER, this.head);
    if (this.head != NIL) store<u32>(this.links(this.head) + NEWER, id);
    else this.tail = id;
    this.head = id;
  }

  private unlink(id: u32): void {
    const links = this.links(id);
    const newer = load<u32>(links + NEWER);
    const older = load<u32>(links + OLDER);
    if (newer != NIL) store<u32>(this.links(newer) + OLDER, older);
    else this.head = older;
    if (older != NIL) store<u32>(this.links(older) + NEWER, newer);
    else this.tail = newer;
  }
}
