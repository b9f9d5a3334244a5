// The episodes of `finemem serve`, driven step by step by a client that owns the manager model (verl's
// rollout workers). The journal in the repository is the truth: a request may run `runEpisode` again
// over it (finished steps replay through a fresh store without a model call), apply the step it brings,
// and stop where the next model call would be, whose prompt is the answer's `next`. So any process
// sharing the repository can serve any episode, and a restart loses nothing. Replaying costs O(t) at
// step t, so a process also keeps recent episodes live: the run waits at its model call for the next
// step request, which then costs what one step costs. A live run is used only while the journal has
// exactly the steps it has seen (another process may have applied one), else the request replays.
import { createHash, randomUUID } from "node:crypto";
import { createLlmMemoryPolicy } from "@finemem/policy";
import {
  type BenchmarkInstance,
  type ChatMessage,
  type IdentifiedOperation,
  type LanguageModel,
  type LanguageModelResponse,
  type Metric,
  type OperationResult,
  type ParseOutcome,
  type Reasoner,
  SPECIFICATION_VERSION,
  type StepRewardComponents,
  type ToolDefinition,
  type TrainingSample,
} from "@finemem/spec";
import { formatReward } from "@finemem/step-reward";
import type { EpisodeCheckpoint, RecordedStep } from "../episode/episode-checkpoint.js";
import { type EpisodeResult, type EpisodeRewardOptions, runEpisode } from "../episode/run-episode.js";
import { toRolloutGroup } from "../episode/to-rollout-group.js";
import { canonicalJson } from "../run/canonical-json.js";
import { RunError } from "../run/run-error.js";
import type { EpisodeRecord, EpisodeRepository, EpisodeSettings } from "./episode-repository.js";
import { ServeError } from "./serve-error.js";

/** What the client's model is asked for at a step: c_t and M_{t−1} in the manager prompt. */
export interface StepPrompt {
  readonly step: number;
  readonly messages: readonly ChatMessage[];
  readonly tools?: readonly ToolDefinition[];
}

export interface EpisodeStarted {
  readonly episodeId: string;
  readonly instanceId: string;
  readonly rollout: number;
  /** T, the instance's chunk count. */
  readonly chunks: number;
  /** The first step still to do (`null` when a fork has none left). */
  readonly next: StepPrompt | null;
}

export interface StepApplied {
  readonly episodeId: string;
  readonly step: number;
  readonly operations: readonly IdentifiedOperation[];
  readonly results: readonly OperationResult[];
  readonly parseOutcomes: readonly ParseOutcome[];
  /** What is known when the step is applied: r_format(t) and r_chunk(t) (null: no chunk questions). */
  readonly rewards: { readonly format: number | null; readonly chunk: number | null };
  readonly memoryTokens: number;
  readonly next: StepPrompt | null;
}

export interface EpisodeFinalized {
  readonly episodeId: string;
  readonly instanceId: string;
  readonly rollout: number;
  /** Every component of r(t) beside its total, per step. */
  readonly steps: readonly { readonly step: number; readonly rewards: StepRewardComponents }[];
  /** r_global: the mean score of the global questions. */
  readonly globalScore: number;
  /** U: the share of r_global no step's evidence carries. */
  readonly unattributed: number;
  /** One training record per step (token ids and log-probs as the client sent them); null when the client sent none. */
  readonly samples: readonly TrainingSample[] | null;
}

export interface EpisodeEngineOptions {
  readonly repository: EpisodeRepository;
  /** The frozen reasoning agent: chunk questions after each step, global questions at the end. */
  readonly reasoner: Reasoner;
  readonly rewards?: EpisodeRewardOptions | undefined;
  readonly metricFor?: ((instance: BenchmarkInstance) => Metric) | undefined;
  /** Reasoner calls in flight per episode. */
  readonly concurrency?: number | undefined;
  /** Recorded in step records. Default `serve`. */
  readonly runId?: string | undefined;
  /**
   * Episodes this process keeps live between step requests (least recently used leave first; an
   * episode that left replays its journal at its next step). 0: every step request replays. Default 1024.
   */
  readonly liveEpisodes?: number | undefined;
}

