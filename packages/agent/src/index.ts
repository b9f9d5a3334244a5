/**
 * @finemem/agent: a Fine-Mem memory manager behind a live agent. `observe` each conversation turn
 * (turns are buffered into o200k-budgeted chunks, one policy step per chunk), `flush` at the end of a
 * session, `recall` the evidence for a question as ranked items and a prompt block. Depends on
 * `@finemem/spec`, `@finemem/memory`, `@finemem/policy` and `@finemem/utils` only: no benchmarks,
 * rewards or command line.
 */

export {
  type ConversationTurn,
  checkConversationTurn,
  renderConversationTurn,
  type TurnRenderer,
} from "./conversation-turn.js";
export {
  createMemory,
  defaultMemoryPath,
  type Memory,
  type MemoryEvent,
  type MemoryHistoryEntry,
  type MemoryOptions,
  type MemoryRecord,
  type UserScope,
} from "./memory-facade.js";
export {
  createMemoryManager,
  DEFAULT_MANAGER_CHUNK_TOKENS,
  DEFAULT_RECALL_TOP_K,
  type MemoryManager,
  type MemoryManagerOptions,
  type MemoryStep,
  type Recall,
  type RecalledItem,
  type RecallOptions,
} from "./memory-manager.js";
export { MemoryManagerError, type MemoryManagerErrorCode } from "./memory-manager-error.js";
export { EMPTY_RECALL_PROMPT, RECALL_PROMPT_HEADER, renderRecallPrompt } from "./recall-prompt.js";
export {
  createRelevanceRetriever,
  DEFAULT_RECALL_RELATIVE_CUT,
  type RelevanceRetrieverOptions,
} from "./relevance-retriever.js";
export { createStoreSearchRetriever } from "./store-search-retriever.js";
