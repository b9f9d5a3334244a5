/**
 * Metrics: a router by (protocol, data source) over the original Python scorers of Mem-α and
 * MemoryAgentBench (ported figure for figure, checked against the shared goldens; the ports
 * themselves are the `python-ports` entry), this project's LLM judge, and result tables.
 */
export {
  type AggregateTable,
  type AverageAggregate,
  aggregateScores,
  type CompetencyAggregate,
  type DataSourceAggregate,
  type InstanceAggregate,
  type ScoreRow,
} from "./aggregate.js";
export { isJudgeVerdictCorrect, JUDGE_PROMPT_HASH, JUDGE_PROMPT_VERSION, type JudgeOptions } from "./llm-judge.js";
export {
  AggregationInputError,
  JudgeRequiredError,
  MetricInputError,
  type MetricInputErrorKind,
  UnsupportedMetricError,
} from "./metric-errors.js";
export {
  createMetric,
  memoryAgentBenchPrimaryMetric,
  type ScoreAnswerInput,
  type ScoreAnswerOptions,
  scoreAnswer,
} from "./metric-router.js";