export interface EpisodeEngine {
  start(instance: BenchmarkInstance, settings: EpisodeSettings): Promise<EpisodeStarted>;
  /** Applies the client's output for `step`; the same idempotency key and body answer the same again. */
  step(episodeId: string, step: number, output: LanguageModelResponse, idempotencyKey: string): Promise<StepApplied>;
  finalize(episodeId: string): Promise<EpisodeFinalized>;
  fork(episodeId: string): Promise<EpisodeStarted>;
  close(episodeId: string): Promise<void>;
}

/**
 * The manager model of a served episode: the client. Its calls are steps `firstStep`, `firstStep + 1`,
 * …; `answer` gets each call's prompt and returns (or never returns) the client's output.
 */
function clientModel(firstStep: number, answer: (prompt: StepPrompt) => Promise<LanguageModelResponse>): LanguageModel {
  let calls = 0;
  return {
    specificationVersion: SPECIFICATION_VERSION,
    provider: "finemem-serve",
    modelId: "client",
    generate(request) {
      const step = firstStep + calls;
      calls += 1;
      return answer({
        step,
        messages: request.messages,
        ...(request.tools === undefined ? {} : { tools: request.tools }),
      });
    },
  };
}

/** The reason a drive stops on purpose (the next prompt is known, or the last step is recorded). */
const STOP = Symbol("stop");

/** Where a replay stopped: at the next model call, or at the end of the episode. */
interface Replayed {
  readonly next: StepPrompt | undefined;
  readonly episode: EpisodeResult | undefined;
}

/** A step applied: what it recorded, and the next step's prompt (none after the last). */
interface AppliedLive {
  readonly recorded: RecordedStep | undefined;
  readonly next: StepPrompt | undefined;
}

/** Where a live run stopped: at its next model call, after the last step, or with an error. */
type LiveStop =
  | { readonly kind: "prompt"; readonly next: StepPrompt; readonly recorded?: RecordedStep }
  | { readonly kind: "recorded"; readonly recorded: RecordedStep }
  | { readonly kind: "failed"; readonly error: unknown };

/** An episode's run waiting at a model call, in this process. */
interface LiveEpisode {
  /** Journaled steps when it stopped: it waits for step `done + 1`. */
  done: number;
  /** Answers the waiting model call with the client's output for step `done + 1`. */
  answer(output: LanguageModelResponse, request: { readonly key: string; readonly hash: string }): Promise<LiveStop>;
  /** Ends the run (the repository keeps everything it recorded). */
  discard(): void;
}

const DEFAULT_LIVE_EPISODES = 1024;

