import { rejection } from "@finemem/testing";
import { describe, expect, it } from "vitest";
import { finiteAtLeast, integerAtLeast, type OptionErrorFactory, positiveInteger } from "./option-checks.js";

class OptionError extends Error {
  constructor(
    readonly option: string,
    readonly expected: string,
    readonly value: unknown,
  ) {
    super(`${option} must be ${expected}, got ${String(value)}`);
  }
}
const fail: OptionErrorFactory = (option, expected, value) => new OptionError(option, expected, value);

describe("positiveInteger", () => {
  it("passes 1 and larger integers through", () => {
    expect(positiveInteger("concurrency", 1, fail)).toBe(1);
    expect(positiveInteger("concurrency", 64, fail)).toBe(64);
  });

  it.each([0, -2, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "2", null, undefined])(
    "refuses %s with the caller's error, naming the option",
    async (value) => {
      const error = await rejection(() => positiveInteger("concurrency", value, fail));
      expect(error).toBeInstanceOf(OptionError);
      expect(error).toMatchObject({ option: "concurrency", expected: "an integer ≥ 1", value });
    },
  );
});

describe("integerAtLeast", () => {
  it("passes integers from min up, and refuses the rest naming min", async () => {
    expect(integerAtLeast("limit", 0, 0, fail)).toBe(0);
    expect(integerAtLeast("coreTokenCap", 16, 16, fail)).toBe(16);
    for (const value of [15, 16.5, Number.POSITIVE_INFINITY, "16"]) {
      expect(await rejection(() => integerAtLeast("coreTokenCap", value, 16, fail))).toMatchObject({
        option: "coreTokenCap",
        expected: "an integer ≥ 16",
        value,
      });
    }
  });
});

describe("finiteAtLeast", () => {
  it("passes finite numbers from min up, fractions included, and refuses the rest", async () => {
    expect(finiteAtLeast("k1", 0, 0, fail)).toBe(0);
    expect(finiteAtLeast("k1", 1.2, 0, fail)).toBe(1.2);
    expect(finiteAtLeast("multiplier", 1, 1, fail)).toBe(1);
    for (const value of [-0.1, Number.NaN, Number.POSITIVE_INFINITY, "1", null]) {
      expect(await rejection(() => finiteAtLeast("k1", value, 0, fail))).toMatchObject({
        option: "k1",
        expected: "a finite number ≥ 0",
        value,
      });
    }
    expect(await rejection(() => finiteAtLeast("multiplier", 0.5, 1, fail))).toMatchObject({
      expected: "a finite number ≥ 1",
    });
  });
});
