// MurmurHash3 x64-128 in BigInt arithmetic: a line-by-line reading of Austin Appleby's
// MurmurHash3_x64_128 as Cilium's pkg/murmur3 ports it (32-bit seed in both lanes, result (h1, h2)).
// The twin of assembly/hash/murmur3.ts, run by the reference and the synchronous Maglev build.

const MASK64 = (1n << 64n) - 1n;
const C1 = 0x87c37b91114253d5n;
const C2 = 0x4cf5ad432745937fn;

const mul64 = (a: bigint, b: bigint): bigint => (a * b) & MASK64;
const add64 = (a: bigint, b: bigint): bigint => (a + b) & MASK64;
const rotl64 = (x: bigint, r: bigint): bigint => ((x << r) | (x >> (64n - r))) & MASK64;

function fmix64(k: bigint): bigint {
  k ^= k >> 33n;
  k = mul64(k, 0xff51afd7ed558ccdn);
  k ^= k >> 33n;
  k = mul64(k, 0xc4ceb9fe1a85ec53n);
  k ^= k >> 33n;
  return k;
}

/** Little-endian u64 from up to 8 bytes of `data` starting at `start` (missing bytes are zero). */
function readLE64(data: Uint8Array, start: number, count: number): bigint {
  let value = 0n;
  for (let i = count - 1; i >= 0; i--) value = (value << 8n) | BigInt(data[start + i] ?? 0);
  return value;
}

/** MurmurHash3_x64_128(data, seed) as the pair [h1, h2] of unsigned 64-bit values. */
export function murmur3Hash128(data: Uint8Array, seed: number): [bigint, bigint] {
  let h1 = BigInt(seed >>> 0);
  let h2 = h1;
  const blocks = Math.floor(data.length / 16);
  for (let i = 0; i < blocks; i++) {
    let k1 = readLE64(data, i * 16, 8);
    let k2 = readLE64(data, i * 16 + 8, 8);
    k1 = mul64(rotl64(mul64(k1, C1), 31n), C2);
    h1 ^= k1;
    h1 = add64(rotl64(h1, 27n), h2);
    h1 = add64(mul64(h1, 5n), 0x52dce729n);
    k2 = mul64(rotl64(mul64(k2, C2), 33n), C1);
    h2 ^= k2;
    h2 = add64(rotl64(h2, 31n), h1);
    h2 = add64(mul64(h2, 5n), 0x38495ab5n);
  }
  const tail = blocks * 16;
  const rest = data.length - tail;
  if (rest > 8) {
    const k2 = mul64(rotl64(mul64(readLE64(data, tail + 8, rest - 8), C2), 33n), C1);
    h2 ^= k2;
  }
  if (rest > 0) {
    const k1 = mul64(rotl64(mul64(readLE64(data, tail, Math.min(rest, 8)), C1), 31n), C2);
    h1 ^= k1;
  }
  const len = BigInt(data.length);
  h1 ^= len;
  h2 ^= len;
  h1 = add64(h1, h2);
  h2 = add64(h2, h1);
  h1 = fmix64(h1);
  h2 = fmix64(h2);
  h1 = add64(h1, h2);
  h2 = add64(h2, h1);
  return [h1, h2];
}
