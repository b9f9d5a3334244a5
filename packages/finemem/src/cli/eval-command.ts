import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { BenchmarkInstance } from "@finemem/spec";
import { z } from "zod";
import {
  buildComponents,
  defaultRunId,
  type RunComponents,
  recordedConfig,
  rewardOptionsOf,
  runConcurrencyOf,
} from "../config/build-components.js";
import { datasetSchema, type FineMemConfig, reasonerSchema } from "../config/config-schema.js";
import { ConfigError } from "../config/load-config.js";
import { buildDatasetChunkQa } from "../data/build-dataset-chunk-qa.js";
import { writeReport } from "../report/write-report.js";
import { type Evaluation, evaluate } from "../run/evaluate.js";
import { createProgressReporter } from "../run/progress-reporter.js";
import { RUN_FILES } from "../run/run-files.js";
import { readTrainingCheckpoint, resolveCheckpointFolder } from "../train/training-checkpoint.js";
import { type CliIo, writeLine } from "./cli-io.js";
import { formatResultsTable } from "./results-table.js";

/**
 * With `chunkQa.cache` set, each chunk gets its verified questions from the cache (built there and
 * then by the configured generator and verifier for chunks it lacks), so r_chunk is measured.
 */
async function withCachedChunkQuestions(
  config: FineMemConfig,
  components: RunComponents,
  instances: AsyncIterable<BenchmarkInstance>,
  io: CliIo,
): Promise<readonly BenchmarkInstance[]> {
  const model = (role: "generator" | "verifier") => {
    const found = components.models[role];
    if (found === undefined)
      throw new ConfigError(
        `models.${role}`,
        `a model endpoint (baseUrl and model) because chunkQa.cache is set`,
        "nothing (the key is missing)",
        "default",
      );
    return found;
  };
  const built = await buildDatasetChunkQa({
    instances,
    generator: model("generator"),
    verifier: model("verifier"),
    cachePath: resolve(io.cwd, config.chunkQa.cache!),
    options: { questionsPerChunk: config.chunkQa.perChunk, candidatesPerChunk: config.chunkQa.candidates },
    confirm: async () => true,
    stream: null,
    ...(io.signal === undefined ? {} : { signal: io.signal }),
  });
  writeLine(io.stderr, `chunk questions: ${built.cachedChunks} chunks from the cache, ${built.builtChunks} built`);
  return built.instances;
}

/** Passes the instances through, counting them in `counter.read` and setting `complete` at the end. */
async function* countRead(
  instances: AsyncIterable<BenchmarkInstance>,
  counter: { read: number; complete: boolean },
): AsyncIterable<BenchmarkInstance> {
  for await (const instance of instances) {
    counter.read += 1;
    yield instance;
  }
  counter.complete = true;
}

export interface EvalCommandOptions {
  /** Draw no progress bar. */
  readonly quiet?: boolean;
  /** Evaluate on the held-out datasets and with the reader the learned policy's training run recorded. */
  readonly heldout?: boolean;
}

/**
 * The configuration `finemem eval` runs: a learned policy's `--checkpoint` given as a run folder
 * names its latest checkpoint folder (so the run id changes when a newer checkpoint is evaluated),
 * and `--heldout` takes the datasets and the reader from that checkpoint.
 */
async function withCheckpoint(config: FineMemConfig, cwd: string, heldout: boolean): Promise<FineMemConfig> {
  const policy = config.policy;
  if (policy.kind !== "learned" || policy.checkpoint === undefined) {
    if (heldout)
      throw new ConfigError(
        "policy.checkpoint",
        "a training checkpoint (--checkpoint <folder>) for --heldout, whose held-out settings it reads",
        policy.kind === "learned" ? "nothing (the key is missing)" : `policy kind ${JSON.stringify(policy.kind)}`,
        "flag --heldout",
      );
    return config;
  }
  const folder = await resolveCheckpointFolder(resolve(cwd, policy.checkpoint));
  const resolved: FineMemConfig = { ...config, policy: { ...policy, checkpoint: folder } };
  if (!heldout) return resolved;
  const { description } = await readTrainingCheckpoint(folder);
  const recorded = description.evaluation as { datasets?: unknown; reasoner?: unknown } | null;
  const datasets = z.array(datasetSchema).min(1).safeParse(recorded?.datasets);
  const reasoner = reasonerSchema.safeParse(recorded?.reasoner);
  if (!datasets.success || !reasoner.success)
    throw new ConfigError(
      "policy.checkpoint",
      "a checkpoint of finemem train, which records its held-out datasets and reader (evaluation.datasets, evaluation.reasoner)",
      `${folder} without them`,
      "flag --heldout",
    );
  return { ...resolved, datasets: datasets.data, reasoner: reasoner.data };
}

