import type {
  CallOptions,
  Id,
  MemoryStore,
  MemoryType,
  Namespace,
  OperationResult,
  RetrievedItem,
} from "@finemem/spec";

/** Options of {@link MemoryBackend.search}. */
export interface SearchOptions {
  /** How many items at most: overall, or per memory type when `perType` is set. Default 20. */
  readonly topK?: number;
  /** Only items of these memory types (typed layout). Default: every type of the layout. */
  readonly memoryTypes?: readonly MemoryType[];
  /**
   * Rank each memory type on its own and return `topK` of each, concatenated in `memoryTypes` order
   * with ranks counting from 1 within each type (Mem-α retrieves 20 semantic and 20 episodic items).
   */
  readonly perType?: boolean;
}

/** Options of {@link MemoryBackend.deleteBySource}. */
export interface DeleteBySourceOptions {
  /** The step the DELETEs are recorded at (≥ the namespace's last step). */
  readonly step: number;
  /**
   * `any-version` (default): delete every current item that any version of which came from the chunk,
   * since an UPDATE rewrites text it partly kept. `current-version`: only items whose current version
   * came from it.
   */
  readonly scope?: "any-version" | "current-version";
}

/** Options of {@link MemoryBackend.importJsonl}. */
export interface ImportOptions extends CallOptions {
  /**
   * Import the export's memory under this namespace instead of the one it was exported from: every
   * item, version, operation-log entry and provenance record lands in `namespace`. The store may then
   * hold memory in other namespaces (item ids are per namespace, so they never collide); only
   * `namespace` itself must be empty (else `not_empty`), and the export must hold at most one
   * namespace (else `several_namespaces`). Without it the whole store must be empty and every
   * namespace is imported as exported.
   */
  readonly namespace?: Namespace;
}

/**
 * A spec {@link MemoryStore} with everything Fine-Mem's backends provide beyond it: BM25 search over
 * the current items, forgetting by source chunk, copy-on-write forks, and JSONL export / import.
 * `@finemem/memory/testing`'s conformance suite checks all of it against any implementation.
 */
export interface MemoryBackend extends MemoryStore {
  /** BM25 (rank_bm25's BM25Okapi over Mem-α's tokens), best first, ties by earlier insertion. */
  search(
    namespace: Namespace,
    query: string,
    options?: SearchOptions,
    callOptions?: CallOptions,
  ): Promise<readonly RetrievedItem[]>;
  /**
   * Deletes every current item derived from `sourceChunkId` (provenance records the chunk of every
   * version, so the set is exact). The DELETEs go through `apply` with operation ids `forget.<n>`,
   * leave tombstones, and are returned in item order.
   */
  deleteBySource(
    namespace: Namespace,
    sourceChunkId: Id,
    options: DeleteBySourceOptions,
    callOptions?: CallOptions,
  ): Promise<readonly OperationResult[]>;
  /** A store starting from this one's state whose writes neither store sees from the other. */
  fork(callOptions?: CallOptions): Promise<MemoryBackend>;
  /** Namespaces holding at least one applied operation, in a stable order. */
  namespaces(callOptions?: CallOptions): Promise<readonly Namespace[]>;
  /** The whole store as versioned JSONL (format `finemem-memory`); byte-identical for equal states. */
  exportJsonl(callOptions?: CallOptions): Promise<string>;
  /**
   * Loads an export into this store, which must be empty; on any error the store is left unchanged.
   * With `options.namespace`, merges a one-namespace export into a store holding other namespaces,
   * under that namespace (see {@link ImportOptions}).
   */
  importJsonl(text: string, options?: ImportOptions): Promise<void>;
}
