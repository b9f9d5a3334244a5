import { describe, expect, it } from "vitest";
import { RunError } from "../run/run-error.js";
import { holmAdjust, meanDifference, sampleSd, signFlipTest, studentTQuantile } from "./paired-statistics.js";

// Expected values from SciPy 1.17.1 (the outside oracle), e.g. for a case `d`:
//   stats.permutation_test((d,), np.mean, permutation_type="samples", n_resamples=np.inf).pvalue
//   stats.ttest_1samp(d, 0).confidence_interval(0.95), d.std(ddof=1), stats.t.ppf(p, df)
const SCIPY_CASES = [
  {
    name: "every seed better (the smallest p 8 seeds allow: 2/256)",
    differences: [0.1, 0.2, 0.05, 0.3, 0.15, 0.12, 0.08, 0.22],
    pValue: 0.0078125,
    mean: 0.15250000000000002,
    sd: 0.0829371534872727,
    interval: [0.08316280450422549, 0.22183719549577458],
  },
  {
    name: "mixed signs and a zero",
    differences: [0.05, -0.02, 0.1, 0.0, -0.03, 0.07, 0.04, 0.01],
    pValue: 0.15625,
    mean: 0.027500000000000004,
    sd: 0.045276925690687087,
    interval: [-0.01035245714448816, 0.06535245714448817],
  },
  {
    name: "equal magnitudes: every assignment ties or beats the observed",
    differences: [0.1, -0.1, 0.1, 0.1, -0.1],
    pValue: 1,
    mean: 0.02,
    sd: 0.10954451150103323,
    interval: [-0.11601747613165113, 0.15601747613165112],
  },
  {
    name: "three seeds",
    differences: [0.2, 0.1, -0.05],
    pValue: 0.5,
    mean: 0.08333333333333336,
    sd: 0.12583057392117916,
    interval: [-0.22924714063545537, 0.3959138073021221],
  },
] as const;

describe("signFlipTest", () => {
  for (const example of SCIPY_CASES)
    it(`matches SciPy's exact permutation test: ${example.name}`, () => {
      const result = signFlipTest(example.differences);
      expect(result.pValue).toBeCloseTo(example.pValue, 12);
      expect(result.assignments).toBe(2 ** example.differences.length);
    });

  it("is 1 when nothing differs, and symmetric in the sign of every difference", () => {
    expect(signFlipTest([0, 0, 0]).pValue).toBe(1);
    const differences = [0.3, -0.1, 0.25, 0.05, 0.2, 0.15];
    expect(signFlipTest(differences.map((value) => -value)).pValue).toBe(signFlipTest(differences).pValue);
  });

  it("counts by hand: 2 seeds, differences 0.2 and 0.1", () => {
    // Sums over the 4 assignments: 0.3, 0.1, -0.1, -0.3; |sum| ≥ 0.3 in two of them.
    expect(signFlipTest([0.2, 0.1]).pValue).toBe(0.5);
  });

  it("refuses no difference, too many seeds, and a NaN, naming each", () => {
    expect(() => signFlipTest([])).toThrow(RunError);
    expect(() => signFlipTest(new Array(21).fill(0.1))).toThrow(/at most 20 seeds, got 21/);
    expect(() => signFlipTest([0.1, Number.NaN])).toThrow(/not a finite number: NaN/);
  });
});

describe("holmAdjust", () => {
  it("steps down, keeps the input's order, stays monotone and caps at 1 (worked by hand)", () => {
    // Sorted: 0.01 (×4 = 0.04), 0.02 (×3 = 0.06), 0.03 (×2 = 0.06), 0.5 (×1 = 0.5).
    expect(holmAdjust([0.03, 0.5, 0.01, 0.02])).toEqual([0.06, 0.5, 0.04, 0.06]);
    // Sorted: 0.01 (×3 = 0.03), 0.4 (×2 = 0.8), 0.6 (×1 = 0.6, raised to 0.8: monotone).
    const raised = holmAdjust([0.4, 0.01, 0.6]);
    expect(raised[0]).toBeCloseTo(0.8, 15);
    expect(raised[1]).toBeCloseTo(0.03, 15);
    expect(raised[2]).toBeCloseTo(0.8, 15);
    // 0.7 × 2 = 1.4 caps at 1, and 0.9 is raised to it.
    const capped = holmAdjust([0.7, 0.01, 0.9]);
    expect(capped[0]).toBe(1);
    expect(capped[2]).toBe(1);
  });

  it("makes the smallest p of 8 seeds significant among six pairs: 6 × 2/256 = 0.046875", () => {
    expect(holmAdjust([0.0078125, 1, 1, 1, 1, 1])[0]).toBe(0.046875);
  });
});

describe("meanDifference and studentTQuantile", () => {
  for (const example of SCIPY_CASES)
    it(`gives SciPy's mean, sd and t interval: ${example.name}`, () => {
      const result = meanDifference(example.differences);
      expect(result.mean).toBeCloseTo(example.mean, 12);
      expect(result.sd).toBeCloseTo(example.sd, 12);
      expect(result.interval![0]).toBeCloseTo(example.interval[0], 9);
      expect(result.interval![1]).toBeCloseTo(example.interval[1], 9);
      expect(result.standardized).toBeCloseTo(example.mean / example.sd, 9);
    });

  it("gives SciPy's t quantiles", () => {
    expect(studentTQuantile(0.975, 7)).toBeCloseTo(2.364624251592784, 9);
    expect(studentTQuantile(0.975, 2)).toBeCloseTo(4.302652729749462, 9);
    expect(studentTQuantile(0.995, 1)).toBeCloseTo(63.656741162871526, 7);
    expect(studentTQuantile(0.9, 30)).toBeCloseTo(1.3104150253913955, 9);
    expect(studentTQuantile(0.025, 4)).toBeCloseTo(-2.7764451051977943, 9);
  });

  it("has no interval and no standardized size with one seed, and no standardized size when sd is 0", () => {
    expect(meanDifference([0.2])).toEqual({ mean: 0.2, sd: 0, interval: null, standardized: null });
    const flat = meanDifference([0.1, 0.1, 0.1]);
    expect(flat.standardized).toBeNull();
    expect(flat.interval![0]).toBeCloseTo(0.1, 12);
    expect(sampleSd([1, 3])).toBeCloseTo(Math.SQRT2, 15);
  });
});
