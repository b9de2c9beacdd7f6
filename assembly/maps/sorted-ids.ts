// A map's live entry ids in key order, rebuilt lazily for iteration.
//
// Inserting marks the order stale (the next iteration call re-sorts, O(n log n)). Deleting does
// not: a deleted id stays in the array with its old key bytes untouched (ids are only reused by an
// insert, which marks the order stale), so the array stays sorted and readers just skip dead ids.
// That keeps "iterate and delete as you go" (garbage collection) linear.
import { IdPool } from "./id-pool";
import { allocZeroed, freeZeroed } from "./memory";
import { EntryCompare, sortIds } from "./sort";

export class SortedIds {
  /** u32 ids in key order (dead ones included until the next rebuild). */
  ids: usize = 0;
  length: u32 = 0;
  stale: bool = true;
  private tmp: usize = 0;
  private capacity: u32;

  constructor(capacity: u32) {
    this.capacity = capacity;
  }

  /** Bytes held (the buffers are only allocated on first iteration). */
  get memoryBytes(): usize {
    return this.ids == 0 ? 0 : (<usize>this.capacity) << 3;
  }

  /** Re-sorts if stale: collects the pool's live ids. */
  refresh(pool: IdPool, compare: EntryCompare, ctx: usize): void {
    if (!this.stale) return;
    if (this.ids == 0) {
      this.ids = allocZeroed((<usize>this.capacity) << 2);
      this.tmp = allocZeroed((<usize>this.capacity) << 2);
    }
    let n: u32 = 0;
    const live = pool.live;
    for (let id: u32 = 0; id < pool.highWater; id++) {
      if (load<u8>(live + id) != 0) {
        store<u32>(this.ids + ((<usize>n) << 2), id);
        n++;
      }
    }
    sortIds(this.ids, this.tmp, n, compare, ctx);
    this.length = n;
    this.stale = false;
  }

  @inline
  at(position: u32): u32 {
    return load<u32>(this.ids + ((<usize>position) << 2));
  }

  /** The first id at or after `position` that is still live in `pool`, or -1. */
  firstLive(position: u32, pool: IdPool): i32 {
    for (let p = position; p < this.length; p++) {
      const id = this.at(p);
      if (pool.isLive(id)) return <i32>id;
    }
    return -1;
  }

  dispose(): void {
    if (this.ids != 0) {
      freeZeroed(this.ids);
      freeZeroed(this.tmp);
      this.ids = 0;
      this.tmp = 0;
    }
  }
}
