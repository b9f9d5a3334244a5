/**
 * @finemem/step-reward: Fine-Mem's chunk-level step reward and the other per-step reward terms.
 * Verified per-chunk question construction with a resumable JSONL cache; the step scorer (chunk t's
 * questions answered from M_t); the format, compression and content-validity rewards; and the
 * composer, which adds any r_EARA(t) to them from numbers alone and keeps every component.
 */

export * from "./chunk-qa/index.js";
export {
  type ChunkAnswer,
  type ChunkStepInput,
  type ChunkStepScore,
  type ChunkStepScorer,
  type ChunkStepScorerOptions,
  createChunkStepScorer,
} from "./chunk-step-scorer.js";
export {
  type ComposeOptions,
  composeStepRewards,
  resolveRewardWeights,
  type StepRewardTerms,
} from "./compose-step-rewards.js";
export { type CompressionInput, compressionReward } from "./compression-reward.js";
export {
  CONTENT_VALIDITY_PROMPT_HASH,
  type ContentValidity,
  type ContentValidityJudge,
  type ContentValidityJudgeOptions,
  type ContentVerdict,
  createContentValidityJudge,
} from "./content-validity-judge.js";
export { type FormatReward, type FormatRewardOptions, formatReward } from "./format-reward.js";
export { StepRewardError, type StepRewardErrorCode } from "./step-reward-error.js";
