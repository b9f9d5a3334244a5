/**
 * @finemem/benchmarks: everything needed to evaluate a memory manager as the Mem-α and Fine-Mem
 * papers did. MemoryAgentBench and Memalpha loaders (the Hugging Face hub through the standard HF
 * cache, a local mirror, or one file), sentence chunking to an o200k budget, the original Python
 * scorers ported exactly, routing by (protocol, data source), result tables, and a seeded synthetic
 * benchmark that needs no download and no model.
 */
export { DatasetError, type DatasetErrorCode, type DatasetLocation, type SkippedRow } from "./dataset-error.js";

// Where files come from.
export type { DatasetFileSource, ResolvedDatasetFile } from "./sources/dataset-file-source.js";
export { createHubSource, type HubCacheMode, type HubSourceOptions } from "./sources/hub-source.js";
export { createLocalDirectorySource, createSingleFileSource, type LocalDirectorySourceOptions, type SingleFileSourceOptions } from "./sources/local-source.js";
export { KNOWN_DATASET_REPOS, PINNED_REVISIONS, defaultRevision, type RevisionChoice } from "./sources/revision-policy.js";

// Loaders.
export type { BadRowPolicy } from "./loaders/bad-rows.js";
export type { LoadProgress, ProgressOptions } from "./loaders/load-progress.js";
export { MEMORY_AGENT_BENCH_SPLITS, MEMORY_AGENT_BENCH_SPLIT_NAMES, competencyOf, type MemoryAgentBenchSplit } from "./loaders/data-sources.js";
export { MEMALPHA_REPOS, createMemalphaLoader, type MemalphaLoaderOptions, type MemalphaRepo } from "./loaders/memalpha-loader.js";
export { MEMORY_AGENT_BENCH_REPO, createMemoryAgentBenchLoader, type MemoryAgentBenchLoaderOptions } from "./loaders/memory-agent-bench-loader.js";

// Chunking.
export { DEFAULT_CHUNK_TOKENS, packSentences, type PackOptions, type PackedChunk } from "./chunking/pack-sentences.js";
export { splitSentences, type SentenceSpan } from "./chunking/split-sentences.js";

// Metrics and tables.
export {
  AggregationInputError,
  JUDGE_PROMPT_HASH,
  JUDGE_PROMPT_TEMPLATE,
  JUDGE_PROMPT_VERSION,
  JudgeRequiredError,
  MetricInputError,
  UnsupportedMetricError,
  aggregateScores,
  buildJudgePrompt,
  calculateMetrics,
  computeMemalphaScore,
  createMetric,
  defaultPostProcess,
  drqaExactMatchScore,
  drqaMetricMaxOverGroundTruths,
  evaluateWrtSource,
  extractAnswerFromResponse,
  f1Score,
  isJudgeVerdictCorrect,
  judgeAnswer,
  memoryAgentBenchPrimaryMetric,
  normalizeAnswer,
  parseOutput,
  porterStem,
  postProcess,
  rougeL,
  rougeLScores,
  rougeLsum,
  rougeTokenize,
  scoreAnswer,
  stripThinking,
  substringExactMatchScore,
  type AggregateTable,
  type AverageAggregate,
  type CalculatedMetrics,
  type CompetencyAggregate,
  type DataSourceAggregate,
  type DefaultPostProcessResult,
  type GoldMetric,
  type InstanceAggregate,
  type JudgeInput,
  type JudgeOptions,
  type MetricInputErrorKind,
  type MetricValue,
  type MetricsDict,
  type PostProcessResult,
  type RougeLScores,
  type RougeScore,
  type ScoreAnswerInput,
  type ScoreAnswerOptions,
  type ScoreRow,
} from "./metrics/index.js";

// The synthetic benchmark.
export {
  SYNTHETIC_DATA_SOURCE,
  SYNTHETIC_DEFAULT_OPTIONS,
  SYNTHETIC_GENERATOR_VERSION,
  SYNTHETIC_LOADER_ID,
  SYNTHETIC_MAX_STATEMENTS,
  SYNTHETIC_REPO,
  SYNTHETIC_REVISION,
  SyntheticOptionsError,
  createSyntheticLoader,
  generateSyntheticBenchmark,
  generateSyntheticInstance,
  parseSyntheticBenchmark,
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
