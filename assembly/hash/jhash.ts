// Bob Jenkins' lookup3 hash as the Linux kernel (include/linux/jhash.h) and Cilium (bpf/lib/jhash.h)
// implement it. All arithmetic is modulo 2^32.

/** The kernel's JHASH_INITVAL. */
export const JHASH_INITVAL: u32 = 0xdeadbeef;

// The kernel's __jhash_final as a function of three words returning c; a and b are dead afterwards
// in every caller, so only c needs to come out.
export function jhashFinal(a: u32, b: u32, c: u32): u32 {
  c ^= b;
  c -= rotl<u32>(b, 14);
  a ^= c;
  a -= rotl<u32>(c, 11);
  b ^= a;
  b -= rotl<u32>(a, 25);
  c ^= b;
  c -= rotl<u32>(b, 16);
  a ^= c;
  a -= rotl<u32>(c, 4);
  b ^= a;
  b -= rotl<u32>(a, 14);
  c ^= b;
  c -= rotl<u32>(b, 24);
  return c;
}

/** jhash_3words(a, b, c, initval): three words, one final round. */
export function jhash3Words(a: u32, b: u32, c: u32, initval: u32): u32 {
  const iv = initval + JHASH_INITVAL + (3 << 2);
  return jhashFinal(a + iv, b + iv, c + iv);
}

/** jhash_2words(a, b, initval). */
export function jhash2Words(a: u32, b: u32, initval: u32): u32 {
  const iv = initval + JHASH_INITVAL + (2 << 2);
  return jhashFinal(a + iv, b + iv, iv);
}

/** jhash_1word(a, initval). */
export function jhash1Word(a: u32, initval: u32): u32 {
  const iv = initval + JHASH_INITVAL + (1 << 2);
  return jhashFinal(a + iv, iv, iv);
}

/**
 * jhash(key, length, initval) over `len` bytes at `ptr`: 12-byte blocks as three little-endian
 * words with the full mix, then the zero-padded 1..12 byte tail and the final round. A zero-length
 * key returns the initial c unchanged, as in the kernel.
 */
export function jhashBytes(ptr: usize, len: u32, initval: u32): u32 {
  let a: u32 = JHASH_INITVAL + len + initval;
  let b: u32 = a;
  let c: u32 = a;
  let p = ptr;
  let left = len;
  while (left > 12) {
    a += load<u32>(p);
    b += load<u32>(p, 4);
    c += load<u32>(p, 8);
    // __jhash_mix
    a -= c;
    a ^= rotl<u32>(c, 4);
    c += b;
    b -= a;
    b ^= rotl<u32>(a, 6);
    a += c;
    c -= b;
    c ^= rotl<u32>(b, 8);
    b += a;
    a -= c;
    a ^= rotl<u32>(c, 16);
    c += b;
    b -= a;
    b ^= rotl<u32>(a, 19);
    a += c;
    c -= b;
    c ^= rotl<u32>(b, 4);
    b += a;
    left -= 12;
    p += 12;
  }
  if (left == 0) return c;
  // Zero-padded little-endian tail words.
  let w0: u32 = 0;
  let w1: u32 = 0;
  let w2: u32 = 0;
  for (let i: u32 = 0; i < left; i++) {
    const byte = (<u32>load<u8>(p + i)) << ((i & 3) << 3);
    if (i < 4) w0 |= byte;
    else if (i < 8) w1 |= byte;
    else w2 |= byte;
  }
  return jhashFinal(a + w0, b + w1, c + w2);
}
