import { createHash } from "node:crypto";
import { resolve } from "node:path";
import {
  createMemalphaLoader,
  createMemoryAgentBenchLoader,
  createMetric,
  createSingleFileSource,
  createSyntheticLoader,
  JUDGE_PROMPT_HASH,
  type LoadProgress,
} from "@finemem/benchmarks";
import { createLearnedPolicy } from "@finemem/learned-policy";
import {
  createBaseline,
  createExtractiveReader,
  createHeuristicPolicy,
  createLlmMemoryPolicy,
  createLlmReasoner,
  createOpenAICompatibleModel,
  createUsageLedger,
  MANAGER_PROMPTS,
  managerPromptHash,
  type OpenAICompatibleModel,
  type UsageLedger,
} from "@finemem/policy";
import type {
  BenchmarkInstance,
  DatasetLoader,
  Embedder,
  JsonValue,
  MemoryPolicy,
  Metric,
  Reasoner,
  Retriever,
} from "@finemem/spec";
import { type ContentValidityJudge, createContentValidityJudge } from "@finemem/step-reward";
import type { EpisodeRewardOptions } from "../episode/run-episode.js";
import { canonicalJson } from "../run/canonical-json.js";
import { type LoadedLearnedPolicy, loadLearnedPolicy } from "../train/load-learned-policy.js";
import type { DatasetConfig, FineMemConfig, ModelRole } from "./config-schema.js";
import { ConfigError } from "./load-config.js";

/** What a configuration builds: the models by role, the policy, the reasoner, the instances. */
/** The roles served by an OpenAI-compatible chat endpoint (the embedder runs in-process). */
const CHAT_ROLES = ["manager", "reasoner", "generator", "verifier", "judge"] as const satisfies readonly ModelRole[];
type ChatRole = (typeof CHAT_ROLES)[number];

export interface RunComponents {
  readonly models: Partial<Record<ChatRole, OpenAICompatibleModel>>;
  /** The embedder, when `models.embedder` is configured and the reasoner retrieves with `hybrid`. */
  readonly embedder: Embedder | undefined;
  /** Tokens and cost per role, shared by every model (the progress bar's counters). */
  readonly ledger: UsageLedger;
  readonly policy: MemoryPolicy;
  /** The training checkpoint the learned policy was loaded from (`policy.checkpoint`). */
  readonly checkpoint: LoadedLearnedPolicy | undefined;
  readonly reasoner: Reasoner;
  /** The content-validity judge (the `judge` role), built when `rewards.content` > 0. */
  readonly contentJudge: ContentValidityJudge | undefined;
  readonly metricFor: (instance: BenchmarkInstance) => Metric;
  /** Model id per role, as the manifest records them. */
  readonly modelIds: Record<string, string>;
  readonly promptHashes: Record<string, string>;
  loadInstances(options?: LoadInstancesOptions): AsyncIterable<BenchmarkInstance>;
  /** The instances of one dataset section (e.g. a held-out set of `finemem train`); `index` names it in errors. */
  loadDataset(dataset: DatasetConfig, index: number, options?: LoadInstancesOptions): AsyncIterable<BenchmarkInstance>;
}

export interface LoadInstancesOptions {
  readonly signal?: AbortSignal;
  readonly onWarning?: (message: string) => void;
  /**
   * A dataset file is open and `rows` instances will come from it: the rows its footer (parquet) or
   * its lines (JSONL) hold that the configured data sources keep, at most the dataset's `limit`.
   * Lets a progress bar count instances before they are read.
   */
  readonly onFile?: (file: { readonly file: string; readonly rows: number }) => void;
}

/** BM25 and dense ranks fused; the fused list is as long as the reader's top k. */
async function hybridRetriever(embedder: Embedder, topK: number | undefined): Promise<Retriever> {
  const { createHybridRetriever } = await import("@finemem/memory/hybrid");
  return createHybridRetriever({ embedder, ...(topK === undefined ? {} : { k: topK }) });
}

