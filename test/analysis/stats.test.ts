import { describe, expect, it } from "vitest";
import {
  binomialBounds,
  binomialCdf,
  binomialPmf,
  binomialSurvival,
  chiSquareGoodnessOfFit,
  chiSquareSurvival,
  coefficientOfVariation,
  logGamma,
  peakToMean,
  regularizedGammaP,
  regularizedGammaQ,
  summariseBalance,
} from "../../src/analysis/stats.js";

function factorial(n: number): number {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return f;
}

/** Exact binomial probabilities as fractions of big integers: an oracle independent of log-gamma. */
function exactBinomialCdf(k: number, n: number, numerator: bigint, denominator: bigint): number {
  let sum = 0n;
  let choose = 1n;
  for (let i = 0; i <= k; i++) {
    sum += choose * numerator ** BigInt(i) * (denominator - numerator) ** BigInt(n - i);
    choose = (choose * BigInt(n - i)) / BigInt(i + 1);
  }
  const total = denominator ** BigInt(n);
  // Scale before dividing so the fraction keeps ~15 digits.
  const scale = 10n ** 18n;
  return Number((sum * scale) / total) / 1e18;
}

describe("logGamma", () => {
  it("matches factorials and Γ(1/2) = √π", () => {
    for (const n of [1, 2, 3, 5, 10, 20, 50, 100, 170]) {
      expect(logGamma(n)).toBeCloseTo(Math.log(factorial(n - 1)), 10);
    }
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 13);
    expect(logGamma(0.1)).toBeCloseTo(Math.log(9.513507698668732), 12);
  });

  it("rejects non-positive arguments", () => {
    expect(() => logGamma(0)).toThrow(RangeError);
    expect(() => logGamma(-1)).toThrow(RangeError);
  });
});

describe("regularized incomplete gamma", () => {
  it("P + Q = 1 on both sides of the series/continued-fraction switch", () => {
    for (const a of [0.5, 1, 2.5, 10, 50, 500]) {
      for (const x of [0.01, 0.5, a * 0.8, a + 0.9, a + 1.1, a * 1.5, a * 3]) {
        expect(regularizedGammaP(a, x) + regularizedGammaQ(a, x)).toBeCloseTo(1, 12);
      }
    }
  });

  it("equals the closed form for integer a: Q(n, x) = e^−x Σ_{j<n} x^j / j!", () => {
    for (const n of [1, 2, 3, 7, 15, 40]) {
      for (const x of [0.1, 1, n * 0.5, n, n + 2, n * 2, n * 4]) {
        let sum = 0;
        let term = 1;
        for (let j = 0; j < n; j++) {
          sum += term;
          term *= x / (j + 1);
        }
        const closed = Math.exp(-x) * sum;
        const q = regularizedGammaQ(n, x);
        expect(Math.abs(q - closed)).toBeLessThan(1e-12 + 1e-10 * closed);
      }
    }
  });
});

describe("chiSquareSurvival", () => {
  // Critical values from the standard published chi-square table (upper-tail probability α).
  const table: [df: number, critical: number, alpha: number][] = [
    [1, 3.841, 0.05],
    [1, 6.635, 0.01],
    [1, 10.828, 0.001],
    [2, 5.991, 0.05],
    [3, 7.815, 0.05],
    [3, 11.345, 0.01],
    [5, 11.07, 0.05],
    [5, 1.145, 0.95],
    [10, 18.307, 0.05],
    [10, 23.209, 0.01],
    [10, 3.94, 0.95],
    [20, 31.41, 0.05],
    [30, 43.773, 0.05],
    [50, 67.505, 0.05],
    [100, 124.342, 0.05],
    [100, 135.807, 0.01],
  ];

  it.each(table)("df=%i, x=%f gives p=%f (published table)", (df, critical, alpha) => {
    // The table rounds x to 3 decimals, which moves p by at most ~1e-4 relative to α.
    expect(Math.abs(chiSquareSurvival(critical, df) - alpha) / alpha).toBeLessThan(2e-3);
  });

  it("df=2 is the exponential tail e^{−x/2}", () => {
    for (const x of [0.001, 0.3, 2, 9, 40, 200]) {
      expect(chiSquareSurvival(x, 2) / Math.exp(-x / 2)).toBeCloseTo(1, 12);
    }
  });

  it("is 1 at zero and tiny far out", () => {
    expect(chiSquareSurvival(0, 7)).toBe(1);
    const far = chiSquareSurvival(1000, 10);
    expect(far).toBeGreaterThan(0);
    expect(far).toBeLessThan(1e-180);
  });
});

