/**
 * finemem: the orchestration package. Runs episodes (chunks → policy → store → every per-step
 * reward, G rollouts from one state), evaluates memory managers on benchmark instances with resumable
 * JSONL logs and HTML reports, and re-exports `@finemem/agent`'s memory manager for a live agent
 * (`observe` turns, `recall` evidence). The `finemem` command line wraps it.
 */
// Episodes, rollouts and training records.

// The agent-builder memory manager lives in @finemem/agent; re-exported so `import { createMemoryManager } from "finemem"` keeps working.
export {
  type ConversationTurn,
  checkConversationTurn,
  createMemory,
  createMemoryManager,
  createRelevanceRetriever,
  createStoreSearchRetriever,
  DEFAULT_MANAGER_CHUNK_TOKENS,
  DEFAULT_RECALL_RELATIVE_CUT,
  DEFAULT_RECALL_TOP_K,
  defaultMemoryPath,
  EMPTY_RECALL_PROMPT,
  type Memory,
  type MemoryEvent,
  type MemoryHistoryEntry,
  type MemoryManager,
  MemoryManagerError,
  type MemoryManagerErrorCode,
  type MemoryManagerOptions,
  type MemoryOptions,
  type MemoryRecord,
  type MemoryStep,
  RECALL_PROMPT_HEADER,
  type Recall,
  type RecalledItem,
  type RecallOptions,
  type RelevanceRetrieverOptions,
  renderConversationTurn,
  renderRecallPrompt,
  type TurnRenderer,
  type UserScope,
} from "@finemem/agent";
// The ablation's statistics, for a study run elsewhere (e.g. LLM managers trained on verl).
export {
  holmAdjust,
  type MeanDifference,
  meanDifference,
  type SignFlipTest,
  signFlipTest,
} from "./ablate/paired-statistics.js";
export { formatResultsTable } from "./cli/results-table.js";
export {
  createMemoryCheckpoint,
  type EpisodeCheckpoint,
  type RecordedQuestion,
  type RecordedStep,
} from "./episode/episode-checkpoint.js";
export {
  type EpisodeProgress,
  type EpisodeResult,
  type EpisodeRewardOptions,
  type RunEpisodeOptions,
  runEpisode,
} from "./episode/run-episode.js";
export { type RunRolloutsOptions, runRollouts } from "./episode/run-rollouts.js";
export { type ToRolloutGroupOptions, toRolloutGroup } from "./episode/to-rollout-group.js";
export { type RunDirectory, readRunDirectory } from "./report/read-run-directory.js";
export type { RenderReportOptions } from "./report/render-report.js";
export { RunDirectoryError, type RunDirectoryErrorCode } from "./report/run-directory-error.js";
export { writeReport } from "./report/write-report.js";
export { openEpisodeJournal } from "./run/episode-journal.js";
// Evaluation and its run folder.
export {
  type EvaluateOptions,
  type Evaluation,
  type EvaluationProgress,
  evaluate,
  type ManifestDetails,
} from "./run/evaluate.js";
export { RunError, type RunErrorCode } from "./run/run-error.js";
export type { EpisodeLine, EvidenceChainItem, OperationMix, QuestionResultLine, RunSummary } from "./run/run-files.js";
// Training: the loop, its trainees, its run folder and checkpoints.
export { createExternalTrainee, type ExternalTraineeOptions } from "./train/external-trainee.js";
export { createLearnedTrainee, type LearnedTraineeOptions } from "./train/learned-trainee.js";
export {
  type LoadedLearnedPolicy,
  type LoadLearnedPolicyOptions,
  loadLearnedPolicy,
} from "./train/load-learned-policy.js";
export {
  type TrainHeldout,
  type TrainingRun,
  type TrainOptions,
  type TrainProgress,
  train,
} from "./train/train.js";
export {
  type BaselineLine,
  type EvaluationLine,
  type HeldoutResult,
  type HeldoutSetResult,
  TRAIN_FILES,
  TRAIN_VOLATILE_FIELDS,
  type TrainStepLine,
  UPDATE_REWARD_COMPONENTS,
  type UpdateLine,
  type UpdateRewardComponent,
} from "./train/train-files.js";
export type { Trainee, TraineeFactory, TraineeStart } from "./train/trainee.js";
export {
  readTrainingCheckpoint,
  TRAINING_CHECKPOINT_FORMAT,
  TRAINING_CHECKPOINT_VERSION,
  type TrainingCheckpoint,
  type TrainingCheckpointDescription,
} from "./train/training-checkpoint.js";
