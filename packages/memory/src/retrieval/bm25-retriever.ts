import {
  type RetrievalRequest,
  type RetrievedItem,
  type Retriever,
  SPECIFICATION_VERSION,
  throwIfAborted,
} from "@finemem/spec";
import type { Bm25Parameters } from "../bm25/bm25-index.js";
import type { InMemoryStore } from "../store/in-memory-store.js";
import { searchByType } from "./search-by-type.js";
import { ViewIndexCache } from "./view-index-cache.js";

export interface Bm25RetrieverOptions {
  /**
   * A store whose views this retriever will mostly be asked about. When a request's view is that
   * store's current view (the very object `view()` returned, with no write since), the store's
   * incremental index answers and nothing is rebuilt.
   */
  readonly store?: InMemoryStore;
  readonly parameters?: Partial<Bm25Parameters>;
}

/**
 * The spec {@link Retriever} for BM25 (rank_bm25's BM25Okapi over Mem-α's tokens). Any view can be
 * asked about: a view the bound store produced is answered from its index; any other view is answered
 * from an index kept across views: the index of the view it differs least from (typically the same
 * memory one step earlier) updated by the items added, changed and removed, so an episode that asks
 * about each step's view pays for what the step changed, not for the whole memory. The results equal
 * a fresh index's over the view.
 */
export function createBm25Retriever(options: Bm25RetrieverOptions = {}): Retriever {
  const indexes = new ViewIndexCache({ parameters: options.parameters });
  return {
    specificationVersion: SPECIFICATION_VERSION,
    retrieverId: "bm25-okapi",
    async retrieve(request: RetrievalRequest, callOptions): Promise<readonly RetrievedItem[]> {
      throwIfAborted(callOptions?.signal);
      const searchOptions = {
        topK: request.topK,
        ...(request.memoryTypes === undefined ? {} : { memoryTypes: request.memoryTypes }),
        ...(request.perType === undefined ? {} : { perType: request.perType }),
      };
      const fromStore =
        options.parameters === undefined
          ? options.store?.searchView(request.view, request.query, searchOptions)
          : undefined;
      if (fromStore !== undefined) return fromStore;
      const indexed = indexes.indexOf(request.view);
      return searchByType(indexed.index, request.view.layout, request.query, request, indexed.itemOfKey);
    },
  };
}
