// Zipf popularity over ranks 1..n: P(rank k) proportional to 1 / k^exponent (exponent 0 = uniform).
// The cumulative weights are computed once; a draw is one uniform number and a binary search.
import type { Xoshiro128 } from "../reference/prng.js";

export class ZipfSampler {
  private readonly cumulative: Float64Array;

  constructor(
    readonly n: number,
    readonly exponent: number,
  ) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`Zipf needs at least one rank, got ${n}`);
    if (!(exponent >= 0) || !Number.isFinite(exponent)) {
      throw new RangeError(`Zipf exponent must be a finite number >= 0, got ${exponent}`);
    }
    this.cumulative = new Float64Array(n);
    let total = 0;
    for (let k = 1; k <= n; k++) {
      total += 1 / k ** exponent;
      this.cumulative[k - 1] = total;
    }
  }

  /** Probability of the 0-based rank index. */
  probability(index: number): number {
    const total = this.cumulative[this.n - 1]!;
    const below = index === 0 ? 0 : this.cumulative[index - 1]!;
    return (this.cumulative[index]! - below) / total;
  }

  /** A 0-based rank index (0 = most popular). */
  sample(random: Xoshiro128): number {
    const target = random.nextFloat() * this.cumulative[this.n - 1]!;
    let lo = 0;
    let hi = this.n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cumulative[mid]! > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