describe("chiSquareGoodnessOfFit", () => {
  it("computes Pearson's statistic for a loaded die", () => {
    // 60 rolls of a die expected to be fair: Σ (o − 10)² / 10 = (25 + 4 + 1 + 4 + 0 + 100) / 10.
    const fit = chiSquareGoodnessOfFit([5, 8, 9, 8, 10, 20], [1, 1, 1, 1, 1, 1]);
    expect(fit.statistic).toBeCloseTo(13.4, 12);
    expect(fit.degreesOfFreedom).toBe(5);
    // Between the table's 12.833 (α = 0.025) and 15.086 (α = 0.01).
    expect(fit.pValue).toBeLessThan(0.025);
    expect(fit.pValue).toBeGreaterThan(0.01);
    expect(fit.pValue).toBeCloseTo(chiSquareSurvival(13.4, 5), 14);
  });

  it("normalises weights and accepts a perfect fit", () => {
    const fit = chiSquareGoodnessOfFit([100, 200, 700], [10, 20, 70]);
    expect(fit.statistic).toBe(0);
    expect(fit.pValue).toBe(1);
  });

  it("rejects counts in a category with zero expected share, ignores empty zero-share ones", () => {
    expect(chiSquareGoodnessOfFit([5, 5, 1], [1, 1, 0]).pValue).toBe(0);
    const fit = chiSquareGoodnessOfFit([5, 5, 0], [1, 1, 0]);
    expect(fit.degreesOfFreedom).toBe(1);
    expect(fit.pValue).toBe(1);
  });

  it("rejects mismatched lengths", () => {
    expect(() => chiSquareGoodnessOfFit([1, 2], [1])).toThrow(/2 observed counts but 1 expected/);
  });
});

describe("balance summaries", () => {
  it("peak-to-mean and coefficient of variation", () => {
    expect(peakToMean([1, 1, 1, 1])).toBe(1);
    expect(peakToMean([1, 2, 3])).toBeCloseTo(1.5, 15);
    expect(coefficientOfVariation([5, 5, 5])).toBe(0);
    // Population standard deviation of [2, 4, 4, 4, 5, 5, 7, 9] is 2, mean 5.
    expect(coefficientOfVariation([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(0.4, 15);
  });

  it("measures load against the weights, not against equal shares", () => {
    const weighted = summariseBalance([250, 750], [1, 3]);
    expect(weighted.peakToMean).toBeCloseTo(1, 15);
    expect(weighted.cov).toBeCloseTo(0, 15);
    expect(weighted.minShare).toBeCloseTo(0.25, 15);
    expect(weighted.maxShare).toBeCloseTo(0.75, 15);
    const skewed = summariseBalance([500, 500], [1, 3]);
    // Backend 0 gets twice its share (0.5 / 0.25), backend 1 two thirds of its (0.5 / 0.75).
    expect(skewed.peakToMean).toBeCloseTo(2 / ((2 + 2 / 3) / 2), 12);
  });
});

describe("binomial", () => {
  it("cdf and survival equal exact big-integer sums", () => {
    const cases: [n: number, num: bigint, den: bigint][] = [
      [10, 1n, 2n],
      [40, 1n, 3n],
      [200, 1n, 10n],
      [500, 7n, 10n],
    ];
    for (const [n, num, den] of cases) {
      const p = Number(num) / Number(den);
      for (let k = 0; k < n; k += Math.max(1, Math.floor(n / 17))) {
        const exact = exactBinomialCdf(k, n, num, den);
        expect(Math.abs(binomialCdf(k, n, p) - exact)).toBeLessThan(1e-12);
        expect(Math.abs(binomialSurvival(k, n, p) - (1 - exact))).toBeLessThan(1e-12);
      }
    }
    expect(binomialPmf(3, 10, 0.5)).toBeCloseTo(120 / 1024, 14);
  });

  it("bounds hold α/2 in each tail and are the tightest such", () => {
    // n = 10, p = 1/2: P(X ≤ 1) = 11/1024 ≤ 0.025 < P(X ≤ 2) = 56/1024, so [2, 8] at α = 0.05.
    expect(binomialBounds(10, 0.5, 0.05)).toEqual({ lower: 2, upper: 8 });
    for (const [n, p, alpha] of [
      [1000, 0.25, 0.01],
      [100_000, 1 / 3, 1e-6],
      [50, 0.02, 0.05],
    ] as const) {
      const { lower, upper } = binomialBounds(n, p, alpha);
      expect(binomialCdf(lower - 1, n, p)).toBeLessThanOrEqual(alpha / 2);
      expect(binomialCdf(lower, n, p)).toBeGreaterThan(alpha / 2);
      expect(binomialSurvival(upper, n, p)).toBeLessThanOrEqual(alpha / 2);
      expect(binomialSurvival(upper - 1, n, p)).toBeGreaterThan(alpha / 2);
    }
  });
});
