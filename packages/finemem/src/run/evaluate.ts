import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { createInMemoryStore, type MemoryBackend } from "@finemem/memory";
import {
  type BenchmarkInstance,
  type DatasetSource,
  type JsonValue,
  type MemoryPolicy,
  type Metric,
  type Reasoner,
  type RunManifest,
  runManifestValidator,
  SPECIFICATION_VERSION,
  type StepRecord,
} from "@finemem/spec";
import { encodeJsonlLine, mapWithConcurrency, positiveInteger } from "@finemem/utils";
import { createMemoryCheckpoint } from "../episode/episode-checkpoint.js";
import { type EpisodeResult, type EpisodeRewardOptions, runEpisode } from "../episode/run-episode.js";
import { readRunManifest } from "../report/read-run-directory.js";
import { RunDirectoryError } from "../report/run-directory-error.js";
import { openEpisodeJournal } from "./episode-journal.js";
import { episodeLineOf, questionLinesOf, summarize } from "./run-aggregates.js";
import { invalidRunOption, RunError } from "./run-error.js";
import { type EpisodeLine, type QuestionResultLine, RUN_FILES, type RunSummary } from "./run-files.js";
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

  const manifest = await openManifest(options, instances);
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

/** The manifest of a new run, or the one a resumed run started with (which must be of the same configuration). */
async function openManifest(options: EvaluateOptions, instances: readonly BenchmarkInstance[]): Promise<RunManifest> {
  const path = options.runDir === undefined ? undefined : join(options.runDir, RUN_FILES.manifest);
  const fresh = runManifestValidator.parse({
    runId: options.runId,
    specificationVersion: SPECIFICATION_VERSION,
    createdAt: new Date().toISOString(),
    seed: options.seed ?? options.runId,
    models: options.manifest?.models ?? {},
    promptHashes: options.manifest?.promptHashes ?? {},
    datasets: datasetsOf(instances),
    ...(options.manifest?.config === undefined ? {} : { config: options.manifest.config }),
  });
  if (path === undefined) return fresh;
  const previous = await readRecordedManifest(options.runDir!);
  if (previous !== undefined) {
    const differences = manifestDifferences(previous, fresh);
    if (differences.length > 0) {
      throw new RunError(
        "resume_mismatch",
        `${path} records a run of another configuration (${differences.join("; ")}); nothing in the folder was changed: run with the recorded configuration to resume, or use a new --out (or --run-id) for the new configuration`,
        ["runId"],
      );
    }
    return previous;
  }
  await mkdir(options.runDir!, { recursive: true });
  await writeAtomically(path, `${JSON.stringify(fresh, null, 2)}\n`);
  return fresh;
}

/**
 * The manifest a run folder holds, `undefined` when it holds none (a new run). A manifest that is not
 * JSON or not a manifest is the report's {@link RunDirectoryError} (same codes, same file and line),
 * with what to do added; the folder is left as it is, so no finished work is lost.
 */
async function readRecordedManifest(runDir: string): Promise<RunManifest | undefined> {
  try {
    return await readRunManifest(runDir);
  } catch (error) {
    if (!(error instanceof RunDirectoryError)) throw error;
    if (error.code === "missing_file") return undefined;
    const where = `${error.file}${error.line === null ? "" : `:${error.line}`}: `;
    const reason = error.message.startsWith(where) ? error.message.slice(where.length) : error.message;
    throw new RunDirectoryError(
      error.code,
      error.file,
      error.line,
      `${reason}; the run folder was left as it is: restore ${RUN_FILES.manifest} to resume this run, or use a new --out (or --run-id) to start the run afresh elsewhere`,
      error,
    );
  }
}

/**
 * Keys of the effective configuration that say where the run's files go, not what the run computes.
 * They are left out of the resume comparison (as the default run id leaves them out), so the same
 * folder resumes under any spelling of `--out` (`./out`, an absolute path, `sub/out` from the parent
 * folder). Manifests keep recording them, and manifests of earlier versions, which recorded them
 * too, keep opening.
 */
const NOT_COMPARED: readonly (readonly string[])[] = [
  ["config", "run", "out"],
  // Like where files go, neither changes results, and the default run id leaves both out too.
  ["config", "run", "concurrency"],
  ["config", "report"],
];

/** Most characters of a value a `resume_mismatch` message quotes. */
const QUOTED_VALUE_CHARS = 120;

/**
 * What differs between the manifest a run folder records and the one this run would write, as
 * `<key>: recorded <value>, now <value>` per differing leaf (`createdAt` and {@link NOT_COMPARED}
 * aside); empty when the run may resume.
 */
function manifestDifferences(recorded: RunManifest, now: RunManifest): string[] {
  const differences: string[] = [];
  const quote = (value: unknown) => {
    if (value === undefined) return "(absent)";
    const text = JSON.stringify(value);
    return text.length > QUOTED_VALUE_CHARS ? `${text.slice(0, QUOTED_VALUE_CHARS - 1)}…` : text;
  };
  const isRecord = (value: unknown): value is Record<string, unknown> =>
    typeof value === "object" && value !== null && !Array.isArray(value);
  const compare = (before: unknown, after: unknown, path: readonly string[]) => {
    if (NOT_COMPARED.some((skipped) => skipped.length === path.length && skipped.every((key, i) => key === path[i])))
      return;
    const key = path.join(".");
    if (isRecord(before) && isRecord(after)) {
      const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
      for (const child of keys) compare(before[child], after[child], [...path, child]);
    } else if (Array.isArray(before) && Array.isArray(after)) {
      for (let index = 0; index < Math.max(before.length, after.length); index++)
        compare(before[index], after[index], [...path.slice(0, -1), `${path.at(-1) ?? ""}[${index}]`]);
    } else if (JSON.stringify(before) !== JSON.stringify(after)) {
      differences.push(`${key}: recorded ${quote(before)}, now ${quote(after)}`);
    }
  };
  const { createdAt: _before, ...before } = recorded;
  const { createdAt: _now, ...after } = now;
  compare(before, after, []);
  return differences;
}

/** Every dataset file read, once, without the row (a manifest lists files, not rows). */
function datasetsOf(instances: readonly BenchmarkInstance[]): DatasetSource[] {
  const files = new Map<string, DatasetSource>();
  for (const { source } of instances) {
    const { row: _row, ...file } = source;
    files.set(JSON.stringify(file), file);
  }
  return [...files.values()];
}
