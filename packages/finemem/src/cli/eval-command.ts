import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { BenchmarkInstance } from "@finemem/spec";
import { buildComponents, defaultRunId, type RunComponents, recordedConfig } from "../config/build-components.js";
import type { FineMemConfig } from "../config/config-schema.js";
import { ConfigError } from "../config/load-config.js";
import { buildDatasetChunkQa } from "../data/build-dataset-chunk-qa.js";
import { writeReport } from "../report/write-report.js";
import { type Evaluation, evaluate } from "../run/evaluate.js";
import { createProgressReporter } from "../run/progress-reporter.js";
import { RUN_FILES } from "../run/run-files.js";
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

export interface EvalCommandOptions {
  /** Draw no progress bar. */
  readonly quiet?: boolean;
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
  const progress = createProgressReporter({
    label: "eval",
    total: 0,
    stream: options.quiet === true ? null : io.stderr,
    usage: () => {
      const total = components.ledger.snapshot().total;
      return { tokens: total.promptTokens + total.completionTokens, costUsd: total.costUsd };
    },
  });
  const loaded = components.loadInstances({
    onWarning: (message) => writeLine(io.stderr, `warning: ${message}`),
    ...(io.signal === undefined ? {} : { signal: io.signal }),
  });
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
    concurrency: config.run.concurrency,
    rewards: {
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
    },
    manifest: { models: components.modelIds, promptHashes: components.promptHashes, config: recordedConfig(config) },
    progress,
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
