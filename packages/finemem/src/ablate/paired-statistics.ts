// The statistics of the reward ablation: seeds are the unit of replication, and every comparison is
// paired (the settings of one seed share the initial parameters and the training draws). Exact and
// assumption-light where it matters: the test is the exact paired sign-flip permutation test, the
// family of six comparisons is Holm-corrected, and the effect size is the mean paired difference with
// a Student-t interval (the one figure that leans on normality, stated as such in the results).
import { RunError } from "../run/run-error.js";

/** The most seeds the exact test enumerates (2^20 sign assignments, about a second). */
export const MAX_EXACT_SEEDS = 20;

export interface SignFlipTest {
  /** Two-sided: the share of the 2^n sign assignments whose |mean| reaches the observed one. */
  readonly pValue: number;
  /** 2^n. */
  readonly assignments: number;
}

/**
 * The exact paired sign-flip permutation test of "the mean difference is 0": under the null each
 * seed's difference is as likely negated, so every one of the 2^n sign assignments is equally likely.
 * Ties with the observed |mean| count as reaching it (a relative tolerance absorbs rounding), so the
 * p-value is never below 2/2^n with n seeds and is 1 when every difference is 0.
 */
export function signFlipTest(differences: readonly number[]): SignFlipTest {
  const n = differences.length;
  if (n === 0) throw new RunError("invalid_option", "the sign-flip test needs at least one paired difference", []);
  if (n > MAX_EXACT_SEEDS)
    throw new RunError(
      "invalid_option",
      `the exact sign-flip test enumerates 2^n assignments: at most ${MAX_EXACT_SEEDS} seeds, got ${n}`,
      [],
    );
  for (const value of differences)
    if (!Number.isFinite(value))
      throw new RunError("invalid_option", `a paired difference is not a finite number: ${value}`, []);
  const observed = Math.abs(differences.reduce((sum, value) => sum + value, 0));
  const tolerance =
    1e-9 *
    Math.max(
      1,
      differences.reduce((sum, value) => sum + Math.abs(value), 0),
    );
  const assignments = 2 ** n;
  let reaching = 0;
  for (let mask = 0; mask < assignments; mask++) {
    let sum = 0;
    for (let index = 0; index < n; index++) sum += (mask >>> index) & 1 ? -differences[index]! : differences[index]!;
    if (Math.abs(sum) >= observed - tolerance) reaching++;
  }
  return { pValue: reaching / assignments, assignments };
}

/**
 * Holm's step-down adjustment: the i-th smallest p-value (1-based) times (m − i + 1), made monotone
 * and capped at 1; returned in the input's order. Rejecting where the adjusted p-value is below α
 * controls the family-wise error rate at α.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues
    .map((value, index) => ({ value, index }))
    .sort((a, b) => a.value - b.value || a.index - b.index);
  const adjusted = new Array<number>(m);
  let running = 0;
  for (const [rank, { value, index }] of order.entries()) {
    running = Math.max(running, Math.min(1, (m - rank) * value));
    adjusted[index] = running;
  }
  return adjusted;
}

export interface MeanDifference {
  readonly mean: number;
  /** The sample standard deviation (n − 1); 0 with one seed. */
  readonly sd: number;
  /** The two-sided Student-t confidence interval of the mean; null with fewer than 2 seeds. */
  readonly interval: readonly [number, number] | null;
  /** Cohen's d_z, mean / sd; null when sd is 0 (up to rounding). */
  readonly standardized: number | null;
}

/** The mean paired difference with its `level` (default 0.95) Student-t confidence interval. */
export function meanDifference(differences: readonly number[], level = 0.95): MeanDifference {
  const n = differences.length;
  const mean = differences.reduce((sum, value) => sum + value, 0) / n;
  const sd = sampleSd(differences);
  if (n < 2) return { mean, sd: 0, interval: null, standardized: null };
  const half = studentTQuantile(1 - (1 - level) / 2, n - 1) * (sd / Math.sqrt(n));
  // Equal differences leave a rounding residue of ~1e-17 in sd, not a real spread.
  const flat = sd <= 1e-12 * Math.max(1, Math.abs(mean));
  return { mean, sd, interval: [mean - half, mean + half], standardized: flat ? null : mean / sd };
}

/** The sample standard deviation (n − 1 in the denominator); 0 for fewer than two values. */
export function sampleSd(values: readonly number[]): number {
  const n = values.length;
  if (n < 2) return 0;
  const mean = values.reduce((sum, value) => sum + value, 0) / n;
  return Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (n - 1));
}

/** The p-quantile of Student's t with `df` degrees of freedom (bisection on the CDF, to 1e-12). */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1) || !(df > 0))
    throw new RunError("invalid_option", `a t quantile needs 0 < p < 1 and df > 0, got p ${p}, df ${df}`, []);
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  let low = 0;
  let high = 1;
  while (studentTCdf(high, df) < p) high *= 2;
  for (let iteration = 0; iteration < 200 && high - low > 1e-12 * Math.max(1, high); iteration++) {
    const middle = (low + high) / 2;
    if (studentTCdf(middle, df) < p) low = middle;
    else high = middle;
  }
  return (low + high) / 2;
}

/** Student's t CDF: 1 − I_x(df/2, 1/2) / 2 at x = df / (df + t²), for t ≥ 0 (mirrored below 0). */
export function studentTCdf(t: number, df: number): number {
  const tail = regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5) / 2;
  return t >= 0 ? 1 - tail : tail;
}

/** I_x(a, b) by its continued fraction (modified Lentz), on the side where it converges fast. */
function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let result = d;
  for (let m = 1; m <= 1000; m++) {
    const even = (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
    d = 1 + even * d;
    c = 1 + even / c;
    if (Math.abs(d) < tiny) d = tiny;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    result *= d * c;
    const odd = -((a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
    d = 1 + odd * d;
    c = 1 + odd / c;
    if (Math.abs(d) < tiny) d = tiny;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    result *= step;
    if (Math.abs(step - 1) < 1e-15) break;
  }
  return result;
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9: about 15 significant digits). */
function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const coefficients = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const shifted = x - 1;
  let sum = coefficients[0]!;
  for (let index = 1; index < coefficients.length; index++) sum += coefficients[index]! / (shifted + index);
  const t = shifted + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (shifted + 0.5) * Math.log(t) - t + Math.log(sum);
}
