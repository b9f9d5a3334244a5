import { createMetric } from "@finemem/benchmarks";
import {
  type CallOptions,
  type ChunkQuestion,
  DEFAULT_CHUNK_QUESTION_METRIC,
  type Id,
  type MemoryView,
  type Metric,
  type MetricProtocol,
  type Reasoner,
} from "@finemem/spec";
import { mapWithConcurrency, positiveInteger } from "@finemem/utils";
import { invalidOption } from "./step-reward-error.js";

/** Default reasoner calls in flight. */
export const DEFAULT_STEP_SCORER_CONCURRENCY = 8;

export interface ChunkStepScorerOptions {
  /** The frozen reasoning agent (the same one that answers the global questions). */
  readonly reasoner: Reasoner;
  /**
   * One metric for every question, overriding each question's own route. Default: each question is
   * scored by the metric its pair was verified with (`question.metric`, or
   * `DEFAULT_CHUNK_QUESTION_METRIC`, substring exact match), never by the instance's data source: a
   * chunk question is a factoid about the chunk whatever benchmark the chunk came from.
   */
  readonly metric?: Metric;
  /** Reasoner calls in flight at once, across every step of a batch. Default 8. */
  readonly concurrency?: number;
}

/** Step t's questions with the memory right after the step. */
export interface ChunkStepInput {
  readonly step: number;
  readonly questions: readonly ChunkQuestion[];
  /** M_t: the memory after step t's operations were applied. */
  readonly memory: MemoryView;
}

export interface ChunkAnswer {
  readonly questionId: Id;
  readonly answer: string;
  readonly score: number;
  /** The items the reasoner retrieved, best first. */
  readonly retrievedItemIds: readonly Id[];
}

export interface ChunkStepScore {
  readonly step: number;
  /** r_chunk(t): the mean score of the step's questions (the share answered correctly under a 0/1 metric); null without questions. */
  readonly score: number | null;
  readonly answers: readonly ChunkAnswer[];
}

export interface ChunkStepScorer {
  readonly reasonerId: string;
  scoreStep(input: ChunkStepInput, options?: CallOptions): Promise<ChunkStepScore>;
  /** Every question of every step through one pool of `concurrency` calls; results in input order. */
  scoreSteps(inputs: readonly ChunkStepInput[], options?: CallOptions): Promise<ChunkStepScore[]>;
}

/**
 * The chunk-level step reward (docs/method.md §6): after step t the reasoning agent answers chunk t's K
 * questions from M_t, and r_chunk(t) = (1/K) Σ_j correct_j. Answers of many steps (or many rollouts)
 * share one bounded pool, so a served reasoner sees a steady batch of requests.
 */
export function createChunkStepScorer(options: ChunkStepScorerOptions): ChunkStepScorer {
  const concurrency = positiveInteger(
    "concurrency",
    options.concurrency ?? DEFAULT_STEP_SCORER_CONCURRENCY,
    invalidOption,
  );
  const metrics = new Map<MetricProtocol, Metric>();
  const metricFor = (protocol: MetricProtocol): Metric => {
    if (options.metric !== undefined) return options.metric;
    let metric = metrics.get(protocol);
    if (metric === undefined) {
      metric = createMetric(protocol);
      metrics.set(protocol, metric);
    }
    return metric;
  };

  const scoreSteps = async (
    inputs: readonly ChunkStepInput[],
    callOptions: CallOptions = {},
  ): Promise<ChunkStepScore[]> => {
    const tasks = inputs.flatMap((input) => input.questions.map((question) => ({ input, question })));
    const answers = await mapWithConcurrency(
      tasks,
      concurrency,
      async ({ input, question }): Promise<ChunkAnswer> => {
        // No data source goes to the reasoner: a per-source instruction (the `\boxed{label}` of the
        // classification sources) would be wrong for a factoid question about the chunk.
        const record = await options.reasoner.answer(
          { question: { id: question.id, text: question.question }, memory: input.memory },
          callOptions,
        );
        const route = question.metric ?? DEFAULT_CHUNK_QUESTION_METRIC;
        const { score } = await metricFor(route.protocol).score(
          { prediction: record.answer, gold: question.gold, dataSource: route.dataSource, question: question.question },
          callOptions,
        );
        return {
          questionId: question.id,
          answer: record.answer,
          score,
          retrievedItemIds: record.retrieved.map((item) => item.itemId),
        };
      },
      callOptions.signal,
    );
    let next = 0;
    return inputs.map((input) => {
      const start = next;
      next += input.questions.length;
      const own = answers.slice(start, next);
      return {
        step: input.step,
        score: own.length === 0 ? null : own.reduce((sum, answer) => sum + answer.score, 0) / own.length,
        answers: own,
      };
    });
  };

  return {
    reasonerId: options.reasoner.reasonerId,
    scoreSteps,
    async scoreStep(input, callOptions) {
      return (await scoreSteps([input], callOptions))[0]!;
    },
  };
}
