import { createMetric } from "@finemem/benchmarks";
import {
  attributeEpisode,
  type EpisodeAttribution,
  QUESTION_SAMPLE_FRACTIONS,
  type RecordEvidenceSource,
  subsampleQuestions,
} from "@finemem/evidence";
import { createInMemoryStore, createTokenLedger } from "@finemem/memory";
import {
  type BenchmarkInstance,
  type GlobalQuestion,
  type MemoryPolicy,
  type MemoryStore,
  type MemoryView,
  type Metric,
  type Namespace,
  type ProvenancePolicy,
  type Reasoner,
  type RewardWeights,
  type StepRecord,
  stepRecordValidator,
  type TokenCounter,
  throwIfAborted,
} from "@finemem/spec";
import {
  type ContentValidityJudge,
  composeStepRewards,
  compressionReward,
  createChunkStepScorer,
  formatReward,
  resolveRewardWeights,
} from "@finemem/step-reward";
import { createO200kTokenCounter, mapWithConcurrency, positiveInteger } from "@finemem/utils";
import { invalidRunOption, RunError } from "../run/run-error.js";
import {
  createMemoryCheckpoint,
  type EpisodeCheckpoint,
  type RecordedQuestion,
  type RecordedStep,
} from "./episode-checkpoint.js";

/** How an episode's rewards are computed (docs/method.md §10–§14); every field has the paper's default. */
export interface EpisodeRewardOptions {
  /** β and the component weights, merged over spec's defaults. */
  readonly weights?: Partial<RewardWeights>;
  /** φ, default `last-writer`. */
  readonly provenance?: ProvenancePolicy;
  /** Which items of a record are the evidence M_j: `retrieved` (the paper's, default) or `cited`. */
  readonly evidence?: RecordEvidenceSource;
  /** Whether an explicit SKIP is a successful call for r_format (default true). */
  readonly skipSucceeds?: boolean;
  /** Share of the global questions scored: 1 for evaluation (default), 0.2 in training. */
  readonly questionFraction?: number;
  /**
   * Judges each step's written entries against its chunk for r_content(t). Required when
   * `weights.content` > 0 (the judge runs only then); a `RunError` `content_judge_required` otherwise.
   */
  readonly contentJudge?: ContentValidityJudge;
}

/** One unit of work finished: a step or a global question; `resumed` when it came from the checkpoint. */
export interface EpisodeProgress {
  readonly kind: "step" | "question";
  readonly resumed: boolean;
}

export interface RunEpisodeOptions {
  readonly instance: BenchmarkInstance;
  readonly policy: MemoryPolicy;
  /** The frozen reasoning agent: it answers each chunk's questions after its step and the global questions on M_T. */
  readonly reasoner: Reasoner;
  /** Where memory lives; default a new in-memory store in the policy's layout. Must hold no steps of `namespace` yet. */
  readonly store?: MemoryStore;
  /** Default `{ run: <instanceId> }`. */
  readonly namespace?: Namespace;
  /** Recorded in the step records. Default `episode`. */
  readonly runId?: string;
  /** Which of the G rollouts this is (0-based). */
  readonly rollout?: number;
  /**
   * Seeds the question subsample (when `questionFraction` < 1) together with the instance id, and
   * not the rollout: the G rollouts of one instance answer the same questions, as GRPO compares them.
   * A trainer passes a new seed per iteration. Default `runId`.
   */
  readonly seed?: string;
  /**
   * Scores the global questions. Default: the instance protocol's scorer. Chunk questions are not
   * scored by it: each is scored by the metric its pair was verified with (`ChunkQuestion.metric`,
   * substring exact match by default).
   */
  readonly metric?: Metric;
  readonly rewards?: EpisodeRewardOptions;
  /** Reasoner calls in flight for the chunk questions of a step, and for the global questions. Default 8. */
  readonly concurrency?: number;
  /** Counts memory and chunk lengths; default o200k. */
  readonly tokenCounter?: TokenCounter;
  /** Finished steps and questions to replay instead of recomputing, and where new ones are recorded. */
  readonly checkpoint?: EpisodeCheckpoint;
  readonly onProgress?: (event: EpisodeProgress) => void;
  /**
   * A training rollout: the policy is asked for what a trainer needs (token ids and behaviour
   * log-probabilities, or its replay payload). Default false (evaluation).
   */
  readonly training?: boolean;
  readonly signal?: AbortSignal;
}

export interface EpisodeResult {
  readonly instance: BenchmarkInstance;
  readonly rollout: number;
  readonly policyId: string;
  readonly reasonerId: string;
  /** The run log's lines, one per step, every reward component beside the total. */
  readonly stepRecords: readonly StepRecord[];
  readonly steps: readonly RecordedStep[];
  /** The scored global questions, in the instance's order. */
  readonly questions: readonly RecordedQuestion[];
  readonly attribution: EpisodeAttribution;
  /** r_comp. */
  readonly compression: number;
  /** L(M_T) and Σ_t L(c_t) in tokens. */
  readonly memoryTokens: number;
  readonly chunkTokens: number;
  readonly finalView: MemoryView;
  readonly store: MemoryStore;
  readonly namespace: Namespace;
}

