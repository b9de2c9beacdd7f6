// The pool of entry ids a map keeps its preallocated records under (like the kernel's preallocated
// maps, so a value pointer stays valid until its entry is deleted): a live byte per id, and a free
// id is a recycled one first (a stack of released ids), else the next never-used one.
import { allocZeroed, freeZeroed } from "./memory";

export class IdPool {
  /** One byte per id, 1 while the id holds an entry. */
  readonly live: usize;
  /** Ids below this have been handed out at least once. */
  highWater: u32 = 0;
  private readonly freeIds: usize;
  private freeCount: u32 = 0;
  private readonly capacity: u32;

  constructor(capacity: u32) {
    this.capacity = capacity;
    this.live = allocZeroed(capacity);
    this.freeIds = allocZeroed((<usize>capacity) << 2);
  }

  /** A free id, now live; the caller guarantees one is left. */
  allocate(): u32 {
    let id: u32;
    if (this.freeCount == 0) {
      id = this.highWater++;
    } else {
      this.freeCount--;
      id = load<u32>(this.freeIds + ((<usize>this.freeCount) << 2));
    }
    store<u8>(this.live + id, 1);
    return id;
  }

  /** Returns a live id to the pool. */
  release(id: u32): void {
    store<u8>(this.live + id, 0);
    store<u32>(this.freeIds + ((<usize>this.freeCount) << 2), id);
    this.freeCount++;
  }

  @inline
  isLive(id: u32): bool {
    return load<u8>(this.live + id) != 0;
  }

  /** Bytes of linear memory held. */
  get memoryBytes(): usize {
    return <usize>this.capacity + ((<usize>this.capacity) << 2);
  }

  dispose(): void {
    freeZeroed(this.live);
    freeZeroed(this.freeIds);
  }
}
