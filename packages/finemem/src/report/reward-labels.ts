// How both reports name the reward components (column headings, chart series): the eval report per
// step (render-report.ts), the training report per update (render-training-report.ts). One table, so
// a reader comparing a training run's curves with an eval run's tables sees the same names.
import type { StepComponent } from "./step-means.js";

/** The notation of docs/method.md: N_t is a step's normalized evidence contribution. */
export const REWARD_COMPONENT_LABELS: { readonly [component in StepComponent]: string } = {
  format: "r_format",
  chunk: "r_chunk",
  evidence: "N_t",
  eara: "r_EARA",
  compression: "r_comp",
  content: "r_content",
  total: "r (total)",
};
