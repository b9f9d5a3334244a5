/**
 * @finemem/utils: the runtime helpers every Fine-Mem package shares, each with one owner so that no
 * package depends on another only for a helper: seeded randomness, JSONL, bounded concurrency, o200k
 * token counts, sentence splitting, JSON found in model text, numeric option checks, optional peer
 * loading, and Hugging Face hub downloads into the standard HF cache. Depends on `@finemem/spec` alone
 * (and js-tiktoken); `@huggingface/hub` is an optional peer, imported on the first download.
 */

export { type ConcurrencyLimiter, createConcurrencyLimiter, type ReleaseSlot } from "./concurrency-limiter.js";
export { contentTerms } from "./content-terms.js";
// The Hugging Face hub and its cache.
export { HubError, type HubErrorCode } from "./hub/hub-error.js";
export {
  type HubCachedFile,
  type HubCacheMode,
  type HubCallOptions,
  type HubFetchOptions,
  type HubRepo,
  type HubRepoOptions,
  type HubRepoType,
  isCommitHash,
  isHubOffline,
  openHubRepo,
} from "./hub/hub-repo.js";
export { sha256File } from "./hub/sha256-file.js";
export {
  checkTransformersModelFolder,
  resolveTransformersSnapshot,
  type TransformersSnapshot,
  type TransformersSnapshotRequest,
} from "./hub/transformers-model.js";
export {
  isTransformersDtype,
  TRANSFORMERS_DTYPE_SUFFIXES,
  type TransformersDtype,
} from "./hub/transformers-model-files.js";
export { fencedBlocks, isFenced, skipFenceClosing, skipFenceOpening } from "./json-in-text/code-fence.js";
export { matchBareKey, skipJsonWhitespace } from "./json-in-text/json-lexicon.js";
export { JSON_TEXT_REPAIRS, type JsonRepairName } from "./json-in-text/json-repairs.js";
export type { JsonFailureReason, JsonReadResult } from "./json-in-text/lenient-json.js";
export { type FastScanBudget, fastScanBudget, readJsonAt, readJsonText } from "./json-in-text/read-json.js";
export { decodeJsonl, encodeJsonlLine, JsonlError } from "./jsonl.js";
export { mapWithConcurrency } from "./map-with-concurrency.js";
// Text.
export { createO200kTokenCounter } from "./o200k-token-counter.js";
// Options and optional dependencies.
export { finiteAtLeast, integerAtLeast, type OptionErrorFactory, positiveInteger } from "./option-checks.js";
export {
  importOptionalPeer,
  OptionalPeerError,
  type OptionalPeerFailure,
  type OptionalPeerFailureCode,
} from "./optional-peer.js";
// Randomness, lines, concurrency.
export { packageVersionOf } from "./package-version.js";
export { createSeededRandom, type RandomSource } from "./seeded-random.js";
export { type SentenceSpan, splitSentences } from "./split-sentences.js";
