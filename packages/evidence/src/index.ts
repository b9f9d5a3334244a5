/**
 * @finemem/evidence: Fine-Mem's evidence-anchored reward attribution (EARA). The score of each global
 * question is credited to the steps that wrote the items used as its evidence, through the store's φ
 * provenance; r_EARA(t) = (1 − β)·r_global / T + β·N_t, with the unattributed share U reported beside
 * it. Evidence can be the retrieved set (the paper's), the ids the reasoning agent cites, or
 * leave-one-out re-answers. Also: seeded question subsampling and per-step credit explanations.
 */

export { type AttributeEpisodeOptions, attributeEpisode, type EpisodeAttribution } from "./attribute-episode.js";
export { type Attribution, attributeEvidence } from "./attribute-evidence.js";
export { AttributionError, type AttributionErrorCode } from "./attribution-error.js";
export { type AttributionInput, DEFAULT_BETA, type UnknownItemPolicy } from "./contributions.js";
export { evidenceFromRecords, type RecordEvidenceSource } from "./evidence-sources.js";
export {
  type CreditExplanation,
  type CreditLine,
  explainCredit,
  type FormatCreditOptions,
  formatCreditExplanation,
  type StepCreditExplanation,
} from "./explain-credit.js";
export { type LeaveOneOutOptions, type LeaveOneOutResult, leaveOneOutEvidence, type Removal } from "./leave-one-out.js";
export { type EvidenceShare, equalShares, type QuestionEvidence, type StepWeightLookup } from "./question-evidence.js";
export { type CollectStepWeightsOptions, collectStepWeights } from "./store-step-weights.js";
export { QUESTION_SAMPLE_FRACTIONS, type SubsampleOptions, subsampleQuestions } from "./subsample-questions.js";
