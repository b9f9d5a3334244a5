import {
  type MemoryView,
  type RetrievalRequest,
  type RetrievedItem,
  type Retriever,
  SPECIFICATION_VERSION,
  throwIfAborted,
} from "@finemem/spec";
import type { Bm25Parameters } from "../bm25/bm25-index.js";
import { type InMemoryStore, storeOfView } from "../store/in-memory-store.js";
import { searchByType } from "./search-by-type.js";
import { ViewIndexCache } from "./view-index-cache.js";

export interface Bm25RetrieverOptions {
  /**
   * A store whose views this retriever will mostly be asked about. When a request's view is that
   * store's current view (the very object `view()` returned, with no write since), the store's
   * incremental index answers and nothing is rebuilt. Without it, the current view of any in-memory
   * (or persistent) store in this process that indexes with the default parameters is answered from
   * that store's index all the same.
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
      // The bound store, or else the store the view came from when it indexes with the same (default)
      // parameters, answers its current view from its own index.
      const source = options.store ?? defaultParameterStoreOf(request.view);
      const fromStore =
        options.parameters === undefined ? source?.searchView(request.view, request.query, searchOptions) : undefined;
      if (fromStore !== undefined) return fromStore;
      const indexed = indexes.indexOf(request.view);
      return searchByType(indexed.index, request.view.layout, request.query, request, indexed.itemOfKey);
    },
  };
}

/** The store `view` came from, when it indexes with the default BM25 parameters (as this retriever does). */
function defaultParameterStoreOf(view: MemoryView): InMemoryStore | undefined {
  const store = storeOfView(view);
  return store !== undefined && Object.keys(store.bm25Parameters()).length === 0 ? store : undefined;
}
