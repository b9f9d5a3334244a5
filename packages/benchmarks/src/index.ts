/**
 * @finemem/benchmarks: everything needed to evaluate a memory manager as the Mem-α and Fine-Mem
 * papers did. MemoryAgentBench and Memalpha loaders (the Hugging Face hub through the standard HF
 * cache, a local mirror, or one file), sentence chunking to an o200k budget, scoring routed by
 * (protocol, data source) through the original Python scorers ported exactly, result tables, and a
 * seeded synthetic benchmark that needs no download and no model. The ported scorers' own functions
 * (`postProcess`, `normalizeAnswer`, ROUGE, …) are on `@finemem/benchmarks/python-ports`.
 */
export { DatasetError, type DatasetErrorCode, type DatasetLocation, type SkippedRow } from "./dataset-error.js";
// Loaders.
export type { BadRowPolicy } from "./loaders/bad-rows.js";
export {
  MEMORY_AGENT_BENCH_SPLIT_NAMES,
  MEMORY_AGENT_BENCH_SPLITS,
  type MemoryAgentBenchSplit,
} from "./loaders/data-sources.js";
export type { LoadProgress, ProgressOptions } from "./loaders/load-progress.js";
export {
  createMemalphaLoader,
  MEMALPHA_REPOS,
  type MemalphaLoaderOptions,
  type MemalphaRepo,
} from "./loaders/memalpha-loader.js";
export {
  createMemoryAgentBenchLoader,
  MEMORY_AGENT_BENCH_REPO,
  type MemoryAgentBenchLoaderOptions,
} from "./loaders/memory-agent-bench-loader.js";
// Scoring and tables.
export {
  type AggregateTable,
  AggregationInputError,
  type AverageAggregate,
  aggregateScores,
  type CompetencyAggregate,
  createMetric,
  type DataSourceAggregate,
  type InstanceAggregate,
  isJudgeVerdictCorrect,
  JUDGE_PROMPT_HASH,
  JUDGE_PROMPT_VERSION,
  type JudgeOptions,
  JudgeRequiredError,
  MetricInputError,
  type MetricInputErrorKind,
  memoryAgentBenchPrimaryMetric,
  type ScoreAnswerInput,
  type ScoreAnswerOptions,
  type ScoreRow,
  scoreAnswer,
  UnsupportedMetricError,
} from "./metrics/index.js";
// Where files come from.
export type { DatasetFileSource, ResolvedDatasetFile } from "./sources/dataset-file-source.js";
export { createHubSource, type HubSourceOptions } from "./sources/hub-source.js";
export {
  createLocalDirectorySource,
  createSingleFileSource,
  type LocalDirectorySourceOptions,
  type SingleFileSourceOptions,
} from "./sources/local-source.js";
export { defaultRevision, PINNED_REVISIONS, type RevisionChoice } from "./sources/revision-policy.js";

// The synthetic benchmark.
export {
  createSyntheticLoader,
  generateSyntheticBenchmark,
  generateSyntheticInstance,
  type ParsedQuestion,
  type ParsedStatement,
  parseSyntheticQuestion,
  parseSyntheticStatement,
  resolveSyntheticOptions,
  SYNTHETIC_DATA_SOURCE,
  SYNTHETIC_GENERATOR_VERSION,
  SYNTHETIC_REPO,
  SYNTHETIC_REVISION,
  type SyntheticOptions,
  SyntheticOptionsError,
  type SyntheticOptionsErrorCode,
  type SyntheticOptionsInput,
  serializeSyntheticBenchmark,
} from "./synthetic/index.js";
export type { AttributeId as SyntheticAttributeId } from "./synthetic/vocabulary.js";
