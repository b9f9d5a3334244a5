import { FineMemError } from "@finemem/spec";
import { rejection } from "@finemem/testing";
import { positiveInteger } from "@finemem/utils";
import { describe, expect, it } from "vitest";
import { invalidOption, StepRewardError } from "./step-reward-error.js";

describe("StepRewardError", () => {
  it("is a FineMemError carrying its code, with an empty path unless one is given", () => {
    const bare = new StepRewardError("empty_history", "nothing to divide by");
    expect(bare).toBeInstanceOf(FineMemError);
    expect(bare).toMatchObject({ code: "empty_history", path: [], message: "nothing to divide by" });
    expect(new StepRewardError("invalid_weights", "bad", ["beta"])).toMatchObject({ path: ["beta"] });
  });
});

describe("positiveInteger with this package's invalidOption", () => {
  it("passes 1 and larger integers through", () => {
    expect(positiveInteger("concurrency", 1, invalidOption)).toBe(1);
    expect(positiveInteger("concurrency", 64, invalidOption)).toBe(64);
  });

  it.each([0, -2, 1.5, Number.NaN, Number.POSITIVE_INFINITY])("refuses %s, naming the option", async (value) => {
    const error = await rejection(() => positiveInteger("concurrency", value, invalidOption));
    expect(error).toBeInstanceOf(StepRewardError);
    expect(error).toMatchObject({
      code: "invalid_option",
      path: ["concurrency"],
      message: `concurrency must be an integer ≥ 1, got ${value}`,
    });
  });
});
