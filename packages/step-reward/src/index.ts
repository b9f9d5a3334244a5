/**
 * @finemem/step-reward: Fine-Mem's chunk-level step reward and the other per-step reward terms.
 * Verified per-chunk question construction with a resumable JSONL cache; the step scorer (chunk t's
 * questions answered from M_t); the format, compression and content-validity rewards; and the
 * composer, which adds any r_EARA(t) to them from numbers alone and keeps every component.
 */
export { StepRewardError, type StepRewardErrorCode } from "./step-reward-error.js";
export { formatReward, type FormatReward, type FormatRewardOptions } from "./format-reward.js";
export { compressionReward, type CompressionInput } from "./compression-reward.js";
export { composeStepRewards, resolveRewardWeights, type ComposeOptions, type StepRewardTerms } from "./compose-step-rewards.js";
export {
  createChunkStepScorer,
  type ChunkAnswer,
  type ChunkStepInput,
  type ChunkStepScore,
  type ChunkStepScorer,
  type ChunkStepScorerOptions,
} from "./chunk-step-scorer.js";
export {
  CONTENT_VALIDITY_PROMPT_HASH,
  createContentValidityJudge,
  type ContentValidity,
  type ContentValidityJudge,
  type ContentValidityJudgeOptions,
  type ContentVerdict,
} from "./content-validity-judge.js";
export * from "./chunk-qa/index.js";
