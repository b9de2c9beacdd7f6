// Raw-memory helpers shared by the maps: byte order comparison, an allocation guard so a map that
// cannot fit in linear memory fails with -ENOMEM instead of trapping inside the allocator, and sizes.
// The per-lookup key operations are in key-bytes.ts.

/** Pages the module may grow to; must equal asconfig.json "maximumMemory". */
const MAX_PAGES: usize = 65536;
/** The runtime's allocator (TLSF) refuses single blocks of 1 GiB or more. */
const MAX_BLOCK: u64 = (1 << 30) - 64;

/**
 * Whether `bytes` more can certainly be allocated: each block below the allocator's limit and the
 * total within the pages linear memory may still grow by. Conservative (ignores free heap space).
 */
export function canAllocate(bytes: u64, largestBlock: u64): bool {
  if (largestBlock >= MAX_BLOCK) return false;
  const growable = (<u64>(MAX_PAGES - <usize>memory.size())) << 16;
  return bytes + 4096 <= growable;
}

/** Zeroed blocks of this size or more are whole pages of their own (see allocZeroed). */
const PAGE_BLOCK_MIN: usize = 256 << 10;
/** Page blocks tracked (live or free for reuse); one past this is never reused once freed. */
const PAGE_BLOCK_SLOTS: i32 = 1024;
const pageBlockStart = new StaticArray<u32>(PAGE_BLOCK_SLOTS);
const pageBlockPages = new StaticArray<u32>(PAGE_BLOCK_SLOTS);
const pageBlockLive = new StaticArray<bool>(PAGE_BLOCK_SLOTS);
let pageBlocks: i32 = 0;

/**
 * Zeroed allocation, without touching memory that is zero already: a map's unused capacity stays out
 * of the process's resident memory (a replay worker's maps are ~130 MB) and out of its start-up time.
 * Large blocks (the maps' entry pools and indexes) come straight from memory.grow, whose new pages
 * are zero; taking them from the allocator instead put half of them in pages it had grown ahead
 * (it doubles the memory), which then had to be filled: ~100 ms of page faults per emulated node.
 * Free them with freeZeroed.
 */
export function allocZeroed(bytes: usize): usize {
  if (bytes >= PAGE_BLOCK_MIN) return allocPageBlock(bytes);
  const end = (<usize>memory.size()) << 16;
  const ptr = heap.alloc(bytes);
  if (ptr < end) memory.fill(ptr, 0, min(bytes, end - ptr));
  return ptr;
}

/** Frees a block allocZeroed returned: page blocks are kept for reuse, others go to the allocator. */
export function freeZeroed(ptr: usize): void {
  if ((ptr & 0xffff) == 0) {
    const page = <u32>(ptr >>> 16);
    for (let i = 0; i < pageBlocks; i++) {
      if (unchecked(pageBlockStart[i]) == page && unchecked(pageBlockLive[i])) {
        unchecked((pageBlockLive[i] = false));
        return;
      }
    }
  }
  heap.free(ptr);
}

/** Pages of their own for `bytes`: a freed page block large enough (cleared), else new pages. */
function allocPageBlock(bytes: usize): usize {
  const pages = <u32>((bytes + 0xffff) >>> 16);
  for (let i = 0; i < pageBlocks; i++) {
    if (!unchecked(pageBlockLive[i]) && unchecked(pageBlockPages[i]) >= pages) {
      unchecked((pageBlockLive[i] = true));
      const reused = (<usize>unchecked(pageBlockStart[i])) << 16;
      memory.fill(reused, 0, bytes);
      return reused;
    }
  }
  // Callers check canAllocate first; running out here is the allocator's out-of-memory trap.
  const before = memory.grow(pages);
  if (before < 0) unreachable();
  if (pageBlocks < PAGE_BLOCK_SLOTS) {
    unchecked((pageBlockStart[pageBlocks] = <u32>before));
    unchecked((pageBlockPages[pageBlocks] = pages));
    unchecked((pageBlockLive[pageBlocks] = true));
    pageBlocks++;
  }
  return (<usize>before) << 16;
}

/** Lexicographic comparison of two `size`-byte strings (memcmp sign). */
export function compareBytes(a: usize, b: usize, size: usize): i32 {
  while (size >= 8) {
    const x = bswap<u64>(load<u64>(a));
    const y = bswap<u64>(load<u64>(b));
    if (x != y) return x < y ? -1 : 1;
    a += 8;
    b += 8;
    size -= 8;
  }
  while (size > 0) {
    const x = load<u8>(a);
    const y = load<u8>(b);
    if (x != y) return x < y ? -1 : 1;
    a++;
    b++;
    size--;
  }
  return 0;
}

/** Murmur3's 32-bit avalanche step. */
export function finalMix(h: u32): u32 {
  h ^= h >>> 16;
  h *= 0x85ebca6b;
  h ^= h >>> 13;
  h *= 0xc2b2ae35;
  h ^= h >>> 16;
  return h;
}

/** Smallest power of two >= n (n >= 1). */
export function nextPowerOfTwo(n: u64): u64 {
  let p: u64 = 1;
  while (p < n) p <<= 1;
  return p;
}

/** Rounds up to a multiple of 8, so every record (and the value inside it) is 8-byte aligned. */
export function align8(n: usize): usize {
  return (n + 7) & ~7;
}
