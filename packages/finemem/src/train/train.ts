import { appendFile, mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type {
  BenchmarkInstance,
  DatasetSource,
  JsonValue,
  MemoryPolicy,
  Metric,
  Reasoner,
  RolloutGroup,
  RunManifest,
} from "@finemem/spec";
import { encodeJsonlLine, integerAtLeast, positiveInteger } from "@finemem/utils";
import type { EpisodeRewardOptions } from "../episode/run-episode.js";
import { runRollouts } from "../episode/run-rollouts.js";
import { toRolloutGroup } from "../episode/to-rollout-group.js";
import { meanOf } from "../report/step-means.js";
import { openEpisodeJournal } from "../run/episode-journal.js";
import { evaluate, type ManifestDetails } from "../run/evaluate.js";
import { readJournalLines } from "../run/journal-lines.js";
import { invalidRunOption, RunError } from "../run/run-error.js";
import type { EpisodeLine } from "../run/run-files.js";
import { datasetsOf, openRunManifest } from "../run/run-manifest.js";
import { writeAtomically } from "../run/write-atomically.js";
import {
  type BaselineLine,
  type EvaluationLine,
  type HeldoutResult,
  type HeldoutSetResult,
  TRAIN_FILES,
  type TrainStepLine,
  UPDATE_REWARD_COMPONENTS,
  type UpdateLine,
} from "./train-files.js";
import type { TraineeFactory } from "./trainee.js";
import {
  checkpointFolderName,
  checkpointUpdates,
  readTrainingCheckpoint,
  writeTrainingCheckpoint,
} from "./training-checkpoint.js";

export interface TrainHeldout {
  /** The held-out instances (never drawn for training). */
  readonly instances: readonly BenchmarkInstance[];
  /** Evaluate every N updates (always before the first update and after the last). */
  readonly every: number;
  /** The reasoner that answers (default: the training reasoner). */
  readonly reasoner?: Reasoner | undefined;
  /** Policies evaluated once, at the start, beside the curve (e.g. the heuristic). */
  readonly baselines?:
    | readonly {
        readonly name: string;
        readonly policy: MemoryPolicy;
        /** The reader it is evaluated with (e.g. RAG-Top2's top-2 reader); default the held-out reasoner. */
        readonly reasoner?: Reasoner | undefined;
      }[]
    | undefined;
  /** What `checkpoint.json` records of the held-out settings (`finemem eval --heldout` reads it). */
  readonly description?: JsonValue | undefined;
  /**
   * Names the held-out set an instance belongs to (e.g. the default and the hard synthetic settings,
   * which share a data source); each evaluation and baseline then also reports every set's score.
   */
  readonly setOf?: ((instance: BenchmarkInstance) => string) | undefined;
}

/** What a training run reports as it goes (the CLI's progress line). */
export interface TrainProgress {
  /** Before the first update this process runs: `from` updates were done by an earlier process. */
  onStart?(info: { readonly from: number; readonly updates: number }): void;
  onEvaluation?(line: EvaluationLine): void;
  onBaseline?(line: BaselineLine): void;
  onUpdate?(line: UpdateLine): void;
  onCheckpoint?(folder: string, update: number): void;
}

export interface TrainOptions {
  readonly runId: string;
  /** The run folder: logs, checkpoints, journals; the same options again resume the run. Without it, nothing is written. */
  readonly runDir?: string | undefined;
  /** Seeds rollout sampling (`<seed>/update-<k>/<instance id>/rollout-<r>`) and the trainee. */
  readonly seed: string;
  /** Updates to run in all (a resumed run continues to this many). */
  readonly updates: number;
  /** G, rollouts per instance. */
  readonly rollouts: number;
  /** The training instances of update k (1-based); deterministic in k, so a resumed run draws the same. */
  readonly instances: (update: number) => readonly BenchmarkInstance[] | Promise<readonly BenchmarkInstance[]>;
  readonly trainee: TraineeFactory;
  readonly reasoner: Reasoner;
  readonly rewards?: EpisodeRewardOptions | undefined;
  /** The metric, or one per instance; default the instance protocol's scorer. */
  readonly metric?: Metric | ((instance: BenchmarkInstance) => Metric) | undefined;
  readonly heldout?: TrainHeldout | undefined;
  /** Write a checkpoint every M updates (and after the last). Default: after the last only. */
  readonly checkpointEvery?: number | undefined;
  readonly manifest?: ManifestDetails | undefined;
  /** Dataset files the manifest lists; default the held-out instances' and update 1's. */
  readonly datasets?: readonly DatasetSource[] | undefined;
  /** Reasoner calls in flight per episode (default 8) and held-out episodes in flight (default 2). */
  readonly concurrency?: { readonly episodes?: number; readonly questions?: number } | undefined;
  readonly progress?: TrainProgress | undefined;
  readonly signal?: AbortSignal | undefined;
}

export interface TrainingRun {
  readonly runId: string;
  readonly runDir: string | undefined;
  readonly manifest: RunManifest;
  /** Every update of the run, the ones an earlier process did included. */
  readonly updates: readonly UpdateLine[];
  readonly evaluations: readonly EvaluationLine[];
  readonly baselines: readonly BaselineLine[];
  /** The last checkpoint folder, when the run has a folder. */
  readonly checkpoint: string | undefined;
}

/**
 * Trains a memory policy with GRPO on Fine-Mem's per-step rewards. Each update draws its training
 * instances, runs G sampled rollouts of each from an empty memory (`runRollouts`, with the rewards'
 * every component), turns them into rollout groups and hands them to the trainee's trainer; held-out
 * evaluation runs before the first update, every `heldout.every` updates and after the last, and
 * checkpoints follow `checkpointEvery`.
 *
 * With `runDir`, the run is resumable: started again with the same options after a kill, it reopens
 * the latest checkpoint, keeps the log lines up to it, replays the rollouts whose episode journals
 * were written after it (no policy or reasoner call is repeated), and ends with the same files as an
 * uninterrupted run (fields in `TRAIN_VOLATILE_FIELDS` aside).
 */
export async function train(options: TrainOptions): Promise<TrainingRun> {
  const updates = positiveInteger("updates", options.updates, invalidRunOption);
  const rollouts = integerAtLeast("rollouts", options.rollouts, 2, invalidRunOption);
  const checkpointEvery = positiveInteger("checkpointEvery", options.checkpointEvery ?? updates, invalidRunOption);
  const evalEvery =
    options.heldout === undefined
      ? undefined
      : positiveInteger("heldout.every", options.heldout.every, invalidRunOption);
  if (options.heldout !== undefined && options.heldout.instances.length === 0)
    throw new RunError("no_instances", "the held-out datasets gave no instance", ["heldout", "instances"]);
  const { runDir } = options;
  const files = runDir === undefined ? undefined : (name: string) => join(runDir, name);

  const manifest = await openRunManifest({
    runId: options.runId,
    runDir,
    seed: options.seed,
    details: options.manifest,
    datasets: options.datasets ?? datasetsOf([...(options.heldout?.instances ?? []), ...(await options.instances(1))]),
  });

  // Where an earlier process got to: its latest whole checkpoint, and the log lines up to it.
  const checkpointsDir = files?.(TRAIN_FILES.checkpoints);
  const resumeUpdate = checkpointsDir === undefined ? undefined : (await checkpointUpdates(checkpointsDir)).at(-1);
  const resumed =
    resumeUpdate === undefined
      ? undefined
      : await readTrainingCheckpoint(join(checkpointsDir!, checkpointFolderName(resumeUpdate)));
  const kept = {
    updates: [] as UpdateLine[],
    steps: [] as TrainStepLine[],
    evaluations: [] as EvaluationLine[],
    baselines: [] as BaselineLine[],
  };
  if (files !== undefined) {
    const upTo = resumeUpdate ?? -1;
    kept.updates = await keepLines<UpdateLine>(files(TRAIN_FILES.updates), (line) => line.update <= upTo);
    kept.steps = await keepLines<TrainStepLine>(files(TRAIN_FILES.steps), (line) => line.update <= upTo);
    kept.evaluations = await keepLines<EvaluationLine>(files(TRAIN_FILES.evaluations), (line) => line.update <= upTo);
    kept.baselines = await keepLines<BaselineLine>(files(TRAIN_FILES.baselines), () => upTo >= 0);
  }

  const trainee = await options.trainee({ update: resumeUpdate ?? 0, state: resumed?.trainerState });
  const heldoutReasoner = options.heldout?.reasoner ?? options.reasoner;
  const evaluations = [...kept.evaluations];
  const baselines = [...kept.baselines];
  const updateLines = [...kept.updates];
  let checkpoint = resumed?.folder;
  let checkpointedThrough = resumeUpdate ?? -1;

  const setOf = options.heldout?.setOf;
  const setNames =
    setOf === undefined
      ? undefined
      : new Map(options.heldout!.instances.map((instance) => [instance.instanceId, setOf(instance)]));
  const heldoutOf = async (policy: MemoryPolicy, label: string, reasoner = heldoutReasoner): Promise<HeldoutResult> => {
    const evaluation = await evaluate({
      runId: `${options.runId}-${label}`,
      instances: options.heldout!.instances,
      policy,
      reasoner,
      seed: options.seed,
      // Only scores and episode lines are read here: the step records would only hold memory.
      retainSteps: false,
      ...(options.metric === undefined ? {} : { metric: options.metric }),
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    const { summary } = evaluation;
    return {
      score: summary.table.average.mean,
      dataSources: Object.fromEntries(summary.table.dataSources.map((row) => [row.dataSource, row.mean])),
      memoryTokens: meanOf(evaluation.episodes.map((episode) => episode.memoryTokens)) ?? 0,
      episodes: summary.episodes,
      questions: summary.questions,
      ...(setNames === undefined ? {} : { sets: heldoutSetResults(evaluation.episodes, setNames) }),
    };
  };
  const evaluateAt = async (update: number): Promise<EvaluationLine> => {
    const policy = trainee.evaluation();
    const line: EvaluationLine = {
      update,
      policyId: policy.policyId,
      ...(await heldoutOf(policy, `heldout-${update}`)),
    };
    evaluations.push(line);
    if (files !== undefined) await appendFile(files(TRAIN_FILES.evaluations), encodeJsonlLine(line));
    options.progress?.onEvaluation?.(line);
    return line;
  };
  const checkpointAt = async (update: number, heldoutScore: number | null): Promise<void> => {
    if (checkpointsDir === undefined) return;
    checkpoint = await writeTrainingCheckpoint(
      checkpointsDir,
      {
        runId: options.runId,
        update,
        seed: options.seed,
        policy: trainee.description,
        evaluation: options.heldout?.description ?? null,
        heldoutScore,
      },
      await trainee.state?.(),
    );
    // The rollouts up to a checkpoint are in it: their journals are no longer needed.
    for (let done = checkpointedThrough + 1; done <= update; done++)
      await rm(join(files!(TRAIN_FILES.journal), checkpointFolderName(done)), { recursive: true, force: true });
    checkpointedThrough = update;
    options.progress?.onCheckpoint?.(checkpoint, update);
  };

  try {
    if (files !== undefined) {
      await mkdir(runDir!, { recursive: true });
      // The kept lines, rewritten whole: what followed the checkpoint is redone, identically.
      await writeAtomically(files(TRAIN_FILES.updates), kept.updates.map(encodeJsonlLine).join(""));
      await writeAtomically(files(TRAIN_FILES.steps), kept.steps.map(encodeJsonlLine).join(""));
      await writeAtomically(files(TRAIN_FILES.evaluations), kept.evaluations.map(encodeJsonlLine).join(""));
      await writeAtomically(files(TRAIN_FILES.baselines), kept.baselines.map(encodeJsonlLine).join(""));
    }
    if (resumeUpdate === undefined) {
      // The start: the baselines and the untrained policy on the held-out sets, then checkpoint 0.
      for (const baseline of options.heldout?.baselines ?? []) {
        const line: BaselineLine = {
          name: baseline.name,
          policyId: baseline.policy.policyId,
          ...(await heldoutOf(baseline.policy, `baseline-${baseline.name}`, baseline.reasoner)),
        };
        baselines.push(line);
        if (files !== undefined) await appendFile(files(TRAIN_FILES.baselines), encodeJsonlLine(line));
        options.progress?.onBaseline?.(line);
      }
      const start = options.heldout === undefined ? undefined : await evaluateAt(0);
      await checkpointAt(0, start?.score ?? null);
    }
    const from = resumeUpdate ?? 0;
    options.progress?.onStart?.({ from, updates });
    const started = Date.now();
    let rolloutsRun = 0;
    for (let update = from + 1; update <= updates; update++) {
      const updateStarted = Date.now();
      const instances = await options.instances(update);
      if (instances.length === 0)
        throw new RunError("no_instances", `update ${update} drew no training instance`, ["instances"]);
      const journalDir =
        files === undefined ? undefined : join(files(TRAIN_FILES.journal), checkpointFolderName(update));
      if (journalDir !== undefined) await mkdir(journalDir, { recursive: true });
      const groups: RolloutGroup[] = [];
      const stepLines: TrainStepLine[] = [];
      const seen = new Set<string>();
      for (const instance of instances) {
        if (seen.has(instance.instanceId))
          throw new RunError(
            "invalid_option",
            `update ${update} drew instance ${instance.instanceId} twice; instance ids name journal files and must be unique within an update`,
            ["instances"],
          );
        seen.add(instance.instanceId);
        const seed = `${options.seed}/update-${update}`;
        const checkpoints =
          journalDir === undefined
            ? undefined
            : await Promise.all(
                Array.from({ length: rollouts }, (_, rollout) =>
                  openEpisodeJournal(join(journalDir, `${instance.instanceId}.r${rollout}.jsonl`)),
                ),
              );
        const episodes = await runRollouts({
          instance,
          rollouts,
          policy: (rollout) => trainee.sample(`${seed}/${instance.instanceId}/rollout-${rollout}`),
          reasoner: options.reasoner,
          training: true,
          runId: options.runId,
          seed,
          ...(checkpoints === undefined ? {} : { checkpointFor: (rollout: number) => checkpoints[rollout]! }),
          ...(options.rewards === undefined ? {} : { rewards: options.rewards }),
          ...(options.metric === undefined
            ? {}
            : { metric: typeof options.metric === "function" ? options.metric(instance) : options.metric }),
          ...(options.concurrency?.questions === undefined ? {} : { concurrency: options.concurrency.questions }),
          ...(options.signal === undefined ? {} : { signal: options.signal }),
        });
        groups.push(
          toRolloutGroup(episodes, {
            seed,
            ...(trainee.replayValidator === undefined ? {} : { replayValidator: trainee.replayValidator }),
          }),
        );
        for (const episode of episodes) for (const record of episode.stepRecords) stepLines.push({ update, ...record });
      }
      const metrics = await trainee.trainer.update(
        { groups, grouping: trainee.grouping },
        options.signal === undefined ? {} : { signal: options.signal },
      );
      rolloutsRun += instances.length * rollouts;
      const elapsed = (Date.now() - started) / 1000;
      const line: UpdateLine = {
        update,
        instances: instances.map((instance) => instance.instanceId),
        rollouts: instances.length * rollouts,
        samples: metrics.samples,
        meanReward: metrics.meanReward,
        loss: metrics.loss ?? null,
        klDivergence: metrics.klDivergence ?? null,
        metrics: metrics.extra,
        rewards: Object.fromEntries(
          UPDATE_REWARD_COMPONENTS.map((component) => [
            component,
            meanOf(stepLines.map((record) => record.rewards[component])),
          ]),
        ) as UpdateLine["rewards"],
        wallSeconds: (Date.now() - updateStarted) / 1000,
        rolloutsPerSecond: elapsed > 0 ? rolloutsRun / elapsed : 0,
      };
      updateLines.push(line);
      if (files !== undefined) {
        await appendFile(files(TRAIN_FILES.steps), stepLines.map(encodeJsonlLine).join(""));
        await appendFile(files(TRAIN_FILES.updates), encodeJsonlLine(line));
      }
      options.progress?.onUpdate?.(line);
      const last = update === updates;
      const evaluated =
        evalEvery !== undefined && (update % evalEvery === 0 || last) ? await evaluateAt(update) : undefined;
      if (update % checkpointEvery === 0 || last) await checkpointAt(update, evaluated?.score ?? null);
    }
    return {
      runId: options.runId,
      runDir,
      manifest,
      updates: updateLines,
      evaluations,
      baselines,
      checkpoint,
    };
  } finally {
    await trainee.dispose?.();
  }
}

/**
 * Each held-out set's result: the mean of its episodes' r_global (each the mean score of the episode's
 * questions, as the evaluation scores them) and of their final memory tokens. Sets are listed in the
 * order their first instance comes.
 */
function heldoutSetResults(
  episodes: readonly EpisodeLine[],
  setNames: ReadonlyMap<string, string>,
): { [set: string]: HeldoutSetResult } {
  const bySet = new Map<string, EpisodeLine[]>();
  for (const name of setNames.values()) if (!bySet.has(name)) bySet.set(name, []);
  for (const episode of episodes) bySet.get(setNames.get(episode.instanceId)!)?.push(episode);
  return Object.fromEntries(
    [...bySet].map(([name, members]) => {
      const answered = members.filter((episode) => episode.questionsScored > 0);
      return [
        name,
        {
          score: meanOf(answered.map((episode) => episode.global)),
          memoryTokens: meanOf(members.map((episode) => episode.memoryTokens)) ?? 0,
          episodes: members.length,
        },
      ];
    }),
  );
}

/**
 * The lines of a JSONL log that `keep` accepts. A torn last line (a kill mid-append) is dropped; any
 * other unreadable line is a `corrupt_journal` error naming the file and line, the file left as it is.
 */
async function keepLines<Line>(path: string, keep: (line: Line) => boolean): Promise<Line[]> {
  const { lines } = await readJournalLines(
    path,
    "the run folder was left as it is: restore the file, or start the run in a new folder",
  );
  return (lines as Line[]).filter(keep);
}
