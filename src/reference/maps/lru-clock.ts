// The eviction state of an LRU hash map, as the Wasm map keeps it (assembly/maps/lru-hash-map.ts):
// entries live under ids handed out like the Wasm id pool (a released id is reused first, most
// recent first, else the next never-used one), each id has a reference bit set by use, and a clock
// hand picks victims with a second chance. Mirroring ids, bits and hand makes both maps evict the
// same entry.

export class LruClock {
  private readonly referenced: Uint8Array;
  private readonly freeIds: number[] = [];
  private highWater = 0;
  private hand = 0;

  constructor(private readonly capacity: number) {
    this.referenced = new Uint8Array(capacity);
  }

  /** An id for a new entry, which starts unreferenced; the caller guarantees one is free. */
  allocate(): number {
    const id = this.freeIds.length > 0 ? this.freeIds.pop()! : this.highWater++;
    this.referenced[id] = 0;
    return id;
  }

  /** Returns the id of a deleted or evicted entry. */
  release(id: number): void {
    this.freeIds.push(id);
  }

  /** Marks entry `id` used (lookup or update of an existing key). */
  reference(id: number): void {
    this.referenced[id] = 1;
  }

  /**
   * The entry to evict from a full map (every id live): from the hand on, referenced ids lose
   * their bit and are passed; the first unreferenced one is the victim, and the hand stops after it.
   */
  victim(): number {
    let id = this.hand;
    while (this.referenced[id] !== 0) {
      this.referenced[id] = 0;
      id = (id + 1) % this.capacity;
    }
    this.hand = (id + 1) % this.capacity;
    return id;
  }
}
