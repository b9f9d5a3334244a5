import { z } from "zod";
import { type DatasetSource, datasetSourceSchema } from "./benchmark.js";
import { type Id, idSchema, stepSchema } from "./ids.js";
import { type JsonValue, jsonValueSchema } from "./json.js";
import {
  type IdentifiedOperation,
  identifiedOperationSchema,
  type OperationResult,
  operationResultSchema,
} from "./operation.js";
import { type ActionLogprob, actionLogprobSchema, type ParseOutcome, parseOutcomeSchema } from "./policy.js";
import { type StepRewardComponents, stepRewardComponentsSchema } from "./rewards.js";
import { createValidator, issueCode } from "./validation.js";

/** One line of a run's JSONL log: a step with its operations, their outcomes and every reward component. */
export interface StepRecord {
  readonly runId: Id;
  readonly instanceId: Id;
  /** Which of the G rollouts (0-based). */
  readonly rollout: number;
  readonly step: number;
  readonly chunkId: Id;
  readonly operations: readonly IdentifiedOperation[];
  /** One result per operation, in the same order. */
  readonly results: readonly OperationResult[];
  readonly parseOutcomes: readonly ParseOutcome[];
  readonly actionLogprob: ActionLogprob | null;
  readonly rewards: StepRewardComponents;
  /** Tokens in the memory after the step, when counted. */
  readonly memoryTokens?: number;
}

export const stepRecordSchema = z
  .strictObject({
    runId: idSchema,
    instanceId: idSchema,
    rollout: z.number().int().min(0),
    step: stepSchema,
    chunkId: idSchema,
    operations: z.array(identifiedOperationSchema),
    results: z.array(operationResultSchema),
    parseOutcomes: z.array(parseOutcomeSchema),
    actionLogprob: actionLogprobSchema.nullable(),
    rewards: stepRewardComponentsSchema,
    memoryTokens: z.number().int().min(0).exactOptional(),
  })
  .superRefine((record, ctx) => {
    if (record.results.length !== record.operations.length) {
      ctx.addIssue({
        code: "custom",
        path: ["results"],
        message: "one result per operation",
        ...issueCode("inconsistent"),
      });
      return;
    }
    record.results.forEach((result, index) => {
      if (result.operationId !== record.operations[index]?.operationId) {
        ctx.addIssue({
          code: "custom",
          path: ["results", index, "operationId"],
          message: "results follow the operations' order",
          ...issueCode("inconsistent"),
        });
      }
    });
  });

/** The first line of a run's log: everything needed to reproduce or audit the run. */
export interface RunManifest {
  readonly runId: Id;
  readonly specificationVersion: "v1";
  /** ISO 8601 time the run started. */
  readonly createdAt: string;
  readonly seed: string;
  /** Model id per role: manager, reasoner, generator, verifier, judge, embedder… */
  readonly models: { readonly [role: string]: string };
  /** Hash per prompt template used. */
  readonly promptHashes: { readonly [prompt: string]: string };
  /** Every dataset file read, with its revision and sha256. */
  readonly datasets: readonly DatasetSource[];
  /** The effective configuration. */
  readonly config?: JsonValue;
}

export const runManifestSchema = z.strictObject({
  runId: idSchema,
  specificationVersion: z.literal("v1"),
  createdAt: z.iso.datetime({ offset: true }),
  seed: z.string().min(1).max(256),
  models: z.record(z.string().min(1), z.string().min(1)),
  promptHashes: z.record(z.string().min(1), z.string().min(1)),
  datasets: z.array(datasetSourceSchema),
  config: jsonValueSchema.exactOptional(),
});

export const stepRecordValidator = createValidator<StepRecord>("StepRecord", stepRecordSchema);
export const runManifestValidator = createValidator<RunManifest>("RunManifest", runManifestSchema);
