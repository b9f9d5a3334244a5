import { describe, expect, it } from "vitest";
import { isStepWeights, stepWeightsValidator } from "./provenance.js";

const cases: unknown[] = [
  {},
  { 3: 1 },
  { 0: 0.25, 7: 0.75 },
  { 1: 1 / 3, 2: 1 / 3, 3: 1 / 3 },
  { 1: 0.5, 2: 0.3 },
  { 1: Number.NaN },
  { 1: 1.5, 2: -0.5 },
  { "01": 1 },
  { "-1": 1 },
  { "1.5": 1 },
  { a: 1 },
  { 1: "1" },
  null,
  [1],
  "{}",
  7,
];

describe("isStepWeights", () => {
  it("accepts exactly what stepWeightsValidator accepts", () => {
    for (const value of cases)
      expect(isStepWeights(value), JSON.stringify(value)).toBe(stepWeightsValidator.validate(value).ok);
    expect(cases.filter((value) => isStepWeights(value))).toHaveLength(4);
  });
});