/**
 * `finemem eval`: builds the policy, reasoner and datasets from the configuration, runs (or resumes)
 * the evaluation in `<run.out>/<run id>/`, prints the results table and writes the HTML report.
 */
export async function evalCommand(
  config: FineMemConfig,
  io: CliIo,
  options: EvalCommandOptions = {},
): Promise<Evaluation> {
  config = await withCheckpoint(config, io.cwd, options.heldout === true);
  const components = await buildComponents(config, {
    env: io.env,
    cwd: io.cwd,
    ...(io.fetch === undefined ? {} : { fetch: io.fetch }),
  });
  const runId = config.run.id ?? defaultRunId(config);
  const runDir = resolve(io.cwd, config.run.out, runId);
  writeLine(
    io.stderr,
    `finemem eval: run ${runId} in ${runDir} (policy ${components.policy.policyId}, reasoner ${components.reasoner.reasonerId})`,
  );
  // Instances are read as the run goes: the bar counts those read against the rows of the files
  // opened so far (from their footers), `+` while more files may follow.
  const instances = { read: 0, known: 0, counted: false, complete: false };
  const progress = createProgressReporter({
    label: "eval",
    total: 0,
    stream: options.quiet === true ? null : io.stderr,
    usage: () => {
      const total = components.ledger.snapshot().total;
      return { tokens: total.promptTokens + total.completionTokens, costUsd: total.costUsd };
    },
    segments: () =>
      instances.counted
        ? [`instances ${instances.read}/${Math.max(instances.known, instances.read)}${instances.complete ? "" : "+"}`]
        : [],
  });
  const loaded = countRead(
    components.loadInstances({
      onWarning: (message) => writeLine(io.stderr, `warning: ${message}`),
      onFile: ({ rows }) => {
        instances.counted = true;
        instances.known += rows;
      },
      ...(io.signal === undefined ? {} : { signal: io.signal }),
    }),
    instances,
  );
  const runFolderExisted = existsSync(runDir);
  const evaluation = await evaluate({
    runId,
    runDir,
    instances:
      config.chunkQa.cache === undefined ? loaded : await withCachedChunkQuestions(config, components, loaded, io),
    policy: components.policy,
    reasoner: components.reasoner,
    metric: components.metricFor,
    seed: config.run.seed,
    rollouts: config.run.rollouts,
    concurrency: runConcurrencyOf(config, components),
    rewards: rewardOptionsOf(config, components),
    manifest: { models: components.modelIds, promptHashes: components.promptHashes, config: recordedConfig(config) },
    progress,
    // The step records are in steps.jsonl; holding them too would grow with the split.
    retainSteps: false,
    ...(io.signal === undefined ? {} : { signal: io.signal }),
  }).catch((error: unknown) => {
    progress.finish();
    // The first line named the run folder; a run that failed before creating it must not send the
    // user looking for it.
    if (!runFolderExisted && !existsSync(runDir))
      writeLine(io.stderr, `finemem eval: nothing was written (${runDir} was not created)`);
    throw error;
  });
  progress.finish();
  writeLine(
    io.stdout,
    `finemem eval · run ${runId} · policy ${evaluation.summary.policyId} · reasoner ${evaluation.summary.reasonerId}`,
  );
  writeLine(io.stdout, formatResultsTable(evaluation.summary));
  writeLine(io.stdout);
  writeLine(io.stdout, `steps (every reward component): ${join(runDir, RUN_FILES.steps)}`);
  writeLine(io.stdout, `results: ${join(runDir, RUN_FILES.results)}`);
  if (config.report.html)
    writeLine(io.stdout, `report: ${await writeReport(runDir, { worstQuestions: config.report.worstQuestions })}`);
  return evaluation;
}
