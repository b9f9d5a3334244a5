/**
 * finemem: the orchestration package. Runs episodes (chunks → policy → store → every per-step
 * reward, G rollouts from one state), evaluates memory managers on benchmark instances with resumable
 * JSONL logs and HTML reports, and puts a memory manager behind a live agent (`observe` turns,
 * `recall` evidence). The `finemem` command line wraps it.
 */
export { runEpisode, DEFAULT_EPISODE_CONCURRENCY, type EpisodeProgress, type EpisodeResult, type EpisodeRewardOptions, type RunEpisodeOptions } from "./episode/run-episode.js";
export { runRollouts, type RunRolloutsOptions } from "./episode/run-rollouts.js";
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
