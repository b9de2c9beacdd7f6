// Bob Jenkins lookup3 (Linux include/linux/jhash.h, Cilium bpf/lib/jhash.h) on JS numbers kept as
// unsigned 32-bit values with `>>> 0` after every step: the twin of assembly/hash/jhash.ts, run by
// the reference datapath and by the flow hash production uses (flow-hash.ts).

export const JHASH_INITVAL = 0xdeadbeef;

const rol32 = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;

type Words = [number, number, number];

/** The kernel's __jhash_mix on [a, b, c]. */
function jhashMix([a, b, c]: Words): Words {
  a = (a - c) >>> 0;
  a = (a ^ rol32(c, 4)) >>> 0;
  c = (c + b) >>> 0;
  b = (b - a) >>> 0;
  b = (b ^ rol32(a, 6)) >>> 0;
  a = (a + c) >>> 0;
  c = (c - b) >>> 0;
  c = (c ^ rol32(b, 8)) >>> 0;
  b = (b + a) >>> 0;
  a = (a - c) >>> 0;
  a = (a ^ rol32(c, 16)) >>> 0;
  c = (c + b) >>> 0;
  b = (b - a) >>> 0;
  b = (b ^ rol32(a, 19)) >>> 0;
  a = (a + c) >>> 0;
  c = (c - b) >>> 0;
  c = (c ^ rol32(b, 4)) >>> 0;
  b = (b + a) >>> 0;
  return [a, b, c];
}

/** The kernel's __jhash_final on [a, b, c]; the hash is the returned c. */
export function jhashFinal([a, b, c]: Words): Words {
  c = (c ^ b) >>> 0;
  c = (c - rol32(b, 14)) >>> 0;
  a = (a ^ c) >>> 0;
  a = (a - rol32(c, 11)) >>> 0;
  b = (b ^ a) >>> 0;
  b = (b - rol32(a, 25)) >>> 0;
  c = (c ^ b) >>> 0;
  c = (c - rol32(b, 16)) >>> 0;
  a = (a ^ c) >>> 0;
  a = (a - rol32(c, 4)) >>> 0;
  b = (b ^ a) >>> 0;
  b = (b - rol32(a, 14)) >>> 0;
  c = (c ^ b) >>> 0;
  c = (c - rol32(b, 24)) >>> 0;
  return [a, b, c];
}

function jhashNWords(a: number, b: number, c: number, initval: number): number {
  return jhashFinal([(a + initval) >>> 0, (b + initval) >>> 0, (c + initval) >>> 0])[2];
}

/** jhash_3words(a, b, c, initval): three words, one final round. */
export function jhash3Words(a: number, b: number, c: number, initval: number): number {
  return jhashNWords(a, b, c, (initval + JHASH_INITVAL + (3 << 2)) >>> 0);
}

/** jhash_2words(a, b, initval). */
export function jhash2Words(a: number, b: number, initval: number): number {
  return jhashNWords(a, b, 0, (initval + JHASH_INITVAL + (2 << 2)) >>> 0);
}

/** jhash_1word(a, initval). */
export function jhash1Word(a: number, initval: number): number {
  return jhashNWords(a, 0, 0, (initval + JHASH_INITVAL + (1 << 2)) >>> 0);
}

/** jhash(key, length, initval) over a byte string (words read little-endian, as on x86). */
export function jhashBytes(key: Uint8Array, initval: number): number {
  const word = (at: number): number =>
    ((key[at] ?? 0) | ((key[at + 1] ?? 0) << 8) | ((key[at + 2] ?? 0) << 16) | ((key[at + 3] ?? 0) << 24)) >>>
    0;
  let a = (JHASH_INITVAL + key.length + initval) >>> 0;
  let b = a;
  let c = a;
  let at = 0;
  let left = key.length;
  while (left > 12) {
    [a, b, c] = jhashMix([(a + word(at)) >>> 0, (b + word(at + 4)) >>> 0, (c + word(at + 8)) >>> 0]);
    at += 12;
    left -= 12;
  }
  if (left === 0) return c;
  // word() reads zeros past the end of the key, which is the kernel's zero-padded tail.
  return jhashFinal([(a + word(at)) >>> 0, (b + word(at + 4)) >>> 0, (c + word(at + 8)) >>> 0])[2];
}
