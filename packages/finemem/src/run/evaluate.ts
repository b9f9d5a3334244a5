import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { createInMemoryStore, type MemoryBackend } from "@finemem/memory";
import {
  type BenchmarkInstance,
  type JsonValue,
  type MemoryPolicy,
  type Metric,
  type Reasoner,
  type RunManifest,
  type StepRecord,
  throwIfAborted,
} from "@finemem/spec";
import { encodeJsonlLine, positiveInteger } from "@finemem/utils";
import { createMemoryCheckpoint } from "../episode/episode-checkpoint.js";
import { type EpisodeResult, type EpisodeRewardOptions, runEpisode } from "../episode/run-episode.js";
import { type AtomicFileWriter, openAtomicFileWriter } from "./atomic-file-writer.js";
import { openEpisodeJournal } from "./episode-journal.js";
import { episodeLineOf, questionLinesOf, summarize } from "./run-aggregates.js";
import { invalidRunOption, RunError } from "./run-error.js";
import { type EpisodeLine, type QuestionResultLine, RUN_FILES, type RunSummary } from "./run-files.js";
import { datasetOf, type GrowingRunManifest, openGrowingRunManifest } from "./run-manifest.js";
import { writeAtomically } from "./write-atomically.js";
import { writeStepSlices } from "./write-step-slices.js";

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
  /**
   * The units of work (steps and questions of every episode) known so far. Instances are read as the
   * run goes, so the total grows as they arrive; `complete` is false until the data has run out.
   */
  setTotal(total: number, complete?: boolean): void;
  advance(count?: number): void;
  /** Work finished by an earlier process and replayed from its journal. */
  skip(count: number): void;
}

export interface EvaluateOptions {
  readonly runId: string;
  /**
   * Read one at a time as episodes free up: an instance is released once its episodes are written,
   * so a whole split (multi-megabyte contexts) runs in memory bounded by the instances in flight.
   * Instance ids must be unique (they name journal files); a repeated id stops the run when it is read.
   */
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
  /**
   * Whether `Evaluation.steps` holds every step record (default true). `false` keeps memory bounded
   * on a whole split: with a `runDir` the steps are only in `steps.jsonl`, written as episodes
   * finish; without one they are dropped (an evaluation that needs only its scores).
   */
  readonly retainSteps?: boolean;
}

export interface Evaluation {
  readonly runId: string;
  readonly runDir: string | undefined;
  readonly manifest: RunManifest;
  readonly summary: RunSummary;
  readonly episodes: readonly EpisodeLine[];
  readonly results: readonly QuestionResultLine[];
  /** Every step record in dataset order; empty when `retainSteps` is false (they are in `steps.jsonl`). */
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
  const retainSteps = options.retainSteps ?? true;
  const policyFor = typeof options.policy === "function" ? options.policy : () => options.policy as MemoryPolicy;
  const fraction = options.rewards?.questionFraction ?? 1;
  const questionsOf = (instance: BenchmarkInstance) =>
    fraction === 1
      ? instance.questions.length
      : Math.min(instance.questions.length, Math.max(1, Math.round(fraction * instance.questions.length)));
  const seed = options.seed ?? options.runId;
  const journalDir = options.runDir === undefined ? undefined : join(options.runDir, RUN_FILES.journal);

  let manifest: GrowingRunManifest | undefined;
  let stepsFile: AtomicFileWriter | undefined;
  const seen = new Set<string>();
  let totalWork = 0;
  // Episodes are numbered in dataset order (instance by instance, rollout by rollout); they finish in
  // any order and are written in that order, so the files do not depend on which finished first, and a
  // resumed run writes the same bytes as an uninterrupted one.
  const finished = new Map<number, FinishedEpisode>();
  const episodes: EpisodeLine[] = [];
  const results: QuestionResultLine[] = [];
  const steps: StepRecord[] = [];
  let nextToWrite = 0;
  let writes: Promise<void> = Promise.resolve();
  const writeFinished = () => {
    for (let entry = finished.get(nextToWrite); entry !== undefined; entry = finished.get(nextToWrite)) {
      finished.delete(nextToWrite);
      nextToWrite += 1;
      episodes.push(entry.episode);
      results.push(...entry.results);
      if (retainSteps) steps.push(...entry.steps);
      // Chained, so one episode's slices all land before the next episode's; the last promise settles
      // after every earlier write.
      const file = stepsFile;
      if (file !== undefined) writes = writes.then(() => writeStepSlices(file, entry.steps));
    }
  };

