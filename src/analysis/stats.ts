// Statistics for the Maglev-vs-random comparison: load-balance summaries, a chi-square
// goodness-of-fit test with its p-value, and exact binomial bounds. Plain numeric code, no
// dependencies: the special functions are written out here so their accuracy is under test.

/** Lanczos coefficients (g = 7, n = 9); ln Γ to about 15 significant digits for x > 0. */
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** Natural logarithm of the gamma function, for x > 0. */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`logGamma needs x > 0, got ${x}`);
  if (x < 0.5) {
    // Reflection keeps the series in its accurate range: Γ(x)Γ(1−x) = π / sin(πx).
    return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  }
  const z = x - 1;
  let sum = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

const EPSILON = 1e-15;
const TINY = 1e-300;
const MAX_ITERATIONS = 100_000;

/** P(a, x) by its power series; converges fast for x < a + 1. */
function gammaPSeries(a: number, x: number): number {
  let term = 1 / a;
  let sum = term;
  for (let n = 1; n < MAX_ITERATIONS; n++) {
    term *= x / (a + n);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * EPSILON) break;
  }
  return sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
}

/** Q(a, x) by its continued fraction (modified Lentz); converges fast for x ≥ a + 1. */
function gammaQContinuedFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) break;
  }
  return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
}

function checkGammaArguments(a: number, x: number): void {
  if (!(a > 0)) throw new RangeError(`incomplete gamma needs a > 0, got ${a}`);
  if (!(x >= 0)) throw new RangeError(`incomplete gamma needs x >= 0, got ${x}`);
}

/** Regularized lower incomplete gamma P(a, x) = γ(a, x) / Γ(a). */
export function regularizedGammaP(a: number, x: number): number {
  checkGammaArguments(a, x);
  if (x === 0) return 0;
  if (x === Infinity) return 1;
  return x < a + 1 ? gammaPSeries(a, x) : 1 - gammaQContinuedFraction(a, x);
}

/** Regularized upper incomplete gamma Q(a, x) = 1 − P(a, x), computed directly so tiny tails keep their digits. */
export function regularizedGammaQ(a: number, x: number): number {
  checkGammaArguments(a, x);
  if (x === 0) return 1;
  if (x === Infinity) return 0;
  return x < a + 1 ? 1 - gammaPSeries(a, x) : gammaQContinuedFraction(a, x);
}

/** P(X ≥ x) for X ~ χ²(df): the p-value of a chi-square statistic. */
export function chiSquareSurvival(x: number, degreesOfFreedom: number): number {
  if (!(degreesOfFreedom > 0)) throw new RangeError(`chi-square needs df > 0, got ${degreesOfFreedom}`);
  if (x <= 0) return 1;
  return regularizedGammaQ(degreesOfFreedom / 2, x / 2);
}

/** Pearson's χ² goodness-of-fit statistic, its degrees of freedom and p-value. */
export interface ChiSquareResult {
  /** Pearson's Σ (observed − expected)² / expected over the categories with a non-zero expectation. */
  readonly statistic: number;
  readonly degreesOfFreedom: number;
  /** Probability of a statistic at least this large if the expected shares are right. */
  readonly pValue: number;
}

/**
 * Pearson's chi-square goodness-of-fit of observed counts against expected shares (any positive
 * scale; they are normalised). A category with zero expected share and a non-zero count makes the
 * hypothesis impossible (p = 0); zero-share categories without counts are left out.
 */
export function chiSquareGoodnessOfFit(
  observed: ArrayLike<number>,
  expectedShares: ArrayLike<number>,
): ChiSquareResult {
  if (observed.length !== expectedShares.length) {
    throw new RangeError(
      `chi-square: ${observed.length} observed counts but ${expectedShares.length} expected shares`,
    );
  }
  let total = 0;
  let shareSum = 0;
  for (let i = 0; i < observed.length; i++) {
    const o = observed[i]!;
    const s = expectedShares[i]!;
    if (!(o >= 0) || !(s >= 0)) throw new RangeError(`chi-square: negative or NaN input at category ${i}`);
    total += o;
    shareSum += s;
  }
  if (shareSum === 0) throw new RangeError("chi-square: every expected share is zero");
  let statistic = 0;
  let categories = 0;
  let impossible = false;
  for (let i = 0; i < observed.length; i++) {
    const o = observed[i]!;
    const expected = (total * expectedShares[i]!) / shareSum;
    if (expected === 0) {
      if (o > 0) impossible = true;
      continue;
    }
    categories++;
    statistic += ((o - expected) * (o - expected)) / expected;
  }
  const degreesOfFreedom = Math.max(categories - 1, 0);
  if (impossible) return { statistic: Infinity, degreesOfFreedom, pValue: 0 };
  const pValue = degreesOfFreedom === 0 ? 1 : chiSquareSurvival(statistic, degreesOfFreedom);
  return { statistic, degreesOfFreedom, pValue };
}

/** Each value divided by the sum (all zeros when the sum is zero). */
export function sharesOf(values: ArrayLike<number>): number[] {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return Array.from(values, (v) => (sum === 0 ? 0 : v / sum));
}

/**
 * How loaded each backend is relative to what it should get: observed share / expected share
 * (1 = exactly its weight's share). Backends with zero expected share are left out.
 */
export function loadRatios(observedShares: ArrayLike<number>, expectedShares: ArrayLike<number>): number[] {
  const expected = sharesOf(expectedShares);
  const ratios: number[] = [];
  for (let i = 0; i < observedShares.length; i++) {
    if (expected[i]! > 0) ratios.push(observedShares[i]! / expected[i]!);
  }
  return ratios;
}

