import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { createInMemoryStore, type MemoryBackend } from "@finemem/memory";
import type {
  BenchmarkInstance,
  JsonValue,
  MemoryPolicy,
  Metric,
  Reasoner,
  RunManifest,
  StepRecord,
} from "@finemem/spec";
import { encodeJsonlLine, mapWithConcurrency, positiveInteger } from "@finemem/utils";
import { createMemoryCheckpoint } from "../episode/episode-checkpoint.js";
import { type EpisodeResult, type EpisodeRewardOptions, runEpisode } from "../episode/run-episode.js";
import { openEpisodeJournal } from "./episode-journal.js";
import { episodeLineOf, questionLinesOf, summarize } from "./run-aggregates.js";
import { invalidRunOption, RunError } from "./run-error.js";
import { type EpisodeLine, type QuestionResultLine, RUN_FILES, type RunSummary } from "./run-files.js";
import { datasetsOf, openRunManifest } from "./run-manifest.js";
import { writeAtomically } from "./write-atomically.js";

/** The parts of the run manifest only the caller knows. */
export interface ManifestDetails {
  /** Model id per role. */
  readonly models?: { readonly [role: string]: string };
  readonly promptHashes?: { readonly [prompt: string]: string };
  /** The effective configuration; a run directory only resumes a run of the same configuration. */
  readonly config?: JsonValue;
}

/** Where an evaluation reports finished work (a progress bar, a log). */
export interface EvaluationProgress {
  setTotal(total: number): void;
  advance(count?: number): void;
  /** Work finished by an earlier process and replayed from its journal. */
  skip(count: number): void;
}

export interface EvaluateOptions {
  readonly runId: string;
  readonly instances: Iterable<BenchmarkInstance> | AsyncIterable<BenchmarkInstance>;
  /** The memory manager, or one per episode (e.g. a sampled LLM policy seeded per rollout). */
  readonly policy: MemoryPolicy | ((instance: BenchmarkInstance, rollout: number) => MemoryPolicy);
  readonly reasoner: Reasoner;
  /** When given, the run's files are written there and a restarted run resumes from its journals. */
  readonly runDir?: string;
  /** Recorded in the manifest and seeds question subsampling. Default `runId`. */
  readonly seed?: string;
  readonly manifest?: ManifestDetails;
  /** Rollouts per instance (default 1). Each starts from an empty memory. */
  readonly rollouts?: number;
  /** Episodes in flight at once (default 2) and reasoner calls in flight per episode (default 8). */
  readonly concurrency?: { readonly episodes?: number; readonly questions?: number };
  readonly rewards?: EpisodeRewardOptions;
  /** The metric, or one per instance (e.g. with a judge for judged sources); default the instance protocol's scorer. */
  readonly metric?: Metric | ((instance: BenchmarkInstance) => Metric);
  /** A fresh store per episode; default in-memory in the policy's layout. */
  readonly openStore?: (
    instance: BenchmarkInstance,
    rollout: number,
    policy: MemoryPolicy,
  ) => MemoryBackend | Promise<MemoryBackend>;
  readonly progress?: EvaluationProgress;
  /** Called as each episode finishes (in completion order). */
  readonly onEpisode?: (episode: EpisodeResult) => void;
  readonly signal?: AbortSignal;
}

export interface Evaluation {
  readonly runId: string;
  readonly runDir: string | undefined;
  readonly manifest: RunManifest;
  readonly summary: RunSummary;
  readonly episodes: readonly EpisodeLine[];
  readonly results: readonly QuestionResultLine[];
  readonly steps: readonly StepRecord[];
}

/**
 * Evaluates a memory manager: every instance × rollout runs as an episode (see `runEpisode`), the
 * per-question scores are averaged per instance, data source and competency, and every step's
 * reward components are kept. With `runDir`, each episode journals its finished steps and questions
 * as it goes, so a run killed at any point and started again with the same options makes no policy
 * or reasoner call for finished work, and writes the same files.
 */