export interface BuildOptions {
  /** Resolves a local embedder folder given as `./…` or `../…`; default `process.cwd()`. */
  readonly cwd?: string;
  /** Read for `apiKeyEnv`; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** For tests: the fetch the models and hub use. */
  readonly fetch?: typeof fetch;
}

/** An API key given directly or through the environment variable `apiKeyEnv` names. */
function keyOf(
  role: ModelRole,
  model: { readonly apiKey?: string | undefined; readonly apiKeyEnv?: string | undefined },
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const apiKey = model.apiKey ?? (model.apiKeyEnv === undefined ? undefined : env[model.apiKeyEnv]);
  if (model.apiKeyEnv !== undefined && apiKey === undefined)
    throw new ConfigError(
      `models.${role}.apiKeyEnv`,
      "the name of a set environment variable",
      JSON.stringify(model.apiKeyEnv),
      "config",
    );
  return apiKey;
}

/**
 * The in-process embedder (`@finemem/memory/hybrid`, loaded only when asked for, with its optional
 * peers). A local folder given relative to the working directory is resolved against `cwd`.
 */
async function buildEmbedder(
  config: FineMemConfig,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
  fetchImpl: typeof fetch | undefined,
): Promise<Embedder> {
  const embedder = config.models.embedder;
  if (embedder === undefined)
    throw new ConfigError(
      "models.embedder",
      "an embedder (model: a hub repository id or a local folder) because reasoner.retrieval is hybrid",
      "nothing (the key is missing)",
      "default",
    );
  const { createTransformersEmbedder } = await import("@finemem/memory/hybrid");
  const accessToken = keyOf("embedder", embedder, env);
  return createTransformersEmbedder({
    model: /^\.{1,2}\//.test(embedder.model) ? resolve(cwd, embedder.model) : embedder.model,
    ...(embedder.baseUrl === undefined ? {} : { hubUrl: embedder.baseUrl }),
    ...(accessToken === undefined ? {} : { accessToken }),
    ...(embedder.revision === undefined ? {} : { revision: embedder.revision }),
    ...(embedder.cacheDir === undefined ? {} : { cacheDir: embedder.cacheDir }),
    ...(embedder.dtype === undefined ? {} : { dtype: embedder.dtype }),
    ...(embedder.threads === undefined ? {} : { threads: embedder.threads }),
    ...(fetchImpl === undefined ? {} : { fetch: fetchImpl }),
  });
}