function mean(values: ArrayLike<number>): number {
  if (values.length === 0) throw new RangeError("statistics of an empty list");
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}

/** max / mean: 1 is perfect balance, 2 means the busiest gets twice the average. */
export function peakToMean(values: ArrayLike<number>): number {
  const m = mean(values);
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) max = Math.max(max, values[i]!);
  return m === 0 ? 0 : max / m;
}

/** Population standard deviation / mean: 0 is perfect balance. */
export function coefficientOfVariation(values: ArrayLike<number>): number {
  const m = mean(values);
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += (values[i]! - m) * (values[i]! - m);
  return m === 0 ? 0 : Math.sqrt(squares / values.length) / m;
}

export interface BalanceSummary {
  /** Largest load ratio (observed share / expected share) over the mean ratio. */
  readonly peakToMean: number;
  /** Coefficient of variation of the load ratios. */
  readonly cov: number;
  readonly minShare: number;
  readonly maxShare: number;
}

/** Summarises counts per backend against the backends' expected shares (their weights). */
export function summariseBalance(
  counts: ArrayLike<number>,
  expectedShares: ArrayLike<number>,
): BalanceSummary {
  const shares = sharesOf(counts);
  const ratios = loadRatios(shares, expectedShares);
  return {
    peakToMean: peakToMean(ratios),
    cov: coefficientOfVariation(ratios),
    minShare: Math.min(...shares),
    maxShare: Math.max(...shares),
  };
}

function checkBinomial(n: number, p: number): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`binomial needs an integer n >= 0, got ${n}`);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`binomial needs 0 <= p <= 1, got ${p}`);
}

function logBinomialPmf(k: number, n: number, p: number): number {
  if (p === 0) return k === 0 ? 0 : -Infinity;
  if (p === 1) return k === n ? 0 : -Infinity;
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1) + k * Math.log(p) + (n - k) * Math.log1p(-p);
}

/** P(X = k) for X ~ Binomial(n, p). */
export function binomialPmf(k: number, n: number, p: number): number {
  checkBinomial(n, p);
  if (!Number.isInteger(k) || k < 0 || k > n) return 0;
  return Math.exp(logBinomialPmf(k, n, p));
}

/** P(X ≤ k) for X ~ Binomial(n, p). */
export function binomialCdf(k: number, n: number, p: number): number {
  checkBinomial(n, p);
  if (k < 0) return 0;
  if (k >= n) return 1;
  const kk = Math.floor(k);
  // Sum whichever side is the smaller tail, so small probabilities keep their digits.
  return kk < n * p ? sumPmf(0, kk, n, p) : 1 - sumPmf(kk + 1, n, n, p);
}

/** P(X > k) for X ~ Binomial(n, p). */
export function binomialSurvival(k: number, n: number, p: number): number {
  checkBinomial(n, p);
  if (k < 0) return 1;
  if (k >= n) return 0;
  const kk = Math.floor(k);
  return kk < n * p ? 1 - sumPmf(0, kk, n, p) : sumPmf(kk + 1, n, n, p);
}

/**
 * Σ P(X = i) for i in [from, to], walking the pmf by its ratio recurrence from the term nearest
 * the mode outward so no term needs its own log-gamma. Terms beyond 40 standard deviations from the
 * mode are below 1e-300 of the peak and are skipped.
 */
function sumPmf(from: number, to: number, n: number, p: number): number {
  if (from > to) return 0;
  if (p === 0) return from <= 0 ? 1 : 0;
  if (p === 1) return to >= n ? 1 : 0;
  const sd = Math.sqrt(n * p * (1 - p));
  const reach = Math.ceil(40 * sd + 10);
  const mode = Math.floor((n + 1) * p);
  const lo = Math.max(from, mode - reach, 0);
  const hi = Math.min(to, mode + reach, n);
  if (lo > hi) return 0;
  // Start at the term of [lo, hi] nearest the mode (the largest), then walk both ways.
  const start = Math.min(Math.max(mode, lo), hi);
  const peak = binomialPmf(start, n, p);
  const odds = p / (1 - p);
  let sum = peak;
  let term = peak;
  for (let i = start; i < hi; i++) {
    term *= ((n - i) / (i + 1)) * odds;
    sum += term;
  }
  term = peak;
  for (let i = start; i > lo; i--) {
    term *= i / (n - i + 1) / odds;
    sum += term;
  }
  return sum;
}

/** The two-sided acceptance interval of a binomial count. */
export interface BinomialBounds {
  /** Largest l with P(X < l) ≤ α/2. */
  readonly lower: number;
  /** Smallest u with P(X > u) ≤ α/2. */
  readonly upper: number;
}

/**
 * Exact two-sided bounds for a Binomial(n, p) count: a count outside [lower, upper] happens with
 * probability at most α. Tests use them to check random shares with a known false-alarm rate.
 */
export function binomialBounds(n: number, p: number, alpha: number): BinomialBounds {
  checkBinomial(n, p);
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`binomialBounds needs 0 < alpha < 1, got ${alpha}`);
  const tail = alpha / 2;
  // P(X < l) = cdf(l − 1) grows with l: binary-search the largest l that keeps it within the tail.
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (binomialCdf(mid - 1, n, p) <= tail) lo = mid;
    else hi = mid - 1;
  }
  const lower = lo;
  // P(X > u) shrinks as u grows: the smallest u within the tail.
  lo = 0;
  hi = n;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (binomialSurvival(mid, n, p) <= tail) hi = mid;
    else lo = mid + 1;
  }
  return { lower, upper: lo };
}
