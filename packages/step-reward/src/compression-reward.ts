import { StepRewardError } from "./step-reward-error.js";

export interface CompressionInput {
  /** L(M_T): tokens of the final memory, as recorded (e.g. the store's per-version token ledger). */
  readonly memoryTokens: number;
  /** L(c_t) per chunk, or their sum Σ_t L(c_t), as recorded when the chunks were packed. */
  readonly chunkTokens: number | readonly number[];
}

/**
 * r_comp = 1 − L(M_T) / Σ_t L(c_t) (docs/method.md §8; Mem-α counts with o200k_base). It takes recorded
 * counts, never text, so the reward costs a division however large the memory. Negative when the
 * memory holds more tokens than the history it came from.
 *
 * @throws {StepRewardError} `invalid_token_count` for a count that is not an integer ≥ 0, `empty_history` when Σ_t L(c_t) = 0
 */
export function compressionReward(input: CompressionInput): number {
  checkCount(input.memoryTokens, ["memoryTokens"]);
  let total = 0;
  if (typeof input.chunkTokens === "number") {
    checkCount(input.chunkTokens, ["chunkTokens"]);
    total = input.chunkTokens;
  } else {
    input.chunkTokens.forEach((count, index) => {
      checkCount(count, ["chunkTokens", index]);
      total += count;
    });
  }
  if (total === 0)
    throw new StepRewardError(
      "empty_history",
      "the chunks hold no token: the compression ratio L(M_T) / Σ L(c_t) is undefined",
      ["chunkTokens"],
    );
  return 1 - input.memoryTokens / total;
}

function checkCount(value: number, path: readonly (string | number)[]): void {
  if (!Number.isInteger(value) || value < 0)
    throw new StepRewardError("invalid_token_count", `a token count must be an integer ≥ 0, got ${value}`, path);
}
