/**
 * One entry point for per-question scores, routed by (protocol, data source) as docs/method.md §17 says:
 * - `memalpha` (the default for the YuWangX repos): Mem-α's `_compute_score`, whose float is the
 *   score; lme_train and the literal `longmemeval_s*` go to the LLM judge.
 * - `memoryagentbench` (the default for `ai-hyz` rows): MemoryAgentBench's `post_process`; the score
 *   is one of its figures — exact match of the parsed output for icl_*, EventQA recall for eventqa_*,
 *   ruler_recall for ruler_niah_*, substring exact match for every other route (ruler_qa,
 *   factconsolidation, longmemeval, infbench…) — and every figure goes into `details`.
 * A prediction holding `</think>` is scored on the text after it under both protocols (Mem-α's rule,
 * which docs/method.md §17 applies to every metric; MemoryAgentBench's own scorer has none). A rule the
 * originals do not score is reported with {@link UnsupportedMetricError}, never mapped to another.
 */
import {
  type CallOptions,
  type LanguageModel,
  type Metric,
  type MetricInput,
  type MetricProtocol,
  type MetricResult,
  metricResultValidator,
  SPECIFICATION_VERSION,
  throwIfAborted,
} from "@finemem/spec";
import { type JudgeOptions, judgeAnswer } from "./llm-judge.js";
import { computeMemalphaScore, isMemalphaJudgedSource, stripThinking } from "./memalpha-scorer.js";
import { postProcess } from "./memoryagentbench-scorer.js";
import { MetricInputError, UnsupportedMetricError } from "./metric-errors.js";

/** A question to score, with the protocol whose rules apply. */
export interface ScoreAnswerInput extends MetricInput {
  readonly protocol: MetricProtocol;
}

/** The judge for the judged sources, its sampling, and the abort signal. */
export interface ScoreAnswerOptions extends JudgeOptions {
  readonly judge?: LanguageModel;
  /**
   * Judge `longmemeval_s*` sources under memalpha too, as docs/method.md §17 reads Mem-α. Off by default:
   * Mem-α's recorded scorer compares the source with the literal string `longmemeval_s*`, so a real
   * `longmemeval_s` row is scored by substring match there (the goldens record that).
   */
  readonly judgeLongMemEval?: boolean;
}

/**
 * Scores one answer. Figures are plain numbers (a bool figure becomes 1 or 0); a judged score carries
 * `judge`.
 *
 * @throws {UnsupportedMetricError} for rules the originals do not score (recsys; ruler_niah under memalpha)
 * @throws {JudgeRequiredError} for a judged source without `options.judge`
 * @throws {MetricInputError} where the original scorer raises (an empty gold list, …)
 */
export async function scoreAnswer(input: ScoreAnswerInput, options: ScoreAnswerOptions = {}): Promise<MetricResult> {
  throwIfAborted(options.signal);
  let result: MetricResult;
  if (input.protocol === "memalpha") result = await scoreMemalpha(input, options);
  else if (input.protocol === "memoryagentbench") result = scoreMemoryAgentBench(input);
  else {
    const protocol: string = input.protocol;
    throw new UnsupportedMetricError(
      protocol,
      input.dataSource,
      protocol,
      "unknown protocol (expected memalpha or memoryagentbench)",
    );
  }
  // A guard on the port itself: every route must give a score in [0, 1] and numeric details.
  return metricResultValidator.parse(result);
}

async function scoreMemalpha(input: ScoreAnswerInput, options: ScoreAnswerOptions): Promise<MetricResult> {
  if (
    isMemalphaJudgedSource(input.dataSource) ||
    (options.judgeLongMemEval === true && input.dataSource.startsWith("longmemeval_s"))
  ) {
    return judgeAnswer(
      {
        dataSource: input.dataSource,
        gold: input.gold,
        prediction: stripThinking(input.prediction),
        ...(input.question === undefined ? {} : { question: input.question }),
      },
      options.judge,
      options,
    );
  }
  try {
    return { score: computeMemalphaScore(input.dataSource, input.prediction, input.gold) };
  } catch (error) {
    // Mem-α routes ruler_niah_* to a lookup of a figure that route never produces (KeyError): the
    // original cannot score it at all, which is a missing rule, not a bad input.
    if (error instanceof MetricInputError && error.kind === "missing_key") {
      throw new UnsupportedMetricError(
        "memalpha",
        input.dataSource,
        "memalpha:ruler_niah",
        "Mem-α's evaluate_wrt_source asks the ruler_niah route for substring_exact_match, which it does not compute (KeyError); use the memoryagentbench protocol",
        { cause: error },
      );
    }
    throw error;
  }
}

/** The MemoryAgentBench figure that is the score for a sub-dataset, following `post_process`'s routes. */
export function memoryAgentBenchPrimaryMetric(dataSource: string): string {
  if (dataSource.includes("icl")) return "exact_match";
  if (dataSource.includes("eventqa")) return "eventqa_recall";
  if (dataSource.includes("infbench") || dataSource.includes("longmemeval")) return "substring_exact_match";
  if ((dataSource.includes("ruler") || dataSource.includes("mermory_merging")) && dataSource.includes("ruler_niah"))
    return "ruler_recall";
  return "substring_exact_match";
}

function scoreMemoryAgentBench(input: ScoreAnswerInput): MetricResult {
  const { metrics } = postProcess(input.dataSource, stripThinking(input.prediction), input.gold);
  const details: Record<string, number> = {};
  for (const [name, value] of Object.entries(metrics)) details[name] = Number(value);
  const primary = memoryAgentBenchPrimaryMetric(input.dataSource);
  const score = details[primary];
  if (score === undefined) {
    throw new UnsupportedMetricError(
      "memoryagentbench",
      input.dataSource,
      `memoryagentbench:${primary}`,
      `the route computes no ${primary}`,
    );
  }
  return { score, details };
}

/**
 * The protocol's scorer as a spec `Metric`. `judged` is true when the metric may ask an LLM judge
 * (memalpha with a judge configured); each judged result names its judge.
 */
export function createMetric(
  protocol: MetricProtocol,
  options: {
    readonly judge?: LanguageModel;
    readonly sampling?: JudgeOptions["sampling"];
    readonly judgeLongMemEval?: boolean;
  } = {},
): Metric {
  return {
    specificationVersion: SPECIFICATION_VERSION,
    name: protocol === "memalpha" ? "memalpha_compute_score" : "memoryagentbench_post_process",
    protocol,
    judged: protocol === "memalpha" && options.judge !== undefined,
    score(input: MetricInput, callOptions: CallOptions = {}) {
      return scoreAnswer(
        { ...input, protocol },
        {
          ...(options.judge === undefined ? {} : { judge: options.judge }),
          ...(options.sampling === undefined ? {} : { sampling: options.sampling }),
          ...(options.judgeLongMemEval === undefined ? {} : { judgeLongMemEval: options.judgeLongMemEval }),
          ...(callOptions.signal === undefined ? {} : { signal: callOptions.signal }),
        },
      );
    },
  };
}