export function createEpisodeEngine(options: EpisodeEngineOptions): EpisodeEngine {
  const { repository } = options;
  const runId = options.runId ?? "serve";

  const recordOf = async (episodeId: string): Promise<EpisodeRecord> => {
    const record = await repository.get(episodeId);
    if (record === undefined)
      throw new ServeError("unknown_episode", `no episode ${episodeId}: start one with POST /v1/episodes`, [
        "episodeId",
      ]);
    return record;
  };

  /** The episode's run with the client's model as its manager, over what `checkpoint` holds. */
  const run = (record: EpisodeRecord, model: LanguageModel, checkpoint: EpisodeCheckpoint, signal: AbortSignal) =>
    runEpisode({
      instance: record.instance,
      policy: createLlmMemoryPolicy({ model, prompt: record.settings.prompt, callStyle: record.settings.callStyle }),
      reasoner: options.reasoner,
      checkpoint,
      training: true,
      runId,
      rollout: record.settings.rollout,
      seed: record.settings.seed,
      ...(options.rewards === undefined ? {} : { rewards: options.rewards }),
      ...(options.metricFor === undefined ? {} : { metric: options.metricFor(record.instance) }),
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
      signal,
    });

  /**
   * Replays the episode over `journal` (its finished steps, read once per request by the caller):
   * `prompt` stops at the next model call, `finish` runs to the end (every step must be in the journal).
   */
  const drive = async (
    record: EpisodeRecord,
    journal: readonly RecordedStep[],
    mode: { readonly kind: "prompt" } | { readonly kind: "finish" },
  ): Promise<Replayed> => {
    const questions = mode.kind === "finish" ? await repository.questions(record.episodeId) : [];
    const stop = new AbortController();
    let next: StepPrompt | undefined;
    const checkpoint: EpisodeCheckpoint = {
      steps: new Map(journal.map((step) => [step.step, step])),
      questions: new Map(questions.map((question) => [question.questionId, question])),
      async recordStep(step) {
        // Every step it runs is in the journal: it stops at the first model call.
        throw new ServeError(
          "internal",
          `a replay of ${record.episodeId} reached step ${step.step}, not in its journal`,
        );
      },
      async recordQuestion(question) {
        await repository.recordQuestion(record.episodeId, question);
      },
    };
    const model = clientModel(journal.length + 1, async (prompt) => {
      next = prompt;
      stop.abort(STOP);
      throw new ServeError("internal", "stopped at the next model call");
    });
    try {
      const episode = await run(record, model, checkpoint, stop.signal);
      return { next: undefined, episode };
    } catch (error) {
      if (stop.signal.aborted && stop.signal.reason === STOP) return { next, episode: undefined };
      throw error;
    }
  };

  const liveLimit = options.liveEpisodes ?? DEFAULT_LIVE_EPISODES;
  // Insertion order is recency: an episode is moved to the end when a request uses it.
  const live = new Map<string, LiveEpisode>();

  const dropLive = (episodeId: string) => {
    live.get(episodeId)?.discard();
    live.delete(episodeId);
  };

  /**
   * Starts `runEpisode` over `journal` with a model call that waits for the client: resolves when the
   * run stops at the call for step `journal.length + 1`, or with how it stopped short of it.
   */
  const launch = async (record: EpisodeRecord, journal: readonly RecordedStep[]): Promise<LiveEpisode | LiveStop> => {
    const last = record.instance.chunks.length;
    const stop = new AbortController();
    let request: { readonly key: string; readonly hash: string } | undefined;
    let recordedSinceStop: RecordedStep | undefined;
    let waiting:
      | { readonly resolve: (output: LanguageModelResponse) => void; readonly reject: (error: Error) => void }
      | undefined;
    let onStop: ((stopped: LiveStop) => void) | undefined;
    const stopWith = (stopped: LiveStop) => {
      const settle = onStop;
      onStop = undefined;
      settle?.(stopped);
    };
    // One listener for the whole run: discarding it fails the model call it waits at.
    stop.signal.addEventListener(
      "abort",
      () => {
        waiting?.reject(new ServeError("internal", "the live run ended"));
        waiting = undefined;
      },
      { once: true },
    );
    const entry: LiveEpisode = {
      done: journal.length,
      answer(output, key) {
        const call = waiting;
        if (call === undefined) throw new ServeError("internal", "the live run is not waiting for a step");
        waiting = undefined;
        request = key;
        return new Promise<LiveStop>((resolve) => {
          onStop = resolve;
          call.resolve(output);
        });
      },
      discard() {
        stop.abort(STOP);
      },
    };
    const checkpoint: EpisodeCheckpoint = {
      steps: new Map(journal.map((step) => [step.step, step])),
      questions: new Map(),
      async recordStep(step) {
        await repository.recordStep(
          record.episodeId,
          step,
          request === undefined ? undefined : { key: request.key, requestHash: request.hash, step: step.step },
        );
        entry.done = step.step;
        recordedSinceStop = step;
        // The last step is applied: the global questions wait for finalize, which replays the journal.
        if (step.step === last) {
          stopWith({ kind: "recorded", recorded: step });
          stop.abort(STOP);
        }
      },
      async recordQuestion(question) {
        await repository.recordQuestion(record.episodeId, question);
      },
    };
    const model = clientModel(
      journal.length + 1,
      (next) =>
        new Promise<LanguageModelResponse>((resolve, reject) => {
          waiting = { resolve, reject };
          const recorded = recordedSinceStop;
          recordedSinceStop = undefined;
          stopWith({ kind: "prompt", next, ...(recorded === undefined ? {} : { recorded }) });
        }),
    );
    const first = new Promise<LiveStop>((resolve) => {
      onStop = resolve;
    });
    run(record, model, checkpoint, stop.signal).then(
      () => stopWith({ kind: "failed", error: new ServeError("internal", "the live run ended past its last step") }),
      (error: unknown) => stopWith({ kind: "failed", error }),
    );
    const stopped = await first;
    if (stopped.kind === "prompt") return entry;
    entry.discard();
    return stopped;
  };

  /** Applies step `journal.length + 1` through this episode's live run, launching one where needed. */
  const applyLive = async (
    record: EpisodeRecord,
    journal: readonly RecordedStep[],
    output: LanguageModelResponse,
    request: { readonly key: string; readonly hash: string },
  ): Promise<AppliedLive> => {
    const { episodeId } = record;
    let entry = live.get(episodeId);
    live.delete(episodeId);
    if (entry !== undefined && entry.done !== journal.length) {
      // Another process applied a step since: this run is behind the journal.
      entry.discard();
      entry = undefined;
    }
    if (entry === undefined) {
      const launched = await launch(record, journal);
      if (!("answer" in launched)) {
        if (launched.kind === "failed") throw launched.error;
        throw new ServeError("internal", `episode ${episodeId} stopped before step ${journal.length + 1}`);
      }
      entry = launched;
    }
    const stopped = await entry.answer(output, request);
    if (stopped.kind === "failed") {
      entry.discard();
      throw stopped.error;
    }
    if (stopped.kind === "recorded") return { recorded: stopped.recorded, next: undefined };
    if (liveLimit > 0) {
      live.set(episodeId, entry);
      for (const [oldest, idle] of live) {
        if (live.size <= liveLimit) break;
        idle.discard();
        live.delete(oldest);
      }
    } else entry.discard();
    return { recorded: stopped.recorded, next: stopped.next };
  };

  const started = async (record: EpisodeRecord, journal: readonly RecordedStep[]): Promise<EpisodeStarted> => {
    const { next } =
      journal.length < record.instance.chunks.length
        ? await drive(record, journal, { kind: "prompt" })
        : { next: undefined };
    return {
      episodeId: record.episodeId,
      instanceId: record.instance.instanceId,
      rollout: record.settings.rollout,
      chunks: record.instance.chunks.length,
      next: next ?? null,
    };
  };

  const applied = async (
    record: EpisodeRecord,
    step: RecordedStep,
    next: StepPrompt | undefined,
  ): Promise<StepApplied> => ({
    episodeId: record.episodeId,
    step: step.step,
    operations: step.decision.operations.map((operation, position) => ({
      operationId: `s${step.step}.${position}`,
      operation,
    })),
    results: step.results,
    parseOutcomes: step.decision.parseOutcomes,
    rewards: {
      format: formatReward(
        step.decision,
        step.results,
        options.rewards?.skipSucceeds === undefined ? {} : { skipSucceeds: options.rewards.skipSucceeds },
      ).score,
      chunk: step.chunkScore,
    },
    memoryTokens: step.memoryTokens,
    next: next ?? null,
  });

  return {
    async start(instance, settings) {
      if (instance.chunks.length === 0)
        throw new ServeError("invalid_request", `instance ${instance.instanceId} has no chunks`, [
          "instance",
          "chunks",
        ]);
      const record: EpisodeRecord = { episodeId: randomUUID(), instance, settings, forkedFrom: null };
      await repository.create(record);
      return started(record, []);
    },

    async step(episodeId, step, output, key) {
      const hash = createHash("sha256").update(canonicalJson({ step, output })).digest("hex");
      return repository.withEpisodeLock(episodeId, async () => {
        const record = await recordOf(episodeId);
        const seen = await repository.idempotency(episodeId, key);
        const journal = await repository.steps(episodeId);
        if (seen !== undefined) {
          if (seen.requestHash !== hash)
            throw new ServeError(
              "idempotency_conflict",
              `Idempotency-Key ${JSON.stringify(key)} was used for another request on episode ${episodeId}: use a new key for a new request`,
              ["Idempotency-Key"],
            );
          // The request was applied before (its answer may have been lost): answer it again from the journal.
          const done = journal.find((entry) => entry.step === seen.step)!;
          const { next } =
            seen.step < record.instance.chunks.length
              ? await drive(
                  record,
                  journal.filter((entry) => entry.step <= seen.step),
                  { kind: "prompt" },
                )
              : { next: undefined };
          return applied(record, done, next);
        }
        const expected = journal.length + 1;
        if (expected > record.instance.chunks.length)
          throw new ServeError(
            "episode_finished",
            `episode ${episodeId} has applied all ${record.instance.chunks.length} steps: finalize it`,
            ["step"],
          );
        if (step !== expected)
          throw new ServeError("step_order", `episode ${episodeId} expects step ${expected}, got step ${step}`, [
            "step",
          ]);
        const { next, recorded } = await applyLive(record, journal, output, { key, hash });
        if (recorded === undefined) throw new ServeError("internal", `step ${step} of ${episodeId} was not recorded`);
        return applied(record, recorded, next);
      });
    },

    async finalize(episodeId) {
      return repository.withEpisodeLock(episodeId, async () => {
        dropLive(episodeId);
        const record = await recordOf(episodeId);
        const journal = await repository.steps(episodeId);
        const done = journal.length;
        if (done < record.instance.chunks.length)
          throw new ServeError(
            "episode_not_finished",
            `episode ${episodeId} has applied ${done} of ${record.instance.chunks.length} steps: apply step ${done + 1} first`,
            ["episodeId"],
          );
        const { episode } = await drive(record, journal, { kind: "finish" });
        if (episode === undefined) throw new ServeError("internal", `episode ${episodeId} did not finish`);
        let samples: readonly TrainingSample[] | null;
        try {
          samples = toRolloutGroup([episode], { seed: record.settings.seed }).rollouts[0]!.samples;
        } catch (error) {
          // A client that sends no token ids and log-probs evaluates; it gets the rewards and no training records.
          if (!(error instanceof RunError && error.code === "not_recorded_for_training")) throw error;
          samples = null;
        }
        return {
          episodeId,
          instanceId: record.instance.instanceId,
          rollout: record.settings.rollout,
          steps: episode.stepRecords.map((stepRecord) => ({ step: stepRecord.step, rewards: stepRecord.rewards })),
          globalScore: episode.attribution.global,
          unattributed: episode.attribution.unattributed,
          samples,
        };
      });
    },

    async fork(episodeId) {
      const record = await recordOf(episodeId);
      const steps = await repository.steps(episodeId);
      const forked: EpisodeRecord = { ...record, episodeId: randomUUID(), forkedFrom: episodeId };
      await repository.create(forked, steps);
      return started(forked, steps);
    },

    async close(episodeId) {
      await repository.withEpisodeLock(episodeId, async () => {
        dropLive(episodeId);
        if (!(await repository.delete(episodeId)))
          throw new ServeError("unknown_episode", `no episode ${episodeId}`, ["episodeId"]);
      });
    },
  };
}
