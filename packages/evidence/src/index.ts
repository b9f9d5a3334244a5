/**
 * @finemem/evidence: Fine-Mem's evidence-anchored reward attribution (EARA). The score of each global
 * question is credited to the steps that wrote the items used as its evidence, through the store's φ
 * provenance; r_EARA(t) = (1 − β)·r_global / T + β·N_t, with the unattributed share U reported beside
 * it. Evidence can be the retrieved set (the paper's), the ids the reasoning agent cites, or
 * leave-one-out re-answers. Also: seeded question subsampling and per-step credit explanations.
 */
export { AttributionError, type AttributionErrorCode } from "./attribution-error.js";
export { equalShares, type EvidenceShare, type QuestionEvidence, type StepWeightLookup } from "./question-evidence.js";
export { DEFAULT_BETA, type AttributionInput, type UnknownItemPolicy } from "./contributions.js";
export { attributeEvidence, type Attribution } from "./attribute-evidence.js";
export { evidenceFromRecords, type RecordEvidenceSource } from "./evidence-sources.js";
export { leaveOneOutEvidence, type LeaveOneOutOptions, type LeaveOneOutResult, type Removal } from "./leave-one-out.js";
export { collectStepWeights, type CollectStepWeightsOptions } from "./store-step-weights.js";
export { attributeEpisode, type AttributeEpisodeOptions, type EpisodeAttribution } from "./attribute-episode.js";
export { QUESTION_SAMPLE_FRACTIONS, subsampleQuestions, type SubsampleOptions } from "./subsample-questions.js";
export {
  explainCredit,
  formatCreditExplanation,
  type CreditExplanation,
  type CreditLine,
  type FormatCreditOptions,
  type StepCreditExplanation,
} from "./explain-credit.js";
