export type {
  BinaryFunction,
  DeviceBuffer,
  DifferentiableUnaryFunction,
  FloatArray,
  FloatType,
  KernelBackend,
  KernelName,
  KernelOp,
  UnaryFunction,
} from "./backend.js";
export { type CpuBackendOptions, createCpuBackend } from "./cpu/cpu-backend.js";
export { KernelError, type KernelErrorCode } from "./kernel-error.js";
export { concat } from "./ops/concat.js";
export {
  abs,
  add,
  affine,
  clamp,
  div,
  exp,
  gelu,
  greater,
  log,
  maximum,
  minimum,
  mul,
  neg,
  relu,
  sigmoid,
  sqrt,
  square,
  step,
  sub,
  tanh,
  where,
} from "./ops/elementwise.js";
export { embedding, gather, segmentSum } from "./ops/gather.js";
export { type MatmulOptions, matmul } from "./ops/matmul.js";
export { mean, sum } from "./ops/reduce.js";
export { expand, reshape } from "./ops/shape.js";
export { logSoftmax, Segments, segmentLogSoftmax, segmentSoftmax, segments, softmax } from "./ops/softmax.js";
export { createReferenceBackend, type ReferenceBackendOptions } from "./reference/reference-backend.js";
export { keep } from "./tensor/scope.js";
export { type LossOutput, type NamedTensors, type ValueAndGrad, valueAndGrad } from "./tensor/tape.js";
export { full, IndexTensor, indices, type Shape, Tensor, tensor, zeros } from "./tensor/tensor.js";
export { tidy } from "./tensor/tidy.js";
export { AdamW, type AdamWOptions, type AdamWState, type AdamWStepOptions } from "./training/adamw.js";
export {
  type AggregateLossOptions,
  aggregateLoss,
  LOSS_AGGREGATIONS,
  type LossAggregation,
} from "./training/aggregate-loss.js";
export { clipGradNorm, type GradientClip } from "./training/clip-grad-norm.js";
export { type GrpoAdvantageInput, type GrpoAdvantageOptions, grpoOutcomeAdvantage } from "./training/grpo-advantage.js";
export { KL_ESTIMATORS, type KlEstimator, klPenalty } from "./training/kl-penalty.js";
export {
  type ClippedSurrogate,
  type ClippedSurrogateInput,
  type ClippedSurrogateOptions,
  clippedSurrogateLoss,
} from "./training/policy-loss.js";
export { createWebGpuBackend, type WebGpuBackendOptions } from "./webgpu/webgpu-backend.js";
