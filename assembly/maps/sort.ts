// Sorting of entry ids for iteration. Iteration order is defined by content (key order), so the
// Wasm maps and their TypeScript twins enumerate identically whatever their internal layout.

/** Compares the entries `a` and `b` of the map at `ctx`: negative, zero or positive. */
export type EntryCompare = (ctx: usize, a: u32, b: u32) => i32;

/**
 * Stable bottom-up merge sort of `n` u32 ids at `ids`, using `tmp` (same size) as scratch.
 * O(n log n) comparisons whatever the input, no recursion, no allocation.
 */
export function sortIds(ids: usize, tmp: usize, n: u32, compare: EntryCompare, ctx: usize): void {
  let src = ids;
  let dst = tmp;
  for (let width: u32 = 1; width < n; width <<= 1) {
    for (let lo: u32 = 0; lo < n; lo += width << 1) {
      const mid = min(lo + width, n);
      const hi = min(lo + (width << 1), n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        const a = load<u32>(src + ((<usize>i) << 2));
        const b = load<u32>(src + ((<usize>j) << 2));
        if (compare(ctx, b, a) < 0) {
          store<u32>(dst + ((<usize>k) << 2), b);
          j++;
        } else {
          store<u32>(dst + ((<usize>k) << 2), a);
          i++;
        }
        k++;
      }
      if (i < mid) memory.copy(dst + ((<usize>k) << 2), src + ((<usize>i) << 2), (<usize>(mid - i)) << 2);
      else if (j < hi) memory.copy(dst + ((<usize>k) << 2), src + ((<usize>j) << 2), (<usize>(hi - j)) << 2);
    }
    const swap = src;
    src = dst;
    dst = swap;
  }
  if (src != ids) memory.copy(ids, src, (<usize>n) << 2);
}
