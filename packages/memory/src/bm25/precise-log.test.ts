import { describe, expect, it } from "vitest";
import { logOfHalfInteger, preciseLog } from "./precise-log.js";

// ln(x) rounded to the nearest double, computed outside this code with Python's decimal module at
// 80 digits (`float(Decimal(x).ln())`). The first five are arguments where V8's Math.log rounds the
// other way; at 38437.5 glibc's log (and so rank_bm25) is off by one ulp too, and this value is right.
const CORRECTLY_ROUNDED: readonly [number, number][] = [
  [23.5, 3.1570004211501135],
  [41.5, 3.7256934272366524],
  [46.5, 3.8394523125933104],
  [49.5, 3.901972669574645],
  [78.5, 4.363098624788363],
  [38437.5, 10.556788824548873],
  // biome-ignore-start lint/suspicious/noApproximativeNumericConstant: oracle pairs (arguments and Python's 80-digit ln), kept exactly as computed
  [0.5, -0.6931471805599453],
  [1.5, 0.4054651081081644],
  [2.0, 0.6931471805599453],
  [1e-300, -690.7755278982137],
  [1e300, 690.7755278982137],
  [3.141592653589793, 1.1447298858494002],
  [0.7071067811865476, -0.3465735902799726],
  [1.4142135623730951, 0.3465735902799727],
  // biome-ignore-end lint/suspicious/noApproximativeNumericConstant: oracle pairs
  [622901.6952668002, 13.342143992809893],
  [741786.9895189424, 13.516817404815257],
  [795193.5657705031, 13.586340842956886],
  [942450.2838346, 13.756238447665904],
  [739898.5750000321, 13.514268394975893],
  [922324.996743092, 13.734652931472926],
];

describe("preciseLog", () => {
  it.each(CORRECTLY_ROUNDED)("ln(%d) is correctly rounded", (x, expected) => {
    expect(preciseLog(x)).toBe(expected);
  });

  it("agrees with Math.log to within one ulp everywhere it is defined", () => {
    for (let x = 1e-3; x < 1e7; x *= 1.37) {
      const exact = preciseLog(x);
      expect(Math.abs(exact - Math.log(x))).toBeLessThanOrEqual(Number.EPSILON * Math.max(1, Math.abs(exact)));
    }
    expect(preciseLog(1)).toBe(0);
    expect(preciseLog(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(preciseLog(-1)).toBeNaN();
  });

  it("memoizes ln(k + 0.5) per integer k", () => {
    expect(logOfHalfInteger(23)).toBe(3.1570004211501135);
    expect(logOfHalfInteger(38437)).toBe(10.556788824548873);
    expect(logOfHalfInteger(38437)).toBe(10.556788824548873);
    // biome-ignore lint/suspicious/noApproximativeNumericConstant: the golden ln(0.5) from the Python oracle above, kept exactly as computed
    expect(logOfHalfInteger(0)).toBe(-0.6931471805599453);
  });
});
