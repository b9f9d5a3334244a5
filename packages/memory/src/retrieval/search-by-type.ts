import type { MemoryItem, MemoryLayout, MemoryType, RetrievedItem } from "@finemem/spec";
import type { Bm25Index } from "../bm25/bm25-index.js";
import { KIND_OF_TYPE } from "../store/namespace-state.js";

const MEMORY_TYPES_OF_LAYOUT: Readonly<Record<MemoryLayout, readonly (MemoryType | undefined)[]>> = {
  flat: [undefined],
  typed: ["core", "semantic", "episodic"],
};

export interface TypedSearch {
  readonly topK: number;
  /** Default: every type of the layout. */
  readonly memoryTypes?: readonly MemoryType[] | undefined;
  /** `topK` per type, concatenated in `memoryTypes` order, ranks from 1 within each type. */
  readonly perType?: boolean | undefined;
}

/** Searches an index whose documents carry their memory type as the BM25 kind, overall or per type. */
export function searchByType(
  index: Bm25Index,
  layout: MemoryLayout,
  query: string,
  options: TypedSearch,
  itemOfKey: (key: number) => MemoryItem,
): RetrievedItem[] {
  const types = options.memoryTypes ?? MEMORY_TYPES_OF_LAYOUT[layout];
  const kinds = types.map((type) => KIND_OF_TYPE[type ?? "flat"]);
  const groups = options.perType ? kinds.map((kind) => [kind]) : [kinds];
  const results: RetrievedItem[] = [];
  for (const group of groups) {
    index.search(query, { topK: options.topK, kinds: group }).forEach((hit, rank) => {
      results.push({ item: itemOfKey(hit.key), score: hit.score, rank: rank + 1 });
    });
  }
  return results;
}
