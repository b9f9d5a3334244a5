/**
 * Metrics: a router by (protocol, data source) over the original Python scorers of Mem-α and
 * MemoryAgentBench (ported figure for figure, checked against the shared goldens; the ports
 * themselves are the `python-ports` entry), this project's LLM judge, and result tables.
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
export { JUDGE_PROMPT_HASH, JUDGE_PROMPT_VERSION, isJudgeVerdictCorrect, type JudgeOptions } from "./llm-judge.js";
export {
  AggregationInputError,
  JudgeRequiredError,
  MetricInputError,
  UnsupportedMetricError,
  type MetricInputErrorKind,
} from "./metric-errors.js";
export { createMetric, memoryAgentBenchPrimaryMetric, scoreAnswer, type ScoreAnswerInput, type ScoreAnswerOptions } from "./metric-router.js";