/** Builds every component a run needs; a role the configuration asks for but does not define is a {@link ConfigError}. */
export async function buildComponents(config: FineMemConfig, options: BuildOptions = {}): Promise<RunComponents> {
  const env = options.env ?? process.env;
  const ledger = createUsageLedger(
    config.run.spendingCapUsd === undefined ? {} : { spendingCapUsd: config.run.spendingCapUsd },
  );
  const models: Partial<Record<ChatRole, OpenAICompatibleModel>> = {};
  for (const role of CHAT_ROLES) {
    const model = config.models[role];
    if (model === undefined) continue;
    const apiKey = keyOf(role, model, env);
    models[role] = createOpenAICompatibleModel({
      baseURL: model.baseUrl,
      model: model.model,
      role,
      ledger,
      ...(apiKey === undefined ? {} : { apiKey }),
      ...(model.engine === undefined ? {} : { engine: model.engine }),
      ...(model.timeoutMs === undefined ? {} : { timeoutMs: model.timeoutMs }),
      ...(model.concurrency === undefined ? {} : { concurrency: model.concurrency }),
      ...(model.pricing === undefined ? {} : { pricing: model.pricing }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    });
  }
  const need = (role: ChatRole, why: string): OpenAICompatibleModel => {
    const model = models[role];
    if (model === undefined)
      throw new ConfigError(
        `models.${role}`,
        `a model endpoint (baseUrl and model) because ${why}`,
        "nothing (the key is missing)",
        "default",
      );
    return model;
  };

  const promptHashes: Record<string, string> = {};
  let policy: MemoryPolicy;
  let readerTopK = config.reasoner.topK;
  const policyConfig = config.policy;
  let checkpoint: LoadedLearnedPolicy | undefined;
  if (policyConfig.kind === "heuristic") policy = createHeuristicPolicy();
  else if (policyConfig.kind === "learned") {
    if (policyConfig.checkpoint === undefined) {
      policy = await createLearnedPolicy({
        initSeed: policyConfig.initSeed ?? config.run.seed,
        ...(policyConfig.candidates === undefined ? {} : { candidates: policyConfig.candidates }),
        ...(policyConfig.hidden === undefined ? {} : { hidden: policyConfig.hidden }),
        ...(policyConfig.disabledFeatures === undefined ? {} : { disabledFeatures: policyConfig.disabledFeatures }),
      });
    } else {
      checkpoint = await loadLearnedPolicy({
        checkpoint: resolve(options.cwd ?? process.cwd(), policyConfig.checkpoint),
      });
      policy = checkpoint.policy;
    }
  } else if (policyConfig.kind === "baseline") {
    const prompted = policyConfig.name.startsWith("prompted-");
    const baseline = createBaseline(policyConfig.name, {
      ...(prompted ? { model: need("manager", `policy ${policyConfig.name} prompts a model`) } : {}),
      ...(policyConfig.longContextTokens === undefined ? {} : { longContextTokens: policyConfig.longContextTokens }),
    });
    policy = baseline.policy;
    readerTopK = baseline.readerTopK ?? readerTopK;
    if (prompted)
      promptHashes.manager = managerPromptHash(
        MANAGER_PROMPTS[policyConfig.name === "prompted-flat" ? "flat" : "memalpha"],
        "tools",
      );
  } else {
    // The served LLM manager (the schema's last kind).
    const prompt = policyConfig.prompt ?? "flat";
    const callStyle = policyConfig.callStyle ?? "tools";
    policy = createLlmMemoryPolicy({
      model: need("manager", "policy kind llm is a served model"),
      prompt,
      callStyle,
      sampling: {
        temperature: policyConfig.temperature ?? 0,
        ...(policyConfig.maxTokens === undefined ? {} : { maxTokens: policyConfig.maxTokens }),
      },
      logprobs: false,
    });
    promptHashes.manager = managerPromptHash(MANAGER_PROMPTS[prompt], callStyle);
  }

  const embedder =
    config.reasoner.retrieval === "hybrid"
      ? await buildEmbedder(config, env, options.cwd ?? process.cwd(), options.fetch)
      : undefined;
  const retriever = embedder === undefined ? undefined : await hybridRetriever(embedder, readerTopK);
  if (config.rewards.evidence === "cited" && config.reasoner.kind === "llm" && config.reasoner.cite === false) {
    // Every question would have no evidence and go to U: the attribution would be silently empty.
    throw new ConfigError(
      "rewards.evidence",
      'evidence "retrieved", or a reasoner that cites (reasoner.cite: true) for evidence "cited"',
      '"cited" with reasoner.cite false',
      "config",
    );
  }
  let reasoner: Reasoner;
  if (config.reasoner.kind === "extractive")
    reasoner = createExtractiveReader({
      ...(readerTopK === undefined ? {} : { topK: readerTopK }),
      ...(retriever === undefined ? {} : { retriever }),
    });
  else {
    const llm = createLlmReasoner({
      ...(retriever === undefined ? {} : { retriever }),
      model: need("reasoner", "reasoner kind llm is a served model"),
      sampling: { temperature: 0, maxTokens: config.reasoner.maxTokens ?? 256 },
      ...(readerTopK === undefined ? {} : { topK: readerTopK }),
      // Cited evidence asks the reader to cite unless the configuration said otherwise.
      ...(config.reasoner.cite === undefined
        ? config.rewards.evidence === "cited"
          ? { cite: true }
          : {}
        : { cite: config.reasoner.cite }),
    });
    reasoner = llm;
    promptHashes.reasoner = llm.promptHash;
  }

  const judge = models.judge;
  if (judge !== undefined) promptHashes.judge = JUDGE_PROMPT_HASH;
  let contentJudge: ContentValidityJudge | undefined;
  if (config.rewards.content > 0) {
    if (judge === undefined) {
      throw new ConfigError(
        "rewards.content",
        `a judge model (models.judge) for a content weight above 0, or rewards.content: 0`,
        `${config.rewards.content} with no models.judge`,
        "config",
      );
    }
    contentJudge = createContentValidityJudge({ model: judge });
    promptHashes.contentJudge = contentJudge.promptHash;
  }
  const metrics = new Map<string, Metric>();
  const metricFor = (instance: BenchmarkInstance): Metric => {
    let metric = metrics.get(instance.protocol);
    if (metric === undefined) {
      metric = createMetric(instance.protocol, judge === undefined ? {} : { judge });
      metrics.set(instance.protocol, metric);
    }
    return metric;
  };

  const modelIds: Record<string, string> = { manager: policy.policyId, reasoner: reasoner.reasonerId };
  for (const [role, model] of Object.entries(models)) modelIds[role] = model.modelId;
  if (embedder !== undefined) modelIds.embedder = embedder.modelId;

  async function* loadDataset(
    dataset: DatasetConfig,
    index: number,
    loadOptions: LoadInstancesOptions = {},
  ): AsyncIterable<BenchmarkInstance> {
    const { loader, request } = loaderOf(dataset, index, options.fetch, loadOptions);
    yield* loader.load(request, loadOptions.signal === undefined ? {} : { signal: loadOptions.signal });
  }

  return {
    models,
    embedder,
    ledger,
    policy,
    checkpoint,
    reasoner,
    contentJudge,
    metricFor,
    modelIds,
    promptHashes,
    async *loadInstances(loadOptions = {}) {
      for (const [index, dataset] of config.datasets.entries()) yield* loadDataset(dataset, index, loadOptions);
    },
    loadDataset,
  };
}

function loaderOf(
  dataset: DatasetConfig,
  index: number,
  fetchImpl: typeof fetch | undefined,
  loadOptions: LoadInstancesOptions,
): { loader: DatasetLoader; request: { dataSources?: readonly string[]; limit?: number } } {
  const { onWarning, onFile } = loadOptions;
  const warnings = onWarning === undefined ? {} : { onWarning };
  // The loaders report each file as it opens; a limit caps what the dataset gives over all its files.
  let left = "limit" in dataset && dataset.limit !== undefined ? dataset.limit : Number.POSITIVE_INFINITY;
  const progress =
    onFile === undefined
      ? {}
      : {
          onProgress: (event: LoadProgress) => {
            if (event.kind !== "file") return;
            const rows = Math.min(event.keptRows, left);
            left -= rows;
            onFile({ file: event.file, rows });
          },
        };
  if (dataset.kind === "synthetic") {
    const loader = createSyntheticLoader({
      ...(dataset.seed === undefined ? {} : { seed: dataset.seed }),
      ...(dataset.instances === undefined ? {} : { instanceCount: dataset.instances }),
      ...(dataset.chunks === undefined ? {} : { chunkCount: dataset.chunks }),
      ...(dataset.factsPerChunk === undefined ? {} : { factsPerChunk: dataset.factsPerChunk }),
      ...(dataset.questionsPerChunk === undefined ? {} : { questionsPerChunk: dataset.questionsPerChunk }),
      ...(dataset.changedShare === undefined ? {} : { changedShare: dataset.changedShare }),
      ...(dataset.distractorShare === undefined ? {} : { distractorShare: dataset.distractorShare }),
      ...(dataset.paraphraseShare === undefined ? {} : { paraphraseShare: dataset.paraphraseShare }),
    });
    return { loader, request: {} };
  }
  const hub = { ...(dataset.hub ?? {}), ...(fetchImpl === undefined ? {} : { fetch: fetchImpl }) };
  const request = {
    ...(dataset.dataSources === undefined ? {} : { dataSources: dataset.dataSources }),
    ...(dataset.limit === undefined ? {} : { limit: dataset.limit }),
  };
  if (dataset.kind === "memoryagentbench") {
    const loader = createMemoryAgentBenchLoader({
      ...warnings,
      ...progress,
      ...(dataset.file === undefined ? { hub } : { source: createSingleFileSource({ path: dataset.file }) }),
      ...(dataset.splits === undefined ? {} : { splits: dataset.splits }),
      ...(dataset.split === undefined ? {} : { split: dataset.split }),
      ...(dataset.chunkTokens === undefined ? {} : { chunkTokens: dataset.chunkTokens }),
    });
    return { loader, request };
  }
  if (dataset.kind === "memalpha") {
    const loader = createMemalphaLoader({
      ...warnings,
      ...progress,
      hub,
      ...(dataset.repo === undefined ? {} : { repo: dataset.repo }),
      ...(dataset.split === undefined ? {} : { split: dataset.split }),
    });
    return { loader, request };
  }
  throw new ConfigError(
    `datasets[${index}].kind`,
    "synthetic, memoryagentbench or memalpha",
    JSON.stringify((dataset as { kind: unknown }).kind),
    "config",
  );
}

/** The episodes' reward settings of the configuration (`eval` and `train` alike), with the content judge when weighted. */
export function rewardOptionsOf(
  config: FineMemConfig,
  components: Pick<RunComponents, "contentJudge">,
): EpisodeRewardOptions {
  return {
    weights: {
      beta: config.rewards.beta,
      chunk: config.rewards.chunk,
      compression: config.rewards.compression,
      content: config.rewards.content,
    },
    provenance: config.rewards.provenance,
    evidence: config.rewards.evidence,
    skipSucceeds: config.rewards.skipSucceeds,
    questionFraction: config.rewards.questionFraction,
    ...(components.contentJudge === undefined ? {} : { contentJudge: components.contentJudge }),
  };
}

/** The commands whose runs record a configuration. */
export type RunCommand = "eval" | "train";

/**
 * The configuration as the manifest records it: API keys removed, so a manifest can be shared. A run
 * leaves out the sections of other commands (an evaluation the `train` and `serve` sections, which it
 * does not read, and which manifests written before those commands existed lack, so their runs keep
 * resuming).
 */
export function recordedConfig(config: FineMemConfig, command: RunCommand = "eval"): JsonValue {
  const models = Object.fromEntries(
    Object.entries(config.models).map(([role, model]) => [
      role,
      model === undefined ? undefined : { ...model, apiKey: model.apiKey === undefined ? undefined : "(set)" },
    ]),
  );
  const { train, serve: _serve, ...shared } = config;
  return JSON.parse(JSON.stringify({ ...shared, ...(command === "train" ? { train } : {}), models })) as JsonValue;
}

/**
 * The run id the same configuration always gets, so running the same command again resumes the run:
 * `<command>-` and a hash of everything that changes results (not where files go, concurrency, or the report).
 */
export function defaultRunId(config: FineMemConfig, command: RunCommand = "eval"): string {
  const { out: _out, id: _id, concurrency: _concurrency, ...run } = config.run;
  const relevant = {
    ...(recordedConfig({ ...config, report: { html: true, worstQuestions: 10 } }, command) as object),
    run,
  };
  return `${command}-${createHash("sha256").update(canonicalJson(relevant)).digest("hex").slice(0, 12)}`;
}

/**
 * The run's concurrency with the episodes in flight filled in when the configuration names none: 2
 * when a model is called over HTTP (one episode's model latency overlaps another's work), else 1.
 * In-process episodes (the heuristic or a learned policy, the extractive reader) share one thread, so
 * a second one in flight adds a second instance's memory (a multi-megabyte context and its store) and
 * no speed.
 */
export function runConcurrencyOf(
  config: FineMemConfig,
  components: RunComponents,
): { readonly episodes: number; readonly questions: number } {
  return {
    ...config.run.concurrency,
    episodes: config.run.concurrency.episodes ?? defaultEpisodesInFlight(components),
  };
}

/** Episodes in flight when the configuration names none (see {@link runConcurrencyOf}). */
export function defaultEpisodesInFlight(components: RunComponents): number {
  return Object.keys(components.models).length > 0 ? 2 : 1;
}
