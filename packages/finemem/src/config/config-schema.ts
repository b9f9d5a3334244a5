// The configuration of the `finemem` CLI: one schema, so a file, environment variables and flags are
// all checked the same way and every error names the key and the value it expects.

import { FEATURE_GROUPS } from "@finemem/learned-policy";
import { PROVENANCE_POLICIES } from "@finemem/spec";
import { TRANSFORMERS_DTYPE_SUFFIXES, type TransformersDtype } from "@finemem/utils";
import { z } from "zod";
import { BASELINE_NAMES, MEMALPHA_REPOS_LIST, SERVING_ENGINES_LIST } from "./known-values.js";

const positiveInt = z.number().int().min(1);
const nonEmpty = z.string().min(1);

/** One model role: any OpenAI-compatible endpoint. */
export const modelRoleSchema = z.strictObject({
  baseUrl: z.url({ protocol: /^https?$/ }),
  model: nonEmpty,
  /** The key itself; prefer `apiKeyEnv` so it stays out of files and manifests. */
  apiKey: nonEmpty.optional(),
  /** The environment variable holding the key. */
  apiKeyEnv: nonEmpty.optional(),
  engine: z.enum(SERVING_ENGINES_LIST).optional(),
  timeoutMs: positiveInt.optional(),
  concurrency: positiveInt.optional(),
  pricing: z
    .strictObject({ promptUsdPerMillion: z.number().min(0), completionUsdPerMillion: z.number().min(0) })
    .optional(),
});

/**
 * The embedder runs in-process (transformers.js, `@finemem/memory/hybrid`): `model` is a hub
 * repository id or a local folder (absolute, or starting with `./` or `../`), `baseUrl` the hub, the
 * key a hub token.
 */
export const embedderRoleSchema = z.strictObject({
  model: nonEmpty,
  baseUrl: z.url({ protocol: /^https?$/ }).optional(),
  apiKey: nonEmpty.optional(),
  apiKeyEnv: nonEmpty.optional(),
  revision: nonEmpty.optional(),
  cacheDir: nonEmpty.optional(),
  dtype: z.enum(Object.keys(TRANSFORMERS_DTYPE_SUFFIXES) as [TransformersDtype, ...TransformersDtype[]]).optional(),
  threads: positiveInt.optional(),
});

/** The held-out sets of `finemem train` by default: the synthetic defaults, and every fact changing amid distractors. */
const TRAIN_HELDOUT_DEFAULT = [
  { kind: "synthetic" as const, seed: "heldout", instances: 8 },
  { kind: "synthetic" as const, seed: "heldout-hard", instances: 8, changedShare: 1, distractorShare: 0.5 },
];

/** The roles a model can play; each is configured on its own. */
export const MODEL_ROLES = ["manager", "reasoner", "generator", "verifier", "judge", "embedder"] as const;
export type ModelRole = (typeof MODEL_ROLES)[number];

const hubSchema = z.strictObject({
  revision: nonEmpty.optional(),
  hubUrl: z.url({ protocol: /^https?$/ }).optional(),
  cacheDir: nonEmpty.optional(),
  cache: z.enum(["default", "cache-first", "offline"]).optional(),
});

export const datasetSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("synthetic"),
    seed: z.union([nonEmpty, z.number().int()]).optional(),
    instances: positiveInt.optional(),
    chunks: positiveInt.optional(),
    factsPerChunk: positiveInt.optional(),
    questionsPerChunk: positiveInt.optional(),
    changedShare: z.number().min(0).max(1).optional(),
    // The generator's own ranges (synthetic-options.ts): at least one non-distractor sentence is needed.
    distractorShare: z.number().min(0).lt(1).optional(),
    paraphraseShare: z.number().min(0).max(1).optional(),
  }),
  z.strictObject({
    kind: z.literal("memoryagentbench"),
    /** A local `.jsonl` or `.parquet` file in the dataset's row format; default: the hub. */
    file: nonEmpty.optional(),
    /** The split of `file` when its name does not start with one (it sets the competency). */
    split: z
      .enum(["Accurate_Retrieval", "Test_Time_Learning", "Long_Range_Understanding", "Conflict_Resolution"])
      .optional(),
    splits: z
      .array(z.enum(["Accurate_Retrieval", "Test_Time_Learning", "Long_Range_Understanding", "Conflict_Resolution"]))
      .min(1)
      .optional(),
    dataSources: z.array(nonEmpty).min(1).optional(),
    chunkTokens: positiveInt.optional(),
    limit: positiveInt.optional(),
    hub: hubSchema.optional(),
  }),
  z.strictObject({
    kind: z.literal("memalpha"),
    repo: z.enum(MEMALPHA_REPOS_LIST).optional(),
    /** Parquet files whose name starts with this (`train`, `test`). */
    split: nonEmpty.optional(),
    dataSources: z.array(nonEmpty).min(1).optional(),
    limit: positiveInt.optional(),
    hub: hubSchema.optional(),
  }),
]);

