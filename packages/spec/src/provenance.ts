import { z } from "zod";
import { createValidator, issueCode } from "./validation.js";

/**
 * φ as a weight map over steps: `{ 5: 1 }` means step 5 gets all the credit for an item,
 * `{ 1: 0.5, 3: 0.5 }` splits it. Weights are in [0, 1] and sum to 1 (or the map is empty when an
 * item maps to no step).
 */
export type StepWeights = Readonly<Record<number, number>>;

/**
 * How an item's credit is spread over the steps that wrote it.
 * - `last-writer` (default): the step that wrote the current version (an UPDATE re-stamps the item).
 * - `creator`: the step whose INSERT created the item.
 * - `shared`: equal shares over every step in the item's version chain.
 */
export type ProvenancePolicy = "last-writer" | "creator" | "shared";

export const PROVENANCE_POLICIES = ["last-writer", "creator", "shared"] as const satisfies readonly ProvenancePolicy[];
export const DEFAULT_PROVENANCE_POLICY: ProvenancePolicy = "last-writer";

/** Tolerance for "weights sum to 1": shares such as 1/3 do not add up exactly in floating point. */
export const STEP_WEIGHT_SUM_TOLERANCE = 1e-9;

export const provenancePolicySchema = z.enum(PROVENANCE_POLICIES);

/** A step key of {@link StepWeights}: a non-negative integer without leading zeros. */
const STEP_KEY = /^(0|[1-9][0-9]*)$/;

/**
 * True when `value` is valid {@link StepWeights}: the same rule as {@link stepWeightsValidator}, without
 * zod's cost, for hot loops (attribution checks thousands of maps per episode). Use the validator to
 * learn what is wrong with a map this refuses.
 */
export function isStepWeights(value: unknown): value is StepWeights {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  let sum = 0;
  let count = 0;
  for (const key in value) {
    if (!STEP_KEY.test(key)) return false;
    const weight = (value as Record<string, unknown>)[key];
    if (typeof weight !== "number" || !(weight >= 0 && weight <= 1)) return false;
    sum += weight;
    count++;
  }
  return count === 0 || Math.abs(sum - 1) <= STEP_WEIGHT_SUM_TOLERANCE;
}

export const stepWeightsSchema = z
  .record(z.string().regex(STEP_KEY, { message: "step keys are non-negative integers" }), z.number().min(0).max(1))
  .superRefine((weights, ctx) => {
    const values = Object.values(weights);
    if (values.length === 0) return;
    const sum = values.reduce((total, weight) => total + weight, 0);
    if (Math.abs(sum - 1) > STEP_WEIGHT_SUM_TOLERANCE) {
      ctx.addIssue({ code: "custom", path: [], message: `weights sum to ${sum}, not 1`, ...issueCode("inconsistent") });
    }
  }) as unknown as z.ZodType<StepWeights>;

export const stepWeightsValidator = createValidator<StepWeights>("StepWeights", stepWeightsSchema);
