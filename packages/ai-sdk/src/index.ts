/**
 * @finemem/ai-sdk: Fine-Mem memory for AI SDK agents. `createMemoryTools` gives the model a memory
 * manager's store as tools (recall, remember, update, forget, history); `createMemoryMiddleware` is a
 * language-model middleware that recalls memory into the prompt and observes each finished turn.
 * Both take an `@finemem/agent` memory manager (`createMemoryManager`).
 */

export {
  createMemoryMiddleware,
  type MemoryFlushMode,
  type MemoryMiddlewareOptions,
} from "./memory-middleware.js";
export {
  createMemoryTools,
  DEFAULT_TOOL_RECALL_TOP_K,
  MAX_TOOL_RECALL_TOP_K,
  type MemoryEditOutput,
  type MemoryHistoryOutput,
  type MemoryIdToolInput,
  type MemoryTools,
  type MemoryToolsOptions,
  type MemoryVersionEntry,
  type RecalledMemory,
  type RecallToolInput,
  type RecallToolOutput,
  type RememberToolInput,
  type UpdateToolInput,
} from "./memory-tools.js";
