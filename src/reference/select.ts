// Reference twin of assembly/lb/select.ts: Maglev lookup and Cilium's random slot choice with the
// seeded xoshiro128** generator (seeded through SplitMix32) that stands in for the kernel's prandom.

/** Cilium's Maglev pick: the backend ID at table[hash mod M]. */
export function maglevLookup(table: Uint32Array, hash: number): number {
  return table[(hash >>> 0) % table.length]!;
}

/** xoshiro128** (Blackman & Vigna) on four u32 words. */
export class Xoshiro128 {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  /** Seeds the four state words with SplitMix32 over a Weyl sequence starting at `seed`. */
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
}

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k));

/** Cilium's random slot, (prandom % count) + 1: slot 0 is the service's master entry. */
export function randomSlot(rng: Xoshiro128, count: number): number {
  return (rng.next() % count) + 1;
}
