/**
 * @finemem/policy/llama-cpp: a GGUF model run in this process by llama.cpp through node-llama-cpp (an
 * optional peer dependency, imported on first use), as a spec `LanguageModel`, with an optional
 * grammar that constrains replies to memory operations.
 */
export { createLlamaCppModel, type LlamaCppModel, type LlamaCppModelInfo } from "./llama-cpp-model.js";
export { DEFAULT_MAX_CONTEXT_SIZE, type LlamaCppGpu, type LlamaCppLogLevel, type LlamaCppModelOptions } from "./llama-cpp-options.js";
export {
  OPERATION_GRAMMAR_DEFAULTS,
  operationGrammarGbnf,
  operationGrammarMaxChars,
  operationGrammarTokenBudget,
  type OperationGrammarOptions,
  type ResolvedOperationGrammarOptions,
} from "./operation-grammar.js";
export { checkGgufFile, type GgufSummary } from "./check-gguf-file.js";
export { ContextOverflowError } from "./context-overflow-error.js";
export { LocalModelError, type LocalModelErrorCode } from "../local/local-model-error.js";
export { ModelConfigError, UnsupportedOptionError } from "../http/errors.js";
