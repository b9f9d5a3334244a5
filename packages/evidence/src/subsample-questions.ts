import { createSeededRandom, type RandomSource } from "@finemem/utils";
import { AttributionError } from "./attribution-error.js";

/** Share of the global questions scored per episode: 20% in training (the paper's), all in evaluation. */
export const QUESTION_SAMPLE_FRACTIONS = Object.freeze({ training: 0.2, evaluation: 1 });

export interface SubsampleOptions {
  /** In (0, 1]. Default {@link QUESTION_SAMPLE_FRACTIONS}.training. */
  readonly fraction?: number;
  /** A seed (recorded in the run manifest) or a random source forked from the run's. */
  readonly seed: number | string | RandomSource;
}

/**
 * A seeded sample of the questions, in their original order: round(fraction · n) of them, at least one
 * when there is any, all of them at fraction 1. The same seed and list give the same sample.
 *
 * @throws {AttributionError} `invalid_fraction` for a fraction outside (0, 1]
 */
export function subsampleQuestions<Q>(questions: readonly Q[], options: SubsampleOptions): Q[] {
  const fraction = options.fraction ?? QUESTION_SAMPLE_FRACTIONS.training;
  if (typeof fraction !== "number" || !(fraction > 0 && fraction <= 1)) {
    throw new AttributionError("invalid_fraction", `fraction must be in (0, 1], got ${fraction}`, ["fraction"]);
  }
  const n = questions.length;
  if (fraction === 1 || n === 0) return [...questions];
  const count = Math.min(n, Math.max(1, Math.round(fraction * n)));
  const random = typeof options.seed === "object" ? options.seed : createSeededRandom(options.seed);
  // A partial Fisher–Yates shuffle of the indices: the first `count` are a uniform sample.
  const indices = Array.from({ length: n }, (_, index) => index);
  for (let i = 0; i < count; i++) {
    const j = i + random.int(n - i);
    [indices[i], indices[j]] = [indices[j]!, indices[i]!];
  }
  return indices
    .slice(0, count)
    .sort((a, b) => a - b)
    .map((index) => questions[index]!);
}
