/**
 * @finemem/trainer: GRPO for memory managers with Fine-Mem's per-step rewards.
 */
export {
  advantageGroupId,
  computeStepAdvantages,
  type StepAdvantage,
  type StepAdvantageOptions,
} from "./advantages/step-advantages.js";
export {
  decodeSafetensors,
  encodeSafetensors,
  type SafetensorsContents,
  type SafetensorsDtype,
  type SafetensorsTensor,
} from "./checkpoint/safetensors.js";
export {
  decodeTrainerCheckpoint,
  encodeTrainerCheckpoint,
  readTrainerCheckpoint,
  TRAINER_CHECKPOINT_FORMAT,
  TRAINER_CHECKPOINT_VERSION,
  type TrainerCheckpoint,
  writeTrainerCheckpoint,
} from "./checkpoint/trainer-checkpoint.js";
export { type ExportFormat, exportFileName } from "./external/export-files.js";
export {
  EXPORT_ADVANTAGE_DEFAULTS,
  EXPORT_SCHEMA_VERSION,
  type ExportAdvantageSettings,
  type ExportedSampleKind,
  type ExportedTrainingSample,
  toExportedSamples,
} from "./external/export-schema.js";
export {
  createExternalTrainer,
  type ExternalTrainer,
  type ExternalTrainerOptions,
} from "./external/external-trainer.js";
export {
  createLocalTrainer,
  type LocalTrainer,
  type LocalTrainerOptions,
  type LocalTrainerState,
} from "./local/local-trainer.js";
export {
  LOCAL_TRAINER_DEFAULTS,
  type LocalTrainerConfig,
  resolveLocalTrainerConfig,
  VERL_GRPO_RECIPE,
} from "./local/local-trainer-config.js";
export type { TrainablePolicy } from "./local/trainable-policy.js";
export { type GrpoLoss, type GrpoLossInput, type GrpoLossSettings, grpoLoss } from "./loss/grpo-loss.js";
export { TrainerError, type TrainerErrorCode } from "./trainer-error.js";
