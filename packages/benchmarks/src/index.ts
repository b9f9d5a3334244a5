/**
 * @finemem/benchmarks: everything needed to evaluate a memory manager as the Mem-α and Fine-Mem
 * papers did. MemoryAgentBench and Memalpha loaders (the Hugging Face hub through the standard HF
 * cache, a local mirror, or one file), sentence chunking to an o200k budget, scoring routed by
 * (protocol, data source) through the original Python scorers ported exactly, result tables, and a
 * seeded synthetic benchmark that needs no download and no model. The ported scorers' own functions
 * (`postProcess`, `normalizeAnswer`, ROUGE, …) are on `@finemem/benchmarks/python-ports`.
 */
export { DatasetError, type DatasetErrorCode, type DatasetLocation, type SkippedRow } from "./dataset-error.js";

// Where files come from.
export type { DatasetFileSource, ResolvedDatasetFile } from "./sources/dataset-file-source.js";
export { createHubSource, type HubSourceOptions } from "./sources/hub-source.js";
export { createLocalDirectorySource, createSingleFileSource, type LocalDirectorySourceOptions, type SingleFileSourceOptions } from "./sources/local-source.js";
export { PINNED_REVISIONS, defaultRevision, type RevisionChoice } from "./sources/revision-policy.js";

// Loaders.
export type { BadRowPolicy } from "./loaders/bad-rows.js";
export type { LoadProgress, ProgressOptions } from "./loaders/load-progress.js";
export { MEMORY_AGENT_BENCH_SPLITS, MEMORY_AGENT_BENCH_SPLIT_NAMES, type MemoryAgentBenchSplit } from "./loaders/data-sources.js";
export { MEMALPHA_REPOS, createMemalphaLoader, type MemalphaLoaderOptions, type MemalphaRepo } from "./loaders/memalpha-loader.js";
export { MEMORY_AGENT_BENCH_REPO, createMemoryAgentBenchLoader, type MemoryAgentBenchLoaderOptions } from "./loaders/memory-agent-bench-loader.js";

// Scoring and tables.
export {
  AggregationInputError,
  JUDGE_PROMPT_HASH,
  JUDGE_PROMPT_VERSION,
  JudgeRequiredError,
  MetricInputError,
  UnsupportedMetricError,
  aggregateScores,
  createMetric,
  isJudgeVerdictCorrect,
  memoryAgentBenchPrimaryMetric,
  scoreAnswer,
  type AggregateTable,
  type AverageAggregate,
  type CompetencyAggregate,
  type DataSourceAggregate,
  type InstanceAggregate,
  type JudgeOptions,
  type MetricInputErrorKind,
  type ScoreAnswerInput,
  type ScoreAnswerOptions,
  type ScoreRow,
} from "./metrics/index.js";

// The synthetic benchmark.
export {
  SYNTHETIC_DATA_SOURCE,
  SYNTHETIC_GENERATOR_VERSION,
  SYNTHETIC_REPO,
  SYNTHETIC_REVISION,
  SyntheticOptionsError,
  createSyntheticLoader,
  generateSyntheticBenchmark,
  generateSyntheticInstance,
  parseSyntheticQuestion,
  parseSyntheticStatement,
  resolveSyntheticOptions,
  serializeSyntheticBenchmark,
  type ParsedQuestion,
  type ParsedStatement,
  type SyntheticOptions,
  type SyntheticOptionsErrorCode,
  type SyntheticOptionsInput,
} from "./synthetic/index.js";
export type { AttributeId as SyntheticAttributeId } from "./synthetic/vocabulary.js";
