// Seeded pseudo-random numbers for the synthetic flow generator: xoshiro128** (Blackman & Vigna),
// seeded through splitmix32 so nearby seeds give unrelated streams. Deterministic on every JS engine
// (32-bit integer arithmetic only via Math.imul and >>>), and allocation-free per draw.

export class Xoshiro128 {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    let state = seed >>> 0;
    const splitmix = (): number => {
      state = (state + 0x9e3779b9) >>> 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = splitmix();
    this.s1 = splitmix();
    this.s2 = splitmix();
    this.s3 = splitmix();
    // The all-zero state is the one state xoshiro cannot leave.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** A generator in a given raw state (for reference test vectors). */
  static fromState(s0: number, s1: number, s2: number, s3: number): Xoshiro128 {
    const random = new Xoshiro128(0);
    random.s0 = s0 >>> 0;
    random.s1 = s1 >>> 0;
    random.s2 = s2 >>> 0;
    random.s3 = s3 >>> 0;
    return random;
  }

  /** Next 32-bit unsigned integer. */
  nextU32(): number {
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
    const high = this.nextU32() >>> 5; // 27 bits
    const low = this.nextU32() >>> 6; // 26 bits
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
