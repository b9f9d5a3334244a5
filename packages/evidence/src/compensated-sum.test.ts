import { describe, expect, it } from "vitest";
import { CompensatedSum, compensatedTotal } from "./compensated-sum.js";

// Every expected value below is the exact sum of the inputs, which plain floating-point addition in
// the same order misses.
describe("Neumaier's compensated summation", () => {
  it("adds ordinary values exactly", () => {
    expect(compensatedTotal([0.5, 0.25, 0.125])).toBe(0.875);
    expect(compensatedTotal([])).toBe(0);
  });

  it("ten times 0.1 is 1 (plain addition gives 0.9999999999999999)", () => {
    expect(compensatedTotal(Array.from({ length: 10 }, () => 0.1))).toBe(1);
  });

  it("keeps a small term added after a huge one: 1e100 + 1 − 1e100 = 1", () => {
    expect(compensatedTotal([1e100, 1, -1e100])).toBe(1);
  });

  it("keeps a small term added before a huge one: 1 + 1e100 − 1e100 = 1", () => {
    expect(compensatedTotal([1, 1e100, -1e100])).toBe(1);
  });

  it("reads the running total at any point", () => {
    const sum = new CompensatedSum();
    expect(sum.value).toBe(0);
    sum.add(1e100);
    sum.add(1);
    expect(sum.value).toBe(1e100);
    sum.add(-1e100);
    expect(sum.value).toBe(1);
    sum.add(-1);
    expect(sum.value).toBe(0);
  });
});
