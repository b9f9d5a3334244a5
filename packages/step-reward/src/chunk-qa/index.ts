/**
 * Chunk question construction for the chunk-level step reward (docs/method.md §7): generated, verified,
 * deduplicated factoid pairs per chunk, with a resumable JSONL cache.
 */
export { createChunkQaBuilder, type ChunkQaBuildResult, type ChunkQaBuilder, type ChunkQaChunkStats, type ChunkQaPlan } from "./build-chunk-qa.js";
export type { ChunkQaBuilderOptions, ChunkQaCalls, ChunkQaProgress } from "./chunk-qa-options.js";
export { ChunkQaError, type ChunkQaErrorCode, type ChunkQaErrorDetails } from "./chunk-qa-error.js";
export { CHUNK_QA_PROMPTS, CHUNK_QA_PROMPT_VERSION, chunkQaPromptHash, type ChatPromptTemplate, type ChunkQaPrompts } from "./chunk-qa-prompts.js";
export {
  chunkQaCacheKey,
  loadChunkQaCache,
  type ChunkQaCacheEntry,
  type ChunkQaKeyMaterial,
  type LoadedChunkQaCache,
  type VerifiedPair,
} from "./chunk-qa-cache.js";
export {
  DEFAULT_MAX_ANSWER_CHARS,
  DEFAULT_MAX_QUESTION_CHARS,
  parseQaPairs,
  type DroppedPair,
  type DroppedPairReason,
  type ParseQaPairsOptions,
  type ParsedQaPairs,
  type QaPair,
  type QaReplyProblem,
  type QaReplyProblemKind,
} from "./parse-qa-pairs.js";
export { DEFAULT_DUPLICATE_THRESHOLD, questionSimilarity, removeNearDuplicates, type NearDuplicate, type NearDuplicateResult } from "./near-duplicates.js";
export { withChunkQuestions } from "./with-chunk-questions.js";
