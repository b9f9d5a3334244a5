/**
 * @finemem/policy: turns any served language model into a Fine-Mem memory manager (the trained
 * policy) or reasoning agent (the frozen reader). An OpenAI-compatible chat backend; versioned manager
 * prompts for flat operations and Mem-α's typed tools; a tolerant reply parser; the heuristic policy
 * that needs no model; the LLM reasoning agent and an extractive reader; the papers' baselines.
 */

// Talking to a served model.
export { createOpenAICompatibleModel, type OpenAICompatibleModel } from "./http/openai-compatible-model.js";
export { DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MS, type ModelPricing, type OpenAICompatibleModelOptions } from "./http/model-options.js";
export { DEFAULT_RETRY_POLICY, type RetryOptions, type RetryPolicy } from "./http/retry-policy.js";
export { SERVING_ENGINES, type ServingEngine } from "./http/serving-engine.js";
export { createUsageLedger, type RoleUsage, type SpentUsage, type UsageLedger, type UsageLedgerOptions, type UsageSnapshot } from "./http/usage-ledger.js";
export { systemClock, type Clock } from "./http/clock.js";
export {
  MalformedResponseError,
  ModelConfigError,
  ModelHttpError,
  ModelNetworkError,
  ModelTimeoutError,
  SpendingCapError,
  UnsupportedOptionError,
  type SpendingCapKind,
} from "./http/errors.js";

// Tools, prompts and the reply parser.
export {
  FLAT_TOOL_SET,
  MEMALPHA_MEMORY_TYPES,
  MEMALPHA_TOOL_SET,
  TOOL_SETS,
  operationToToolCall,
  toolSetOf,
  type MemalphaMemoryType,
  type RenderedToolCall,
  type ToolSet,
  type ToolSetId,
} from "./tools/tool-sets.js";
export {
  FLAT_MANAGER_PROMPT,
  MANAGER_PROMPTS,
  MEMALPHA_MANAGER_PROMPT,
  managerPromptHash,
  type CallStyle,
  type ManagerPromptName,
  type ManagerPromptTemplate,
} from "./prompts/manager-prompts.js";
export { buildManagerMessages } from "./prompts/build-manager-messages.js";
export { EMPTY_MEMORY_TEXT, renderMemoryItem, renderMemoryView } from "./prompts/render-memory.js";
export {
  DEFAULT_MAX_INPUT_CHARS,
  JSON_REPAIRS,
  parseManagerReply,
  renderOperations,
  type ParseReplyOptions,
  type ParsedReply,
  type RenderOptions,
  type RenderedReply,
  type ReplyFormat,
} from "./parser/index.js";

// Memory managers.
export { createLlmMemoryPolicy, type LlmMemoryPolicyOptions } from "./policy/llm-memory-policy.js";
export { PolicyOptionsError } from "./policy/policy-options-error.js";
export { createHeuristicPolicy, type HeuristicPolicyOptions } from "./heuristic/heuristic-policy.js";

// Reasoning agents.
export { createLlmReasoner, type LlmReasonerOptions } from "./reasoner/llm-reasoner.js";
export { createExtractiveReader, type ExtractiveReaderOptions } from "./reasoner/extractive-reader.js";
export { QUESTION_PREFIXES, questionPrefixFor } from "./reasoner/question-prefixes.js";
export { READER_PROMPT, readerPromptHash, splitCitations, type ReaderPromptTemplate } from "./reasoner/reader-prompts.js";
export { retrieveEvidence, type EvidenceRetrievalOptions } from "./reasoner/retrieve-evidence.js";

// Baselines.
export { BASELINE_NAMES, createBaseline, type Baseline, type BaselineName, type BaselineOptions } from "./baselines/baselines.js";
export { createVerbatimChunkPolicy, type VerbatimChunkPolicyOptions } from "./baselines/verbatim-chunk-policy.js";
export { DEFAULT_LONG_CONTEXT_TOKENS, createLongContextPolicy, keepLastTokens, type LongContextPolicyOptions } from "./baselines/long-context-policy.js";
