// The seeded xoshiro128** generator (Blackman & Vigna), seeded through SplitMix32 so nearby seeds
// give unrelated streams. It stands in for the kernel's prandom with the same seeding and stream as
// the Wasm generator in assembly/lb/select.ts (prngSeed, prngNext): the reference datapath draws
// from it, and so do production users (random selection, the synthetic flow generators), which is
// why it lives here and not in src/reference/. Deterministic on every JS engine (32-bit integer arithmetic only via
// Math.imul and >>>), and allocation-free per draw.

/** xoshiro128** on four u32 words. */
export class Xoshiro128 {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  /**
   * Seeds the four state words with SplitMix32 over a Weyl sequence starting at `seed`. Never all
   * zero: fmix32 maps only 0 to 0, and at most one of four consecutive Weyl steps is 0.
   */
  constructor(seed: number) {
    let weyl = seed >>> 0;
    const draw = (): number => {
      weyl = (weyl + 0x9e3779b9) >>> 0;
      let z = weyl;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = draw();
    this.s1 = draw();
    this.s2 = draw();
    this.s3 = draw();
  }

  /** A generator in the given state (four u32 words, not all zero), e.g. to replay test vectors. */
  static fromState(s0: number, s1: number, s2: number, s3: number): Xoshiro128 {
    if ((s0 | s1 | s2 | s3) === 0) throw new Error("xoshiro128** state must not be all zero");
    const rng = new Xoshiro128(0);
    rng.s0 = s0 >>> 0;
    rng.s1 = s1 >>> 0;
    rng.s2 = s2 >>> 0;
    rng.s3 = s3 >>> 0;
    return rng;
  }

  /** Next u32. */
  next(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1), 53 bits of precision. */
  nextFloat(): number {
    const high = this.next() >>> 5; // 27 bits
    const low = this.next() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** Uniform integer in [0, n), n <= 2^32, without modulo bias worth noticing at 53 bits. */
  nextInt(n: number): number {
    return Math.floor(this.nextFloat() * n);
  }

  /** Exponentially distributed with the given mean. */
  nextExponential(mean: number): number {
    return -Math.log(1 - this.nextFloat()) * mean;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
