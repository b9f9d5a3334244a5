import type { MemoryBackend } from "@finemem/memory";
import { type Retriever, SPECIFICATION_VERSION } from "@finemem/spec";

/**
 * A spec {@link Retriever} answered by the store's own `search` (its incremental BM25 index, equal to
 * rank_bm25's BM25Okapi). Any backend keeps that index up to date as it writes, so recall costs one
 * query, not re-indexing the memory. The request's view must be the store's current view of its
 * namespace, which holds inside the memory manager: recall reads the view and searches in one queued job.
 */
export function createStoreSearchRetriever(store: MemoryBackend): Retriever {
  return {
    specificationVersion: SPECIFICATION_VERSION,
    retrieverId: "bm25-okapi",
    retrieve: (request, callOptions) =>
      store.search(
        request.view.namespace,
        request.query,
        {
          topK: request.topK,
          ...(request.memoryTypes === undefined ? {} : { memoryTypes: request.memoryTypes }),
          ...(request.perType === undefined ? {} : { perType: request.perType }),
        },
        callOptions,
      ),
  };
}
