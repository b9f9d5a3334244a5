/**
 * Chunk question construction for the chunk-level step reward (docs/method.md §7): generated, verified,
 * deduplicated factoid pairs per chunk, with a resumable JSONL cache.
 */
export {
  type ChunkQaBuilder,
  type ChunkQaBuildResult,
  type ChunkQaChunkStats,
  type ChunkQaPlan,
  createChunkQaBuilder,
} from "./build-chunk-qa.js";
export {
  type ChunkQaCacheEntry,
  type ChunkQaKeyMaterial,
  type LoadedChunkQaCache,
  loadChunkQaCache,
  type VerifiedPair,
} from "./chunk-qa-cache.js";
export { ChunkQaError, type ChunkQaErrorCode, type ChunkQaErrorDetails } from "./chunk-qa-error.js";
export type { ChunkQaBuilderOptions, ChunkQaCalls, ChunkQaProgress } from "./chunk-qa-options.js";
export { CHUNK_QA_PROMPTS, type ChatPromptTemplate, type ChunkQaPrompts } from "./chunk-qa-prompts.js";
export { withChunkQuestions } from "./with-chunk-questions.js";