  const runOne = async (instance: BenchmarkInstance, rollout: number): Promise<FinishedEpisode> => {
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
        seed: manifest!.manifest.seed,
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
  };

  // At most `episodesInFlight` episodes run, and at most as many more wait, finished, for an earlier
  // one to be written: the next instance is read only then, so what is held is bounded by the
  // episodes in flight, not by the dataset.
  const running = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  let started = 0;
  const waitForRoom = async () => {
    while (failure === undefined && (running.size >= episodesInFlight || started - nextToWrite >= 2 * episodesInFlight))
      await Promise.race(running);
  };
  try {
    reading: for await (const instance of options.instances) {
      throwIfAborted(options.signal);
      if (seen.has(instance.instanceId))
        throw new RunError(
          "invalid_option",
          `instance ${instance.instanceId} appears twice; instance ids name journal files and must be unique`,
          ["instances"],
        );
      seen.add(instance.instanceId);
      const dataset = datasetOf(instance);
      if (manifest === undefined) {
        manifest = await openGrowingRunManifest({
          runId: options.runId,
          runDir: options.runDir,
          seed,
          details: options.manifest,
          datasets: [dataset],
        });
        if (journalDir !== undefined) await mkdir(journalDir, { recursive: true });
        if (options.runDir !== undefined) stepsFile = await openAtomicFileWriter(join(options.runDir, RUN_FILES.steps));
      } else await manifest.addDataset(dataset);
      totalWork += (instance.chunks.length + questionsOf(instance)) * rollouts;
      options.progress?.setTotal(totalWork, false);
      for (let rollout = 0; rollout < rollouts; rollout++) {
        await waitForRoom();
        if (failure !== undefined) break reading;
        throwIfAborted(options.signal);
        const index = started++;
        const episode: Promise<void> = runOne(instance, rollout).then(
          (entry) => {
            running.delete(episode);
            finished.set(index, entry);
            writeFinished();
          },
          (error: unknown) => {
            running.delete(episode);
            failure ??= { error };
          },
        );
        running.add(episode);
      }
    }
    await Promise.all(running);
    if (failure !== undefined) throw failure.error;
    if (manifest === undefined)
      throw new RunError("no_instances", "the datasets gave no instance to evaluate", ["datasets"]);
    options.progress?.setTotal(totalWork, true);
    manifest.close();
    await writes;
  } catch (error) {
    // Episodes still running finish (their journals stay for a resumed run) before the error surfaces.
    await Promise.allSettled(running);
    await writes.catch(() => undefined);
    await stepsFile?.abort();
    throw error;
  }

  const summary = summarize(options.runId, episodes, results);
  if (options.runDir !== undefined) {
    await stepsFile!.commit();
    await writeAtomically(join(options.runDir, RUN_FILES.results), results.map(encodeJsonlLine).join(""));
    await writeAtomically(join(options.runDir, RUN_FILES.episodes), episodes.map(encodeJsonlLine).join(""));
    await writeAtomically(join(options.runDir, RUN_FILES.summary), `${JSON.stringify(summary, null, 2)}\n`);
  }
  return {
    runId: options.runId,
    runDir: options.runDir,
    manifest: manifest.manifest,
    summary,
    episodes,
    results,
    steps,
  };
}

/** What a finished episode leaves for the run's files. */
interface FinishedEpisode {
  readonly episode: EpisodeLine;
  readonly results: readonly QuestionResultLine[];
  readonly steps: readonly StepRecord[];
}