export async function evaluate(options: EvaluateOptions): Promise<Evaluation> {
  const rollouts = positiveInteger("rollouts", options.rollouts ?? 1, invalidRunOption);
  const episodesInFlight = positiveInteger(
    "concurrency.episodes",
    options.concurrency?.episodes ?? 2,
    invalidRunOption,
  );
  const instances: BenchmarkInstance[] = [];
  for await (const instance of options.instances) instances.push(instance);
  if (instances.length === 0)
    throw new RunError("no_instances", "the datasets gave no instance to evaluate", ["datasets"]);
  const seen = new Set<string>();
  for (const instance of instances) {
    if (seen.has(instance.instanceId))
      throw new RunError(
        "invalid_option",
        `instance ${instance.instanceId} appears twice; instance ids name journal files and must be unique`,
        ["instances"],
      );
    seen.add(instance.instanceId);
  }
  const policyFor = typeof options.policy === "function" ? options.policy : () => options.policy as MemoryPolicy;
  const fraction = options.rewards?.questionFraction ?? 1;
  const questionsOf = (instance: BenchmarkInstance) =>
    fraction === 1
      ? instance.questions.length
      : Math.min(instance.questions.length, Math.max(1, Math.round(fraction * instance.questions.length)));
  options.progress?.setTotal(
    instances.reduce((sum, instance) => sum + (instance.chunks.length + questionsOf(instance)) * rollouts, 0),
  );

  const manifest = await openRunManifest({
    runId: options.runId,
    runDir: options.runDir,
    seed: options.seed ?? options.runId,
    details: options.manifest,
    datasets: datasetsOf(instances),
  });
  const journalDir = options.runDir === undefined ? undefined : join(options.runDir, RUN_FILES.journal);
  if (journalDir !== undefined) await mkdir(journalDir, { recursive: true });

  const work = instances.flatMap((instance) =>
    Array.from({ length: rollouts }, (_, rollout) => ({ instance, rollout })),
  );
  const finished = await mapWithConcurrency(
    work,
    episodesInFlight,
    async ({ instance, rollout }) => {
      const policy = policyFor(instance, rollout);
      const checkpoint =
        journalDir === undefined
          ? createMemoryCheckpoint()
          : await openEpisodeJournal(join(journalDir, `${instance.instanceId}.r${rollout}.jsonl`));
      const store = await (options.openStore?.(instance, rollout, policy) ??
        createInMemoryStore({ layout: policy.layout }));
      try {
        const episode = await runEpisode({
          instance,
          policy,
          reasoner: options.reasoner,
          store,
          runId: options.runId,
          rollout,
          seed: manifest.seed,
          checkpoint,
          ...(options.metric === undefined
            ? {}
            : { metric: typeof options.metric === "function" ? options.metric(instance) : options.metric }),
          ...(options.rewards === undefined ? {} : { rewards: options.rewards }),
          ...(options.concurrency?.questions === undefined ? {} : { concurrency: options.concurrency.questions }),
          ...(options.signal === undefined ? {} : { signal: options.signal }),
          onProgress: (event) => (event.resumed ? options.progress?.skip(1) : options.progress?.advance(1)),
        });
        options.onEpisode?.(episode);
        return { episode: episodeLineOf(episode), results: questionLinesOf(episode), steps: episode.stepRecords };
      } finally {
        await store.close();
      }
    },
    options.signal,
  );

  // Files are written from the episodes in dataset order, so they do not depend on which episode
  // finished first, and a resumed run writes the same bytes as an uninterrupted one.
  const episodes = finished.map((entry) => entry.episode);
  const results = finished.flatMap((entry) => entry.results);
  const steps = finished.flatMap((entry) => entry.steps);
  const summary = summarize(options.runId, episodes, results);
  if (options.runDir !== undefined) {
    await writeAtomically(join(options.runDir, RUN_FILES.steps), steps.map(encodeJsonlLine).join(""));
    await writeAtomically(join(options.runDir, RUN_FILES.results), results.map(encodeJsonlLine).join(""));
    await writeAtomically(join(options.runDir, RUN_FILES.episodes), episodes.map(encodeJsonlLine).join(""));
    await writeAtomically(join(options.runDir, RUN_FILES.summary), `${JSON.stringify(summary, null, 2)}\n`);
  }
  return { runId: options.runId, runDir: options.runDir, manifest, summary, episodes, results, steps };
}
