// MurmurHash3 x64-128 (Austin Appleby's reference), as Cilium's pkg/murmur3 computes it: the 32-bit
// seed goes into both 64-bit lanes, blocks and tail are read little-endian, and the result is the
// pair (h1, h2) in that order. Cilium's Maglev uses h1 for the offset and h2 for the skip.

const C1: u64 = 0x87c37b91114253d5;
const C2: u64 = 0x4cf5ad432745937f;

function fmix64(k: u64): u64 {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccd;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53;
  k ^= k >> 33;
  return k;
}

function mixK1(k1: u64): u64 {
  k1 *= C1;
  k1 = rotl<u64>(k1, 31);
  return k1 * C2;
}

function mixK2(k2: u64): u64 {
  k2 *= C2;
  k2 = rotl<u64>(k2, 33);
  return k2 * C1;
}

/**
 * Hashes `len` bytes at `ptr` with `seed` and stores h1 at `out` and h2 at `out + 8` (u64 each,
 * little endian). Writing to memory instead of returning a pair keeps it allocation-free.
 */
export function murmur3Hash128(ptr: usize, len: usize, seed: u32, out: usize): void {
  let h1: u64 = <u64>seed;
  let h2: u64 = <u64>seed;
  const blocks = len >> 4;
  for (let i: usize = 0; i < blocks; i++) {
    const p = ptr + (i << 4);
    h1 ^= mixK1(load<u64>(p));
    h1 = rotl<u64>(h1, 27) + h2;
    h1 = h1 * 5 + 0x52dce729;
    h2 ^= mixK2(load<u64>(p, 8));
    h2 = rotl<u64>(h2, 31) + h1;
    h2 = h2 * 5 + 0x38495ab5;
  }
  // Tail: bytes 8..14 form k2, bytes 0..7 form k1 (little endian), zero-padded.
  const tail = ptr + (blocks << 4);
  const rest = len & 15;
  if (rest > 8) {
    let k2: u64 = 0;
    for (let j = rest; j > 8; j--) k2 = (k2 << 8) | (<u64>load<u8>(tail + j - 1));
    h2 ^= mixK2(k2);
  }
  if (rest > 0) {
    let k1: u64 = 0;
    const top = rest < 8 ? rest : 8;
    for (let j = top; j > 0; j--) k1 = (k1 << 8) | (<u64>load<u8>(tail + j - 1));
    h1 ^= mixK1(k1);
  }
  h1 ^= <u64>len;
  h2 ^= <u64>len;
  h1 += h2;
  h2 += h1;
  h1 = fmix64(h1);
  h2 = fmix64(h2);
  h1 += h2;
  h2 += h1;
  store<u64>(out, h1);
  store<u64>(out, h2, 8);
}
