/**
 * finemem: the orchestration package. Runs episodes (chunks → policy → store → every per-step
 * reward, G rollouts from one state), evaluates memory managers on benchmark instances with resumable
 * JSONL logs and HTML reports, and puts a memory manager behind a live agent (`observe` turns,
 * `recall` evidence). The `finemem` command line wraps it.
 */
export { runEpisode, DEFAULT_EPISODE_CONCURRENCY, type EpisodeProgress, type EpisodeResult, type EpisodeRewardOptions, type RunEpisodeOptions } from "./episode/run-episode.js";
export { runRollouts, type RunRolloutsOptions } from "./episode/run-rollouts.js";
export { toRolloutGroup, type ToRolloutGroupOptions } from "./episode/to-rollout-group.js";
export { createMemoryCheckpoint, type EpisodeCheckpoint, type RecordedQuestion, type RecordedStep } from "./episode/episode-checkpoint.js";
export { evaluate, type EvaluateOptions, type Evaluation, type EvaluationProgress, type ManifestDetails } from "./run/evaluate.js";
export { openEpisodeJournal } from "./run/episode-journal.js";
export { RunError, type RunErrorCode } from "./run/run-error.js";
export { RUN_FILES, EVIDENCE_CONTENT_CHARS, type EpisodeLine, type EvidenceChainItem, type OperationMix, type QuestionResultLine, type RunSummary } from "./run/run-files.js";
export { aggregationKey, metricNameOf, scoreRowsOf } from "./run/run-aggregates.js";
export { createProgressReporter, type ProgressReporter, type ProgressReporterOptions, type UsageCounters } from "./run/progress-reporter.js";
export { MODEL_ROLES, configSchema, type DatasetConfig, type FineMemConfig, type FineMemConfigInput, type ModelRole, type ModelRoleConfig, type PolicyConfig, type ReasonerConfig } from "./config/config-schema.js";
export { CONFIG_ENV, ConfigError, loadConfig, type ConfigOverride, type ConfigSources, type LoadedConfig } from "./config/load-config.js";
export { buildComponents, defaultRunId, type BuildOptions, type RunComponents } from "./config/build-components.js";
export { runCli, USAGE } from "./cli/main.js";
export type { CliIo } from "./cli/cli-io.js";
export { formatResultsTable } from "./cli/results-table.js";
export {
  DEFAULT_MANAGER_CHUNK_TOKENS,
  DEFAULT_RECALL_TOP_K,
  createMemoryManager,
  type MemoryManager,
  type MemoryManagerOptions,
  type MemoryStep,
  type Recall,
  type RecallOptions,
  type RecalledItem,
} from "./agent/memory-manager.js";
export { MemoryManagerError, type MemoryManagerErrorCode } from "./agent/memory-manager-error.js";
export { checkConversationTurn, renderConversationTurn, type ConversationTurn, type TurnRenderer } from "./agent/conversation-turn.js";
export { EMPTY_RECALL_PROMPT, RECALL_PROMPT_HEADER, renderRecallPrompt } from "./agent/recall-prompt.js";
export { createStoreSearchRetriever } from "./agent/store-search-retriever.js";
export { DataCommandError, type DataCommandErrorCode } from "./data/data-command-error.js";
export { DATASET_IDS, findDataset, formatDatasetList, listDatasets, resolveSplits, type DatasetId, type DatasetInfo, type DatasetSplitInfo } from "./data/dataset-catalog.js";
export { downloadDataset, formatDownload, type DatasetDownload, type DownloadDatasetOptions, type DownloadProgress, type DownloadedFile, type HubAccessOptions } from "./data/download-dataset.js";
export type { InstanceInput } from "./data/instance-input.js";
export { formatInspection, inspectDataset, type CountSummary, type DataSourceSummary, type DatasetInspection, type InspectDatasetOptions, type SourceFile } from "./data/inspect-dataset.js";
export { formatChunkQaEstimate, type ChunkQaEstimate, type ChunkQaPricing, type ChunkQaScenario, type TokenEstimate } from "./data/chunk-qa-estimate.js";
export { buildDatasetChunkQa, formatChunkQaResult, type BuildDatasetChunkQaOptions, type DatasetChunkQaBuilderOptions, type DatasetChunkQaResult } from "./data/build-dataset-chunk-qa.js";
export { readRunDirectory, type RunDirectory } from "./report/read-run-directory.js";
export { RunDirectoryError, type RunDirectoryErrorCode } from "./report/run-directory-error.js";
export { renderReport, type RenderReportOptions } from "./report/render-report.js";
export { writeReport } from "./report/write-report.js";
export { DEFAULT_WORST_QUESTIONS } from "./report/evidence-chains.js";
export { PUBLISHED_FIGURES, PUBLISHED_METHODS, publishedBenchmarkOf, type PublishedBenchmark, type PublishedFigures, type PublishedMethod } from "./report/published-figures.js";
export { episodeLineValidator, questionResultLineValidator, runSummaryValidator } from "./report/run-file-validators.js";
