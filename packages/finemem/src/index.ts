/**
 * finemem: the orchestration package. Runs episodes (chunks → policy → store → every per-step
 * reward, G rollouts from one state), evaluates memory managers on benchmark instances with resumable
 * JSONL logs and HTML reports, and re-exports `@finemem/agent`'s memory manager for a live agent
 * (`observe` turns, `recall` evidence). The `finemem` command line wraps it.
 */
// Episodes, rollouts and training records.
export { runEpisode, type EpisodeProgress, type EpisodeResult, type EpisodeRewardOptions, type RunEpisodeOptions } from "./episode/run-episode.js";
export { runRollouts, type RunRolloutsOptions } from "./episode/run-rollouts.js";
export { toRolloutGroup, type ToRolloutGroupOptions } from "./episode/to-rollout-group.js";
export { createMemoryCheckpoint, type EpisodeCheckpoint, type RecordedQuestion, type RecordedStep } from "./episode/episode-checkpoint.js";
export { openEpisodeJournal } from "./run/episode-journal.js";

// Evaluation and its run folder.
export { evaluate, type EvaluateOptions, type Evaluation, type EvaluationProgress, type ManifestDetails } from "./run/evaluate.js";
export { RunError, type RunErrorCode } from "./run/run-error.js";
export type { EpisodeLine, EvidenceChainItem, OperationMix, QuestionResultLine, RunSummary } from "./run/run-files.js";
export { formatResultsTable } from "./cli/results-table.js";
export { readRunDirectory, type RunDirectory } from "./report/read-run-directory.js";
export { RunDirectoryError, type RunDirectoryErrorCode } from "./report/run-directory-error.js";
export { writeReport } from "./report/write-report.js";
export type { RenderReportOptions } from "./report/render-report.js";

// The agent-builder memory manager lives in @finemem/agent; re-exported so `import { createMemoryManager } from "finemem"` keeps working.
export {
  DEFAULT_MANAGER_CHUNK_TOKENS,
  DEFAULT_RECALL_TOP_K,
  EMPTY_RECALL_PROMPT,
  MemoryManagerError,
  RECALL_PROMPT_HEADER,
  checkConversationTurn,
  createMemoryManager,
  createStoreSearchRetriever,
  renderConversationTurn,
  renderRecallPrompt,
  type ConversationTurn,
  type MemoryManager,
  type MemoryManagerErrorCode,
  type MemoryManagerOptions,
  type MemoryStep,
  type Recall,
  type RecallOptions,
  type RecalledItem,
  type TurnRenderer,
} from "@finemem/agent";
