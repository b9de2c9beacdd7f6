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

/**
 * Zeroed allocation. Only the part below the memory's end before the call is filled: pages
 * memory.grow adds are zero already, and leaving them untouched keeps a map's unused capacity out of
 * the process's resident memory (a replay worker's maps are ~130 MB) and out of its start-up time.
 */
export function allocZeroed(bytes: usize): usize {
  const end = (<usize>memory.size()) << 16;
  const ptr = heap.alloc(bytes);
  if (ptr < end) memory.fill(ptr, 0, min(bytes, end - ptr));
  return ptr;
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