export const policySchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("heuristic") }),
  z.strictObject({
    kind: z.literal("baseline"),
    name: z.enum(BASELINE_NAMES),
    longContextTokens: positiveInt.optional(),
  }),
  z.strictObject({
    /** The learned policy of @finemem/learned-policy: trained by `finemem train`, evaluated greedily. */
    kind: z.literal("learned"),
    /** A checkpoint folder, or a training run folder (its latest checkpoint); default: untrained. */
    checkpoint: nonEmpty.optional(),
    /** k, the stored items considered per fact (a new policy; a checkpoint records its own). */
    candidates: positiveInt.optional(),
    hidden: positiveInt.optional(),
    disabledFeatures: z.array(z.enum(FEATURE_GROUPS)).optional(),
    /** The seed of a new policy's initial parameters; default the run seed. */
    initSeed: nonEmpty.optional(),
  }),
  z.strictObject({
    kind: z.literal("llm"),
    prompt: z.enum(["flat", "memalpha"]).optional(),
    callStyle: z.enum(["tools", "text"]).optional(),
    temperature: z.number().min(0).max(2).optional(),
    maxTokens: positiveInt.optional(),
  }),
]);

/** How the reasoning agent retrieves: BM25 (the papers'), or BM25 and the embedder's dense ranking fused by reciprocal rank. */
const retrievalSchema = z.enum(["bm25", "hybrid"]).optional();

export const reasonerSchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("extractive"), topK: positiveInt.optional(), retrieval: retrievalSchema }),
  z.strictObject({
    kind: z.literal("llm"),
    topK: positiveInt.optional(),
    cite: z.boolean().optional(),
    maxTokens: positiveInt.optional(),
    retrieval: retrievalSchema,
  }),
]);

