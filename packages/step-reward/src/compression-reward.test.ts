import { rejection } from "@finemem/testing";
import { describe, expect, it } from "vitest";
import { compressionReward } from "./compression-reward.js";
import { StepRewardError } from "./step-reward-error.js";

describe("the compression reward", () => {
  it("is 1 − L(M_T) / Σ_t L(c_t) from recorded counts", () => {
    expect(compressionReward({ memoryTokens: 250, chunkTokens: [400, 400, 200] })).toBe(0.75);
    expect(compressionReward({ memoryTokens: 0, chunkTokens: 10 })).toBe(1);
    // A memory longer than its history is penalised, not clipped.
    expect(compressionReward({ memoryTokens: 30, chunkTokens: 20 })).toBe(-0.5);
  });

  it.each([
    [{ memoryTokens: Number.NaN, chunkTokens: 10 }, "invalid_token_count", ["memoryTokens"]],
    [{ memoryTokens: 5, chunkTokens: [10, -1] }, "invalid_token_count", ["chunkTokens", 1]],
    [{ memoryTokens: 5, chunkTokens: [1.5] }, "invalid_token_count", ["chunkTokens", 0]],
    [{ memoryTokens: 5, chunkTokens: -1 }, "invalid_token_count", ["chunkTokens"]],
    [{ memoryTokens: 0, chunkTokens: [0, 0] }, "empty_history", ["chunkTokens"]],
    [{ memoryTokens: 0, chunkTokens: 0 }, "empty_history", ["chunkTokens"]],
  ] as const)("refuses %j", async (input, code, path) => {
    const error = await rejection(() => compressionReward(input));
    expect(error).toBeInstanceOf(StepRewardError);
    expect(error).toMatchObject({ code, path });
  });

  it("says what was wrong in its messages", () => {
    expect(() => compressionReward({ memoryTokens: 2.5, chunkTokens: 10 })).toThrow(
      "a token count must be an integer ≥ 0, got 2.5",
    );
    expect(() => compressionReward({ memoryTokens: 0, chunkTokens: [] })).toThrow(
      "the chunks hold no token: the compression ratio L(M_T) / Σ L(c_t) is undefined",
    );
  });
});
