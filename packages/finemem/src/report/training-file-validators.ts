// Runtime validators for the line files of a training run (`updates.jsonl`, `evaluations.jsonl`,
// `baselines.jsonl`). Their TypeScript shapes live in train/train-files.ts; a report of a corrupt run
// must fail with the line at fault rather than plot NaN. As in run-file-validators.ts, objects are
// not strict: the trainer may add fields, and an older report reader must still read a newer run.
import { createValidator, type Validator } from "@finemem/spec";
import { z } from "zod";
import type { BaselineLine, EvaluationLine, UpdateLine } from "../train/train-files.js";

const count = z.number().int().min(0);
const finite = z.number().finite();
const unitInterval = z.number().min(0).max(1);

/** Every component `UPDATE_REWARD_COMPONENTS` names; `null`: no step of the update computed it. */
const rewardsSchema = z.object({
  total: finite.nullable(),
  format: finite.nullable(),
  chunk: finite.nullable(),
  evidence: finite.nullable(),
  eara: finite.nullable(),
  compression: finite.nullable(),
  content: finite.nullable(),
});

const updateLineSchema = z.object({
  update: z.number().int().min(1),
  instances: z.array(z.string().min(1)),
  rollouts: count,
  samples: count,
  meanReward: finite,
  loss: finite.nullable(),
  klDivergence: finite.nullable(),
  metrics: z.record(z.string(), finite),
  rewards: rewardsSchema,
  wallSeconds: finite.min(0),
  rolloutsPerSecond: finite.min(0),
});

/** The fields a held-out evaluation and a baseline share (`HeldoutResult`). */
const heldoutShape = {
  policyId: z.string().min(1),
  score: unitInterval.nullable(),
  dataSources: z.record(z.string(), unitInterval.nullable()),
  memoryTokens: finite.min(0),
  episodes: count,
  questions: count,
  sets: z
    .record(z.string(), z.object({ score: unitInterval.nullable(), memoryTokens: finite.min(0), episodes: count }))
    .optional(),
};

const evaluationLineSchema = z.object({ update: count, ...heldoutShape });
const baselineLineSchema = z.object({ name: z.string().min(1), ...heldoutShape });

export const updateLineValidator: Validator<UpdateLine> = createValidator<UpdateLine>("UpdateLine", updateLineSchema);
export const evaluationLineValidator: Validator<EvaluationLine> = createValidator<EvaluationLine>(
  "EvaluationLine",
  evaluationLineSchema,
);
export const baselineLineValidator: Validator<BaselineLine> = createValidator<BaselineLine>(
  "BaselineLine",
  baselineLineSchema,
);