export const configSchema = z.strictObject({
  run: z
    .strictObject({
      /** Default: derived from the configuration, so the same command resumes the same run. */
      id: z
        .string()
        .regex(
          /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/,
          "letters, digits, '.', '_' or '-' (at most 128, starting with a letter or digit)",
        )
        .optional(),
      out: nonEmpty.default("finemem-runs"),
      seed: nonEmpty.default("finemem"),
      rollouts: positiveInt.default(1),
      /**
       * Episodes in flight: by default 2 when a model is called over HTTP (its latency overlaps), else
       * 1 (in-process episodes share one thread: a second adds an instance's memory and no speed).
       */
      concurrency: z.strictObject({ episodes: positiveInt.optional(), questions: positiveInt.default(8) }).prefault({}),
      /** Stop spending once the models together have cost this many US dollars. */
      spendingCapUsd: z.number().positive().optional(),
    })
    .prefault({}),
  datasets: z
    .array(datasetSchema)
    .min(1)
    .default([{ kind: "synthetic" }]),
  policy: policySchema.default({ kind: "heuristic" }),
  reasoner: reasonerSchema.default({ kind: "extractive" }),
  models: z
    .strictObject({
      manager: modelRoleSchema.optional(),
      reasoner: modelRoleSchema.optional(),
      generator: modelRoleSchema.optional(),
      verifier: modelRoleSchema.optional(),
      judge: modelRoleSchema.optional(),
      embedder: embedderRoleSchema.optional(),
    } satisfies Record<ModelRole, z.ZodOptional<z.ZodType>>)
    .prefault({}),
  rewards: z
    .strictObject({
      beta: z.number().min(0).max(1).default(0.5),
      chunk: z.number().min(0).default(0.5),
      compression: z.number().min(0).default(0.05),
      content: z.number().min(0).default(0),
      provenance: z.enum(PROVENANCE_POLICIES).default("last-writer"),
      evidence: z.enum(["retrieved", "cited"]).default("retrieved"),
      skipSucceeds: z.boolean().default(true),
      questionFraction: z.number().gt(0).max(1).default(1),
    })
    .prefault({}),
  chunkQa: z
    .strictObject({
      /** The per-chunk question cache; when set, `eval` attaches (and builds, with generator and verifier) each chunk's questions. */
      cache: nonEmpty.optional(),
      perChunk: positiveInt.default(5),
      candidates: positiveInt.default(10),
    })
    .prefault({}),
  report: z.strictObject({ html: z.boolean().default(true), worstQuestions: positiveInt.default(10) }).prefault({}),
  /** `finemem train` (ignored by the other commands). */
  train: z
    .strictObject({
      /** Trainer updates (one rollout group per training instance each). */
      updates: positiveInt.default(100),
      /** Training instances per update, drawn from `datasets` (one dataset per update, in turn). */
      instancesPerUpdate: positiveInt.default(2),
      /** G, the rollouts of each instance. */
      rollouts: z.number().int().min(2).default(4),
      /** Evaluate on the held-out datasets every N updates (and before the first, and after the last). */
      evalEvery: positiveInt.default(25),
      /** Write a checkpoint every M updates (and after the last). */
      checkpointEvery: positiveInt.default(25),
      /** What the held-out evaluation runs on; default two generated sets that no training seed draws. */
      heldout: z.array(datasetSchema).min(1).default(TRAIN_HELDOUT_DEFAULT),
      /** Policies evaluated once on the held-out sets, beside the curve. */
      baselines: z
        .array(z.enum(["heuristic", ...BASELINE_NAMES.filter((name) => !name.startsWith("prompted-"))]))
        .default(["heuristic", "insert-every-fact"]),
      /** `cpu` and `webgpu` train the learned policy here; `external` exports samples for an engine (verl). */
      backend: z.enum(["cpu", "webgpu", "external"]).default("cpu"),
      /** The local trainer's hyperparameters (@finemem/trainer's LocalTrainerConfig), e.g. learningRate, grouping. */
      trainer: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).default({}),
      /** The external backend's files; default `<run folder>/export`, both formats. */
      export: z
        .strictObject({
          dir: nonEmpty.optional(),
          formats: z
            .array(z.enum(["jsonl", "parquet"]))
            .min(1)
            .optional(),
        })
        .prefault({}),
    })
    .prefault({}),
  /** `finemem serve` (ignored by the other commands). */
  serve: z
    .strictObject({
      host: nonEmpty.default("127.0.0.1"),
      port: z.number().int().min(0).max(65535).default(8420),
      /** The environment variable holding the bearer token; without it, a token is generated and printed. */
      tokenEnv: nonEmpty.default("FINEMEM_SERVE_TOKEN"),
      /** A PostgreSQL URL: episodes live there, shared by every server process; default in this process's memory. */
      database: nonEmpty.optional(),
      maxBodyBytes: positiveInt.default(8 * 1024 * 1024),
      maxInFlight: positiveInt.default(256),
      /** Episodes a process keeps live between step requests (0: every step replays its journal). */
      liveEpisodes: z.number().int().min(0).default(1024),
    })
    .prefault({}),
});

/** The configuration as written (every field optional). */
export type FineMemConfigInput = z.input<typeof configSchema>;
/** The configuration with every default filled in. */
export type FineMemConfig = z.output<typeof configSchema>;
export type DatasetConfig = z.output<typeof datasetSchema>;
export type PolicyConfig = z.output<typeof policySchema>;
export type ReasonerConfig = z.output<typeof reasonerSchema>;
export type ModelRoleConfig = z.output<typeof modelRoleSchema>;
export type EmbedderRoleConfig = z.output<typeof embedderRoleSchema>;
