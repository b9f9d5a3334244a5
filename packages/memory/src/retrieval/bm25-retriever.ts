import {
  type MemoryView,
  type RetrievalRequest,
  type RetrievedItem,
  type Retriever,
  SPECIFICATION_VERSION,
  throwIfAborted,
} from "@finemem/spec";
import { Bm25Index, type Bm25Parameters } from "../bm25/bm25-index.js";
import type { InMemoryStore } from "../store/in-memory-store.js";
import { KIND_OF_TYPE } from "../store/namespace-state.js";
import { searchByType } from "./search-by-type.js";

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
 * asked about: a view the bound store produced is answered from its index; any other view is indexed
 * once (the index is cached for as long as the view object lives) and then queried.
 */
export function createBm25Retriever(options: Bm25RetrieverOptions = {}): Retriever {
  const indexes = new WeakMap<MemoryView, Bm25Index>();
  const indexOf = (view: MemoryView): Bm25Index => {
    let index = indexes.get(view);
    if (index === undefined) {
      index = new Bm25Index(options.parameters);
      view.items.forEach((item, position) => {
        index!.add(position, item.content, KIND_OF_TYPE[item.memoryType ?? "flat"]);
      });
      indexes.set(view, index);
    }
    return index;
  };
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
      return searchByType(
        indexOf(request.view),
        request.view.layout,
        request.query,
        request,
        (key) => request.view.items[key]!,
      );
    },
  };
}
