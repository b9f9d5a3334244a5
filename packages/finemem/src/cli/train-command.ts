import { existsSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import type { KernelBackend } from "@finemem/kernels";
import type { LearnedPolicy } from "@finemem/learned-policy";
import {
  type BaselineName,
  createBaseline,
  createExtractiveReader,
  createHeuristicPolicy,
  createLlmMemoryPolicy,
} from "@finemem/policy";
import type { BenchmarkInstance, JsonValue, MemoryPolicy, Reasoner } from "@finemem/spec";
import { type LocalTrainerConfig, resolveLocalTrainerConfig, TrainerError } from "@finemem/trainer";
import {
  buildComponents,
  defaultRunId,
  type RunComponents,
  recordedConfig,
  rewardOptionsOf,
  runConcurrencyOf,
} from "../config/build-components.js";
import type { DatasetConfig, FineMemConfig } from "../config/config-schema.js";
import { ConfigError } from "../config/load-config.js";
import { writeReport } from "../report/write-report.js";
import { datasetsOf } from "../run/run-manifest.js";
import { createExternalTrainee, type ExternalTraineeOptions } from "../train/external-trainee.js";
import { createLearnedTrainee } from "../train/learned-trainee.js";
import { type TrainingRun, train } from "../train/train.js";
import { TRAIN_FILES } from "../train/train-files.js";
import type { TraineeFactory } from "../train/trainee.js";
import { trainingDatasets, trainingInstances } from "../train/training-instances.js";
import { type CliIo, writeLine } from "./cli-io.js";
import { createTrainProgressPrinter } from "./train-progress.js";

/**
 * What `finemem train` uses where the configuration says nothing (under the file, the environment
 * and the flags): the learned policy, trained on generated synthetic instances (the defaults, and
 * every fact changing amid distractors, in turn), with evidence anchored on the items the extractive
 * reader cites and no compression term (with w_comp > 0 the learned policy learns to overwrite
 * unrelated items, which the compression term pays and no step's evidence charges: see
 * @finemem/learned-policy's README).
 */
export const TRAIN_CONFIG_DEFAULTS: Readonly<Record<string, unknown>> = Object.freeze({
  policy: { kind: "learned" },
  datasets: [
    { kind: "synthetic", seed: "train" },
    { kind: "synthetic", seed: "train-hard", changedShare: 1, distractorShare: 0.5 },
  ],
  rewards: { evidence: "cited", compression: 0 },
});

export interface TrainCommandOptions {
  readonly quiet?: boolean;
}

/** The trainer hyperparameters of the configuration, checked by @finemem/trainer; a bad one names its key. */
function trainerConfigOf(config: FineMemConfig): LocalTrainerConfig {
  try {
    return resolveLocalTrainerConfig(config.train.trainer as Partial<LocalTrainerConfig>);
  } catch (error) {
    if (!(error instanceof TrainerError)) throw error;
    const key = String(error.path[0] ?? "");
    throw new ConfigError(
      `train.trainer${key === "" ? "" : `.${key}`}`,
      error.message,
      JSON.stringify(config.train.trainer[key]),
      "config",
      error,
    );
  }
}

/** A sampling seed as the integer an LLM endpoint takes (FNV-1a of the text). */
function integerSeed(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

async function traineeOf(
  config: FineMemConfig,
  components: RunComponents,
  runDir: string,
  cwd: string,
): Promise<{ trainee: TraineeFactory; backend: KernelBackend | undefined }> {
  const policyConfig = config.policy;
  const trainer = trainerConfigOf(config);
  if (config.train.backend === "external") {
    let policy: Pick<ExternalTraineeOptions, "sample" | "evaluation" | "replayValidator" | "description">;
    if (policyConfig.kind === "llm") {
      const model = components.models.manager!;
      const prompt = policyConfig.prompt ?? "flat";
      policy = {
        description: { kind: "llm", model: model.modelId, prompt },
        // Sampled with the rollout's seed, recording what the engine needs to train on the samples.
        sample: (seed) =>
          createLlmMemoryPolicy({
            model,
            prompt,
            callStyle: policyConfig.callStyle ?? "tools",
            sampling: {
              temperature: policyConfig.temperature ?? 1,
              seed: integerSeed(seed),
              ...(policyConfig.maxTokens === undefined ? {} : { maxTokens: policyConfig.maxTokens }),
            },
            logprobs: true,
            returnTokenIds: true,
          }),
        evaluation: () => components.policy,
      };
    } else if (policyConfig.kind === "learned") {
      const learned = components.policy as LearnedPolicy;
      policy = {
        description: { kind: "learned", config: learned.config as unknown as JsonValue },
        replayValidator: learned.replayValidator,
        sample: (seed) => learned.withSampling(seed),
        evaluation: () => learned.greedy(),
      };
    } else throw untrainable(policyConfig.kind);
    const formats = config.train.export.formats;
    return {
      backend: undefined,
      trainee: createExternalTrainee({
        ...policy,
        directory: resolve(cwd, config.train.export.dir ?? join(runDir, "export")),
        ...(formats === undefined ? {} : { formats }),
        grouping: trainer.grouping,
      }),
    };
  }
  if (policyConfig.kind !== "learned") throw untrainable(policyConfig.kind);
  let backend: KernelBackend | undefined;
  if (config.train.backend === "webgpu") {
    const { createNodeWebGpuBackend } = await import("@finemem/kernels/node");
    backend = await createNodeWebGpuBackend();
  }
  // The configured policy as buildComponents made it (freshly initialised, or a checkpoint's to
  // fine-tune): the trainee starts from its configuration and parameters, with a fresh optimiser.
  const configured = components.policy as LearnedPolicy;
  const policy = { ...configured.config, parameters: await configured.parameterValues() };
  return {
    backend,
    trainee: createLearnedTrainee({ policy, trainer, seed: config.run.seed, backend }),
  };
}

function untrainable(kind: string): ConfigError {
  return new ConfigError(
    "policy.kind",
    'a policy that learns: "learned" (backends cpu, webgpu, external), or "llm" with train.backend external (an engine such as verl trains it)',
    JSON.stringify(kind),
    "config",
  );
}

/** The baselines of the held-out comparison, each with the reader it is evaluated with. */
function baselinesOf(
  config: FineMemConfig,
  reasoner: Reasoner,
): { name: string; policy: MemoryPolicy; reasoner: Reasoner }[] {
  return config.train.baselines.map((name) => {
    if (name === "heuristic") return { name, policy: createHeuristicPolicy(), reasoner };
    const baseline = createBaseline(name as BaselineName);
    const own =
      baseline.readerTopK !== undefined && config.reasoner.kind === "extractive"
        ? createExtractiveReader({ topK: baseline.readerTopK })
        : reasoner;
    return { name, policy: baseline.policy, reasoner: own };
  });
}

/**
 * The name of each held-out dataset's set in `evaluations.jsonl` and `baselines.jsonl`: a synthetic
 * set by its seed, a file by its name without the extension, otherwise the dataset's kind (and split, when given);
 * a name already taken gets `#<position>` (1-based).
 */
export function heldoutSetNames(datasets: readonly DatasetConfig[]): string[] {
  const names: string[] = [];
  for (const [index, dataset] of datasets.entries()) {
    let name: string;
    if (dataset.kind === "synthetic") name = `synthetic:${dataset.seed ?? "default"}`;
    else if (dataset.kind === "memoryagentbench" && dataset.file !== undefined)
      name = basename(dataset.file).replace(/\.(jsonl|parquet)$/, "");
    else name = dataset.split === undefined ? dataset.kind : `${dataset.kind}:${dataset.split}`;
    names.push(names.includes(name) ? `${name}#${index + 1}` : name);
  }
  return names;
}

const score = (value: number | null | undefined) => (value === null || value === undefined ? "—" : value.toFixed(3));

/**
 * `finemem train`: trains the configured policy (by default the learned policy on generated
 * synthetic instances), evaluating it on the held-out sets as it goes, in `<run.out>/<run id>/`;
 * prints the held-out score before and after training and writes the report. The same command again
 * resumes the run from its latest checkpoint.
 */
export async function trainCommand(
  config: FineMemConfig,
  io: CliIo,
  options: TrainCommandOptions = {},
): Promise<TrainingRun> {
  const datasets = trainingDatasets(config.datasets);
  if (config.policy.kind === "llm" && config.train.backend !== "external") throw untrainable("llm");
  const components = await buildComponents(config, {
    env: io.env,
    cwd: io.cwd,
    ...(io.fetch === undefined ? {} : { fetch: io.fetch }),
  });
  const runId = config.run.id ?? defaultRunId(config, "train");
  const runDir = resolve(io.cwd, config.run.out, runId);
  writeLine(
    io.stderr,
    `finemem train: run ${runId} in ${runDir} (policy ${config.policy.kind}, backend ${config.train.backend}, reasoner ${components.reasoner.reasonerId})`,
  );
  const load = {
    onWarning: (message: string) => writeLine(io.stderr, `warning: ${message}`),
    ...(io.signal === undefined ? {} : { signal: io.signal }),
  };
  const heldout: BenchmarkInstance[] = [];
  const setNames = heldoutSetNames(config.train.heldout);
  const setOfInstance = new Map<string, string>();
  for (const [index, dataset] of config.train.heldout.entries())
    for await (const instance of components.loadDataset(dataset, index, load)) {
      heldout.push(instance);
      setOfInstance.set(instance.instanceId, setNames[index]!);
    }
  const instances = trainingInstances({
    datasets,
    instancesPerUpdate: config.train.instancesPerUpdate,
    seed: config.run.seed,
    components,
    load,
  });
  // The manifest lists the held-out files and each training dataset's (its first draw: a synthetic
  // dataset's generator revision and knobs, a Memalpha file's revision and sha256).
  const firstDraws = await Promise.all(datasets.map((_, index) => instances(index + 1)));
  const { trainee, backend } = await traineeOf(config, components, runDir, io.cwd);
  const printer = createTrainProgressPrinter({ stream: options.quiet === true ? null : io.stderr });
  const runFolderExisted = existsSync(runDir);
  let run: TrainingRun;
  try {
    run = await train({
      runId,
      runDir,
      seed: config.run.seed,
      updates: config.train.updates,
      rollouts: config.train.rollouts,
      instances,
      datasets: datasetsOf([...heldout, ...firstDraws.flat()]),
      trainee,
      reasoner: components.reasoner,
      metric: components.metricFor,
      rewards: rewardOptionsOf(config, components),
      heldout: {
        instances: heldout,
        every: config.train.evalEvery,
        baselines: baselinesOf(config, components.reasoner),
        setOf: (instance) => setOfInstance.get(instance.instanceId)!,
        // What `finemem eval --heldout` evaluates on: these datasets with this reasoner.
        description: {
          datasets: config.train.heldout as unknown as JsonValue,
          reasoner: config.reasoner as unknown as JsonValue,
        },
      },
      checkpointEvery: config.train.checkpointEvery,
      manifest: {
        models: components.modelIds,
        promptHashes: components.promptHashes,
        config: recordedConfig(config, "train"),
      },
      concurrency: runConcurrencyOf(config, components),
      progress: printer,
      ...(io.signal === undefined ? {} : { signal: io.signal }),
    });
  } catch (error) {
    printer.finish();
    if (!runFolderExisted && !existsSync(runDir))
      writeLine(io.stderr, `finemem train: nothing was written (${runDir} was not created)`);
    throw error;
  } finally {
    backend?.dispose();
  }
  printer.finish();
  const before = run.evaluations.find((line) => line.update === 0);
  const after = run.evaluations.at(-1);
  writeLine(
    io.stdout,
    `finemem train · run ${runId} · policy ${config.policy.kind} · backend ${config.train.backend} · ${run.updates.length} updates`,
  );
  writeLine(
    io.stdout,
    `held-out score: ${score(before?.score)} before training, ${score(after?.score)} after ${after?.update ?? 0} updates`,
  );
  if (run.baselines.length > 0)
    writeLine(io.stdout, `baselines: ${run.baselines.map((line) => `${line.name} ${score(line.score)}`).join(", ")}`);
  writeLine(io.stdout);
  writeLine(io.stdout, `updates (trainer metrics, reward means): ${join(runDir, TRAIN_FILES.updates)}`);
  writeLine(io.stdout, `steps (every reward component): ${join(runDir, TRAIN_FILES.steps)}`);
  writeLine(io.stdout, `held-out evaluations: ${join(runDir, TRAIN_FILES.evaluations)}`);
  if (run.checkpoint !== undefined) writeLine(io.stdout, `checkpoint: ${run.checkpoint}`);
  if (config.report.html) writeLine(io.stdout, `report: ${await writeReport(runDir)}`);
  return run;
}