export const DEFAULT_EPISODE_CONCURRENCY = 8;

/**
 * One episode: chunks → policy → store, each chunk's questions answered from M_t right after its
 * step, the global questions answered on M_T and scored by the data source's metric, then every
 * per-step reward (format, chunk, evidence N_t, r_EARA, compression) composed and kept apart.
 *
 * With a checkpoint, finished steps are replayed through the store (their recorded operations,
 * no policy or reasoner call) and finished questions are reused; a replay that the store answers
 * differently is a `resume_mismatch`, never silently mixed.
 */
export async function runEpisode(options: RunEpisodeOptions): Promise<EpisodeResult> {
  const { instance, policy, reasoner, signal } = options;
  const concurrency = positiveInteger(
    "concurrency",
    options.concurrency ?? DEFAULT_EPISODE_CONCURRENCY,
    invalidRunOption,
  );
  const store = options.store ?? createInMemoryStore({ layout: policy.layout });
  const namespace = options.namespace ?? { run: instance.instanceId };
  const runId = options.runId ?? "episode";
  const rollout = options.rollout ?? 0;
  const metric = options.metric ?? createMetric(instance.protocol);
  const checkpoint = options.checkpoint ?? createMemoryCheckpoint();
  const ledger = createTokenLedger(options.tokenCounter ?? createO200kTokenCounter());
  const rewards = options.rewards ?? {};
  // Chunk questions route by their own recorded metric, never by the instance's (see `metric`).
  const scorer = createChunkStepScorer({ reasoner, concurrency });
  const weights = resolveRewardWeights(rewards.weights);
  if (weights.content > 0 && rewards.contentJudge === undefined) {
    throw new RunError(
      "content_judge_required",
      `rewards.weights.content is ${weights.content}, but no content-validity judge was given: pass rewards.contentJudge (createContentValidityJudge from @finemem/step-reward) or set the weight to 0`,
      ["rewards", "contentJudge"],
    );
  }
  // The judge runs only when its term counts.
  const contentJudge = weights.content > 0 ? rewards.contentJudge : undefined;
  const evidenceSource = rewards.evidence ?? "retrieved";
  if (evidenceSource === "cited" && reasoner.cites === false) {
    throw new RunError(
      "evidence_not_cited",
      `rewards.evidence is "cited", but reasoner ${reasoner.reasonerId} does not cite: use a citing reasoner (e.g. createLlmReasoner({ cite: true })) or evidence "retrieved"`,
      ["rewards", "evidence"],
    );
  }
  const progress = options.onProgress ?? (() => {});
  const callOptions = signal === undefined ? {} : { signal };
  const judgeContent = async (
    chunk: BenchmarkInstance["chunks"][number],
    decision: RecordedStep["decision"],
    results: RecordedStep["results"],
  ): Promise<number | null> => {
    if (contentJudge === undefined) return null;
    // Only what the store applied was written; a rejected INSERT wrote nothing to judge.
    const applied = decision.operations.filter((_, position) => results[position]?.status === "applied");
    return (await contentJudge.judge({ chunk, operations: applied }, callOptions)).score;
  };

  const steps: RecordedStep[] = [];
  for (const [index, chunk] of instance.chunks.entries()) {
    throwIfAborted(signal);
    const step = index + 1;
    const operationsOf = (decision: RecordedStep["decision"]) =>
      decision.operations.map((operation, position) => ({ operationId: `s${step}.${position}`, operation }));
    const recorded = checkpoint.steps.get(step);
    if (recorded !== undefined) {
      const results = await store.apply(
        { namespace, step, sourceChunkId: chunk.id, operations: operationsOf(recorded.decision) },
        callOptions,
      );
      if (JSON.stringify(results) !== JSON.stringify(recorded.results) || recorded.chunkId !== chunk.id) {
        throw new RunError(
          "resume_mismatch",
          `instance ${instance.instanceId} rollout ${rollout} step ${step}: replaying the recorded operations gave other outcomes than recorded; the journal belongs to another run or store`,
          ["steps", step],
        );
      }
      // A journal written without the judge (or before it recorded r_content) is judged now.
      const replayed =
        contentJudge !== undefined && recorded.contentScore === undefined
          ? { ...recorded, contentScore: await judgeContent(chunk, recorded.decision, recorded.results) }
          : recorded;
      steps.push(replayed);
      progress({ kind: "step", resumed: true });
      continue;
    }
    const decision = await policy.decide(
      {
        step,
        chunk,
        view: await store.view(namespace, callOptions),
        instanceId: instance.instanceId,
        ...(options.training === true ? { training: true } : {}),
      },
      callOptions,
    );
    const results = await store.apply(
      { namespace, step, sourceChunkId: chunk.id, operations: operationsOf(decision) },
      callOptions,
    );
    const memory = await store.view(namespace, callOptions);
    const chunkScore = await scorer.scoreStep(
      { step, questions: instance.chunkQuestions[index] ?? [], memory },
      callOptions,
    );
    const contentScore = await judgeContent(chunk, decision, results);
    const finished: RecordedStep = {
      step,
      chunkId: chunk.id,
      decision,
      results,
      chunkScore: chunkScore.score,
      chunkAnswers: chunkScore.answers,
      ...(contentJudge === undefined ? {} : { contentScore }),
      memoryTokens: ledger.view(memory),
    };
    await checkpoint.recordStep(finished);
    steps.push(finished);
    progress({ kind: "step", resumed: false });
  }

  const finalView = await store.view(namespace, callOptions);
  const asked = subsampleQuestions(instance.questions, {
    fraction: rewards.questionFraction ?? QUESTION_SAMPLE_FRACTIONS.evaluation,
    seed: `${options.seed ?? runId}/${instance.instanceId}`,
  });
  const questions = await mapWithConcurrency(
    asked,
    concurrency,
    async (question) => {
      const recorded = checkpoint.questions.get(question.id);
      if (recorded !== undefined) {
        progress({ kind: "question", resumed: true });
        return recorded;
      }
      const answered = await answerQuestion(question, instance, reasoner, metric, finalView, signal);
      if (evidenceSource === "cited" && answered.record.citedItemIds === undefined) {
        // Without cited ids every question would go to U in silence: the reward would be wrong, not low.
        throw new RunError(
          "evidence_not_cited",
          `rewards.evidence is "cited", but reasoner ${reasoner.reasonerId} answered question ${question.id} without citedItemIds: use a citing reasoner (e.g. createLlmReasoner({ cite: true })) or evidence "retrieved"`,
          ["rewards", "evidence"],
        );
      }
      await checkpoint.recordQuestion(answered);
      progress({ kind: "question", resumed: false });
      return answered;
    },
    signal,
  );

  const attribution = await attributeEpisode({
    store,
    namespace,
    steps: instance.chunks.length,
    evidence: questions.map((question) => question.record),
    source: evidenceSource,
    ...(rewards.provenance === undefined ? {} : { provenance: rewards.provenance }),
    beta: weights.beta,
    ...callOptions,
  });
  const memoryTokens = ledger.view(finalView);
  const chunkTokenCounts = instance.chunks.map((chunk) => ledger.text(chunk.text));
  const chunkTokens = chunkTokenCounts.reduce((sum, count) => sum + count, 0);
  const compression = compressionReward({ memoryTokens, chunkTokens: chunkTokenCounts });
  const components = composeStepRewards(
    steps.map((step, index) => ({
      format: formatReward(
        step.decision,
        step.results,
        rewards.skipSucceeds === undefined ? {} : { skipSucceeds: rewards.skipSucceeds },
      ).score,
      chunk: step.chunkScore,
      evidence: attribution.evidence[index] ?? 0,
      eara: attribution.eara[index] ?? 0,
      content: step.contentScore ?? null,
    })),
    { compression, weights },
  );
  // Each record is checked, and kept as built rather than as the validator's copy: its operations,
  // results and parse outcomes are then the objects the episode already holds. A copy of every one
  // at the end of a 10 MB episode, beside the originals, was most of what its memory peaked on.
  const stepRecords = steps.map((step, index) =>
    validatedAsBuilt({
      runId,
      instanceId: instance.instanceId,
      rollout,
      step: step.step,
      chunkId: step.chunkId,
      operations: step.decision.operations.map((operation, position) => ({
        operationId: `s${step.step}.${position}`,
        operation,
      })),
      results: step.results,
      parseOutcomes: step.decision.parseOutcomes,
      actionLogprob: step.decision.actionLogprob,
      rewards: components[index]!,
      memoryTokens: step.memoryTokens,
    }),
  );
  return {
    instance,
    rollout,
    policyId: policy.policyId,
    reasonerId: reasoner.reasonerId,
    stepRecords,
    steps,
    questions,
    attribution,
    compression,
    memoryTokens,
    chunkTokens,
    finalView,
    store,
    namespace,
  };
}

async function answerQuestion(
  question: GlobalQuestion,
  instance: BenchmarkInstance,
  reasoner: Reasoner,
  metric: Metric,
  memory: MemoryView,
  signal: AbortSignal | undefined,
): Promise<RecordedQuestion> {
  const callOptions = signal === undefined ? {} : { signal };
  const record = await reasoner.answer(
    { question: { id: question.id, text: question.question, dataSource: instance.dataSource }, memory },
    callOptions,
  );
  const scored = await metric.score(
    { prediction: record.answer, gold: question.gold, dataSource: instance.dataSource, question: question.question },
    callOptions,
  );
  return {
    questionId: question.id,
    record: { ...record, score: scored.score },
    ...(scored.details === undefined ? {} : { details: scored.details }),
  };
}

/** `record` itself once the step record validator accepts it (its copy is dropped); throws as `parse` does. */
function validatedAsBuilt(record: StepRecord): StepRecord {
  stepRecordValidator.parse(record);
  return record;
}
