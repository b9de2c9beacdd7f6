// Raw-memory helpers shared by the maps: byte comparison, hashing, and an allocation guard so a
// map that cannot fit in linear memory fails with -ENOMEM instead of trapping inside the allocator.

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

/** Zeroed allocation. */
export function allocZeroed(bytes: usize): usize {
  const ptr = heap.alloc(bytes);
  memory.fill(ptr, 0, bytes);
  return ptr;
}

/**
 * The `n` (1..8) bytes at `ptr` as a little-endian integer, read as a u32, then a u16, then a u8
 * piece as needed (8 bytes: two u32s). Keys are read in these pieces, never with a load that
 * straddles them, so a key just written field by field (u64/u32/u16 stores at the same offsets,
 * see the datapath's tuple and service-key writers) is forwarded from the store buffer instead of
 * stalling until the stores retire.
 */
function loadPieces(ptr: usize, n: usize): u64 {
  let v: u64 = 0;
  let at: usize = 0;
  if (n >= 4) {
    v = <u64>load<u32>(ptr);
    at = 4;
    if (n == 8) return v | ((<u64>load<u32>(ptr, 4)) << 32);
  }
  if (n - at >= 2) {
    v |= (<u64>load<u16>(ptr + at)) << ((<u64>at) << 3);
    at += 2;
  }
  if (n > at) v |= (<u64>load<u8>(ptr + at)) << ((<u64>at) << 3);
  return v;
}

/**
 * Equality of two `size`-byte keys, with wide loads: keys of 1..16 bytes as a u64 head and
 * loadPieces tail, longer keys eight bytes at a time, the last (possibly overlapping) eight bytes
 * included, so there is no byte tail.
 */
export function bytesEqual(a: usize, b: usize, size: usize): bool {
  if (size <= 8) return loadPieces(a, size) == loadPieces(b, size);
  if (size <= 16) {
    return load<u64>(a) == load<u64>(b) && loadPieces(a + 8, size - 8) == loadPieces(b + 8, size - 8);
  }
  const last = size - 8;
  for (let i: usize = 0; i < last; i += 8) {
    if (load<u64>(a + i) != load<u64>(b + i)) return false;
  }
  return load<u64>(a + last) == load<u64>(b + last);
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

/**
 * 32-bit hash of a `size`-byte key. Keys of up to 16 bytes (the BPF keys the datapath uses) are
 * read like bytesEqual reads them (a u64 head and a loadPieces tail), the two words multiplied
 * independently (in parallel rather than a chain) and finished with Murmur3's 64-bit avalanche, so
 * every key byte affects every bit. Longer keys mix eight bytes at a time.
 */
export function hashKey(ptr: usize, size: usize, seed: u64): u32 {
  let h = seed ^ (<u64>size * 0x9e3779b97f4a7c15);
  if (size <= 16) {
    let first: u64;
    let last: u64;
    if (size > 8) {
      first = load<u64>(ptr);
      last = loadPieces(ptr + 8, size - 8);
    } else {
      first = loadPieces(ptr, size);
      last = first;
    }
    h = ((first ^ h) * 0x87c37b91114253d5) ^ rotl<u64>((last + h) * 0x4cf5ad432745937f, 32);
    return <u32>avalanche64(h);
  }
  const last = size - 8;
  for (let i: usize = 0; i < last; i += 8) h = mixWord(h, load<u64>(ptr + i));
  h = mixWord(h, load<u64>(ptr + last));
  return <u32>avalanche64(h);
}

function mixWord(h: u64, word: u64): u64 {
  return rotl<u64>(h ^ (word * 0x87c37b91114253d5), 31) * 0x4cf5ad432745937f;
}

function avalanche64(h: u64): u64 {
  h ^= h >>> 33;
  h *= 0xff51afd7ed558ccd;
  h ^= h >>> 33;
  h *= 0xc4ceb9fe1a85ec53;
  h ^= h >>> 33;
  return h;
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
