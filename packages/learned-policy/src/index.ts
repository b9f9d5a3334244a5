/**
 * @finemem/learned-policy: a small memory manager that learns, on @finemem/kernels.
 */
export {
  ACTION_KINDS,
  type ActionKind,
  CONTEXT_FEATURES,
  FEATURE_GROUPS,
  FEATURE_WIDTH,
  type FeatureGroup,
  PAIR_FEATURES,
} from "./features/feature-groups.js";
export {
  createLearnedPolicy,
  LEARNED_POLICY_FEATURE_VERSION,
  type LearnedPolicy,
  type LearnedPolicyConfig,
  type LearnedPolicyOptions,
} from "./learned-policy.js";
export { LearnedPolicyError, type LearnedPolicyErrorCode } from "./learned-policy-error.js";
export type { LearnedPolicyParameters } from "./network.js";
export {
  LEARNED_POLICY_REPLAY_VERSION,
  type LearnedPolicyReplay,
  learnedPolicyReplayValidator,
  type ReplayedDecision,
  type ReplayLogProbs,
} from "./replay.js";
