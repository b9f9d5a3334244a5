/**
 * Metrics: the original Python scorers of Mem-α and MemoryAgentBench ported figure for figure (checked
 * against the shared goldens), a router by (protocol, data source), this project's LLM judge, and
 * result tables.
 */
export {
  aggregateScores,
  type AggregateTable,
  type AverageAggregate,
  type CompetencyAggregate,
  type DataSourceAggregate,
  type InstanceAggregate,
  type ScoreRow,
} from "./aggregate.js";
export {
  JUDGE_PROMPT_HASH,
  JUDGE_PROMPT_TEMPLATE,
  JUDGE_PROMPT_VERSION,
  buildJudgePrompt,
  isJudgeVerdictCorrect,
  judgeAnswer,
  type JudgeInput,
  type JudgeOptions,
} from "./llm-judge.js";
export { computeMemalphaScore, evaluateWrtSource, extractAnswerFromResponse, isMemalphaJudgedSource, stripThinking } from "./memalpha-scorer.js";
export {
  calculateMetrics,
  defaultPostProcess,
  drqaExactMatchScore,
  drqaMetricMaxOverGroundTruths,
  f1Score,
  normalizeAnswer,
  parseOutput,
  postProcess,
  substringExactMatchScore,
  type CalculatedMetrics,
  type DefaultPostProcessResult,
  type GoldMetric,
  type MetricValue,
  type MetricsDict,
  type PostProcessResult,
} from "./memoryagentbench-scorer.js";
export {
  AggregationInputError,
  JudgeRequiredError,
  MetricInputError,
  UnsupportedMetricError,
  type MetricInputErrorKind,
} from "./metric-errors.js";
export { createMetric, memoryAgentBenchPrimaryMetric, scoreAnswer, type ScoreAnswerInput, type ScoreAnswerOptions } from "./metric-router.js";
export { porterStem } from "./porter-stemmer.js";
export { rougeFmeasure, rougeL, rougeLScores, rougeLsum, rougeTokenize, type RougeLScores, type RougeScore } from "./rouge.js";
