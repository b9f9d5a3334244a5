/**
 * @finemem/policy/transformers: a language model that runs in this process with transformers.js (ONNX
 * on the CPU, or WebGPU), for the memory manager or the reasoning agent with no server. Needs the
 * optional peer dependencies @huggingface/transformers (and @huggingface/hub for hub models); both
 * are imported only when a model is created.
 */

export { LocalModelError, type LocalModelErrorCode } from "../local/local-model-error.js";
export { createTransformersModel, type TransformersModel } from "./transformers-model.js";
export type { TransformersDevice, TransformersModelOptions } from "./transformers-model-options.js";
