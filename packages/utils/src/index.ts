/**
 * @finemem/utils: the runtime helpers every Fine-Mem package shares, each with one owner so that no
 * package depends on another only for a helper: seeded randomness, JSONL, bounded concurrency, o200k
 * token counts, sentence splitting, JSON found in model text, numeric option checks, optional peer
 * loading, and Hugging Face hub downloads into the standard HF cache. Depends on `@finemem/spec` alone
 * (and js-tiktoken); `@huggingface/hub` is an optional peer, imported on the first download.
 */

// Randomness, lines, concurrency.
export { createSeededRandom, type RandomSource } from "./seeded-random.js";
export { JsonlError, decodeJsonl, encodeJsonlLine } from "./jsonl.js";
export { createConcurrencyLimiter, type ConcurrencyLimiter, type ReleaseSlot } from "./concurrency-limiter.js";
export { mapWithConcurrency } from "./map-with-concurrency.js";

// Text.
export { createO200kTokenCounter } from "./o200k-token-counter.js";
export { splitSentences, type SentenceSpan } from "./split-sentences.js";
export { JSON_TEXT_REPAIRS, type JsonRepairName } from "./json-in-text/json-repairs.js";
export { matchBareKey, skipJsonWhitespace } from "./json-in-text/json-lexicon.js";
export type { JsonFailureReason, JsonReadResult } from "./json-in-text/lenient-json.js";
export { fastScanBudget, readJsonAt, readJsonText, type FastScanBudget } from "./json-in-text/read-json.js";
export { fencedBlocks, isFenced, skipFenceClosing, skipFenceOpening } from "./json-in-text/code-fence.js";

// Options and optional dependencies.
export { finiteAtLeast, integerAtLeast, positiveInteger, type OptionErrorFactory } from "./option-checks.js";
export { OptionalPeerError, importOptionalPeer, type OptionalPeerFailure, type OptionalPeerFailureCode } from "./optional-peer.js";

// The Hugging Face hub and its cache.
export { HubError, type HubErrorCode } from "./hub/hub-error.js";
export {
  isCommitHash,
  isHubOffline,
  openHubRepo,
  type HubCachedFile,
  type HubCacheMode,
  type HubCallOptions,
  type HubFetchOptions,
  type HubRepo,
  type HubRepoOptions,
  type HubRepoType,
} from "./hub/hub-repo.js";
export { sha256File } from "./hub/sha256-file.js";
export { TRANSFORMERS_DTYPE_SUFFIXES, isTransformersDtype, type TransformersDtype } from "./hub/transformers-model-files.js";
export {
  checkTransformersModelFolder,
  resolveTransformersSnapshot,
  type TransformersSnapshot,
  type TransformersSnapshotRequest,
} from "./hub/transformers-model.js";
