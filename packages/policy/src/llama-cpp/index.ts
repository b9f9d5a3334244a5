/**
 * @finemem/policy/llama-cpp: a GGUF model run in this process by llama.cpp through node-llama-cpp (an
 * optional peer dependency, imported on first use), as a spec `LanguageModel`, with an optional
 * grammar that constrains replies to memory operations.
 */

export { ModelConfigError, UnsupportedOptionError } from "../http/errors.js";
export { LocalModelError, type LocalModelErrorCode } from "../local/local-model-error.js";
export type { ToolSetId } from "../tools/tool-sets.js";
export { ContextOverflowError } from "./context-overflow-error.js";
export { createLlamaCppModel, type LlamaCppModel, type LlamaCppModelInfo } from "./llama-cpp-model.js";
export type { LlamaCppGpu, LlamaCppLogLevel, LlamaCppModelOptions } from "./llama-cpp-options.js";
export {
  type OperationGrammarOptions,
  operationGrammarGbnf,
  operationGrammarTokenBudget,
  type ResolvedOperationGrammarOptions,
} from "./operation-grammar.js";
