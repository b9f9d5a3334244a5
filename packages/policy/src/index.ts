/**
 * @finemem/policy: turns any served language model into a Fine-Mem memory manager (the trained
 * policy) or reasoning agent (the frozen reader). An OpenAI-compatible chat backend; versioned manager
 * prompts for flat operations and Mem-α's typed tools; a tolerant reply parser; the heuristic policy
 * that needs no model; the LLM reasoning agent and an extractive reader; the papers' baselines.
 */

// Baselines.
export {
  BASELINE_NAMES,
  type Baseline,
  type BaselineName,
  type BaselineOptions,
  createBaseline,
} from "./baselines/baselines.js";
export {
  type ConversationalPolicyOptions,
  createConversationalPolicy,
} from "./conversational/conversational-policy.js";
export { createHeuristicPolicy, type HeuristicPolicyOptions } from "./heuristic/heuristic-policy.js";
export type { Clock } from "./http/clock.js";
export {
  MalformedResponseError,
  ModelConfigError,
  ModelHttpError,
  ModelNetworkError,
  ModelTimeoutError,
  SpendingCapError,
  type SpendingCapKind,
  UnsupportedOptionError,
} from "./http/errors.js";
export type { ModelPricing, OpenAICompatibleModelOptions } from "./http/model-options.js";
// Talking to a served model.
export { createOpenAICompatibleModel, type OpenAICompatibleModel } from "./http/openai-compatible-model.js";
export type { RetryOptions } from "./http/retry-policy.js";
export { SERVING_ENGINES, type ServingEngine } from "./http/serving-engine.js";
export {
  createUsageLedger,
  type RoleUsage,
  type SpentUsage,
  type UsageLedger,
  type UsageLedgerOptions,
  type UsageSnapshot,
} from "./http/usage-ledger.js";
export {
  JSON_REPAIRS,
  type ParsedReply,
  type ParseReplyOptions,
  parseManagerReply,
  type RenderedReply,
  type RenderOptions,
  type ReplyFormat,
  renderOperations,
} from "./parser/index.js";

// Memory managers.
export { createLlmMemoryPolicy, type LlmMemoryPolicyOptions } from "./policy/llm-memory-policy.js";
export { PolicyOptionsError } from "./policy/policy-options-error.js";
export {
  type CallStyle,
  MANAGER_PROMPTS,
  type ManagerPromptName,
  type ManagerPromptTemplate,
  managerPromptHash,
} from "./prompts/manager-prompts.js";
export { createExtractiveReader, type ExtractiveReaderOptions } from "./reasoner/extractive-reader.js";
// Reasoning agents.
export { createLlmReasoner, type LlmReasonerOptions } from "./reasoner/llm-reasoner.js";
export { QUESTION_PREFIXES } from "./reasoner/question-prefixes.js";
export { READER_PROMPT, type ReaderPromptTemplate } from "./reasoner/reader-prompts.js";
export { type EvidenceRetrievalOptions, retrieveEvidence } from "./reasoner/retrieve-evidence.js";
// Tools, prompts and the reply parser.
export type { ToolSetId } from "./tools/tool-sets.js";
