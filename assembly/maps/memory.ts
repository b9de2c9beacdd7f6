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
 * Equality of two `size`-byte keys, with wide loads: keys of 8 bytes or more are compared eight
 * bytes at a time, the last (possibly overlapping) eight bytes included, so there is no byte tail.
 */
export function bytesEqual(a: usize, b: usize, size: usize): bool {
  // 8..16 bytes (CT tuples, service keys): two loads per side and no loop.
  if (size - 8 <= 8) {
    return load<u64>(a) == load<u64>(b) && load<u64>(a + size - 8) == load<u64>(b + size - 8);
  }
  if (size >= 8) {
    const last = size - 8;
    for (let i: usize = 0; i < last; i += 8) {
      if (load<u64>(a + i) != load<u64>(b + i)) return false;
    }
    return load<u64>(a + last) == load<u64>(b + last);
  }
  if (size >= 4) return load<u32>(a) == load<u32>(b) && load<u32>(a + size - 4) == load<u32>(b + size - 4);
  for (let i: usize = 0; i < size; i++) {
    if (load<u8>(a + i) != load<u8>(b + i)) return false;
  }
  return true;
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
 * 32-bit hash of a `size`-byte key. Like bytesEqual it reads the key with wide, possibly
 * overlapping loads (two loads for keys of 4..16 bytes, the common BPF key sizes), multiplies them
 * into 64 bits and finishes with Murmur3's 64-bit avalanche, so every key byte affects every bit.
 * Keys of 4..16 bytes multiply their two words independently (two multiplies in parallel instead
 * of a chain of four) before the avalanche: the hot path hashes several such keys per packet.
 */
export function hashKey(ptr: usize, size: usize, seed: u64): u32 {
  let h = seed ^ (<u64>size * 0x9e3779b97f4a7c15);
  if (size - 4 <= 12) {
    let first: u64;
    let last: u64;
    if (size >= 8) {
      first = load<u64>(ptr);
      last = load<u64>(ptr + size - 8);
    } else {
      first = <u64>load<u32>(ptr);
      last = <u64>load<u32>(ptr + size - 4);
    }
    h = ((first ^ h) * 0x87c37b91114253d5) ^ rotl<u64>((last + h) * 0x4cf5ad432745937f, 32);
    return <u32>avalanche64(h);
  }
  if (size >= 8) {
    const last = size - 8;
    for (let i: usize = 0; i < last; i += 8) h = mixWord(h, load<u64>(ptr + i));
    h = mixWord(h, load<u64>(ptr + last));
  } else {
    let word: u64 = 0;
    for (let i: usize = 0; i < size; i++) word = (word << 8) | load<u8>(ptr + i);
    h = mixWord(h, word);
  }
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
