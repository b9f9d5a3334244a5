// Runtime validators for the run files that have no validator in @finemem/spec (results, episodes,
// summary). Their TypeScript shapes live in run/run-files.ts; a report of a corrupt run must fail with
// the line at fault rather than render NaN. Objects are not strict: the runner may add fields, and an
// older report reader must still read a newer run.
import { COMPETENCIES, createValidator, METRIC_PROTOCOLS, stepWeightsValidator, type Validator } from "@finemem/spec";
import { z } from "zod";
import type { EpisodeLine, QuestionResultLine, RunSummary } from "../run/run-files.js";

/**
 * A field checked by one of the spec's validators: its issues keep their code, message and path (below
 * the field's own), as if the spec's schema were part of this one.
 */
function checkedBy<T>(validator: Validator<T>): z.ZodType<T> {
  return z.unknown().transform((value, ctx): T => {
    const result = validator.validate(value);
    if (result.ok) return result.value;
    for (const issue of result.error.issues) {
      ctx.addIssue({
        code: "custom",
        message: issue.message,
        path: [...issue.path],
        params: { finememCode: issue.code },
      });
    }
    return z.NEVER;
  });
}

const unitIntervalSchema = z.number().min(0).max(1);
const goldSchema = z.union([z.string(), z.array(z.string())]);
const stepWeightsSchema = checkedBy(stepWeightsValidator);
const competencySchema = z.enum(COMPETENCIES);
const protocolSchema = z.enum(METRIC_PROTOCOLS);
const count = z.number().int().min(0);
const finite = z.number().finite();

const evidenceChainItemSchema = z.object({
  itemId: z.string().min(1),
  rank: z.number().int().min(1),
  share: unitIntervalSchema,
  content: z.string(),
  steps: stepWeightsSchema,
});

const questionResultLineSchema = z.object({
  instanceId: z.string().min(1),
  rollout: count,
  dataSource: z.string().min(1),
  competency: competencySchema,
  protocol: protocolSchema,
  questionId: z.string().min(1),
  question: z.string(),
  gold: goldSchema,
  answer: z.string(),
  score: unitIntervalSchema,
  metric: z.string().min(1),
  details: z.record(z.string(), z.number()).optional(),
  evidence: z.array(evidenceChainItemSchema),
});

const episodeLineSchema = z.object({
  instanceId: z.string().min(1),
  rollout: count,
  dataSource: z.string().min(1),
  competency: competencySchema,
  protocol: protocolSchema,
  policyId: z.string().min(1),
  reasonerId: z.string().min(1),
  steps: count,
  global: unitIntervalSchema,
  unattributed: unitIntervalSchema,
  compression: finite,
  questionsScored: count,
  chunkScore: unitIntervalSchema.nullable(),
  memoryTokens: count,
  chunkTokens: count,
  memoryItems: count,
  operations: z.object({ INSERT: count, UPDATE: count, DELETE: count, SKIP: count, rejected: count }),
});

const aggregateTableSchema = z.object({
  instances: z.array(
    z.object({
      dataSource: z.string(),
      competency: competencySchema,
      instanceId: z.string(),
      questions: count,
      mean: unitIntervalSchema,
    }),
  ),
  dataSources: z.array(
    z.object({
      dataSource: z.string(),
      competency: competencySchema,
      instances: count,
      questions: count,
      mean: unitIntervalSchema,
    }),
  ),
  competencies: z.array(z.object({ competency: competencySchema, dataSources: count, mean: unitIntervalSchema })),
  average: z.object({ dataSources: count, mean: unitIntervalSchema.nullable() }),
});

const runSummarySchema = z.object({
  runId: z.string().min(1),
  policyId: z.string().min(1),
  reasonerId: z.string().min(1),
  table: aggregateTableSchema,
  metrics: z.record(z.string(), z.string()),
  memoryTokens: z.record(z.string(), z.number().finite().min(0)),
  episodes: count,
  questions: count,
});

// zod types an optional key as `?: T | undefined`, which exactOptionalPropertyTypes tells apart from
// `?: T`; the parsed value never holds an explicit undefined, so the cast only bridges that notation.
export const questionResultLineValidator: Validator<QuestionResultLine> = createValidator<QuestionResultLine>(
  "QuestionResultLine",
  questionResultLineSchema as unknown as z.ZodType<QuestionResultLine>,
);
export const episodeLineValidator: Validator<EpisodeLine> = createValidator<EpisodeLine>(
  "EpisodeLine",
  episodeLineSchema,
);
export const runSummaryValidator: Validator<RunSummary> = createValidator<RunSummary>("RunSummary", runSummarySchema);
