/**
 * @finemem/memory: the memory store Fine-Mem's manager writes and its reasoning agent reads. Flat and
 * typed layouts, INSERT / UPDATE / DELETE / SKIP with reason codes, version chains and φ provenance,
 * namespaces, copy-on-write forks, versioned JSONL export, and an incremental BM25 index whose scores
 * equal rank_bm25's BM25Okapi.
 */
export {
  BM25_OKAPI_DEFAULTS,
  type Bm25Hit,
  Bm25Index,
  type Bm25Parameters,
  type Bm25SearchOptions,
} from "./bm25/bm25-index.js";
export { bm25Scores } from "./bm25/bm25-scores.js";
export { tokenizeForBm25 } from "./bm25/tokenize.js";
export { StoreLockedError } from "./persistent/directory-lock.js";
export { promptView, type RecentItemsOptions } from "./prompt-view.js";
export { type Bm25RetrieverOptions, createBm25Retriever } from "./retrieval/bm25-retriever.js";
export { ApplyRequestError, MemoryImportError, StoreClosedError } from "./store/errors.js";
export {
  createInMemoryStore,
  InMemoryStore,
  type InMemoryStoreOptions,
  StoreOptionsError,
} from "./store/in-memory-store.js";
export type { DeleteBySourceOptions, ImportOptions, MemoryBackend, SearchOptions } from "./store/memory-backend.js";
export { createTokenLedger, type TokenLedger } from "./tokens/token-ledger.js";
