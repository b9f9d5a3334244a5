import {
  type CallOptions,
  CORE_ITEM_ID,
  type EvidenceItem,
  type MemoryView,
  type RetrievedItem,
  type Retriever,
} from "@finemem/spec";

export interface EvidenceRetrievalOptions {
  /** Items per query (per memory type in the typed layout). Fine-Mem's top-k is unconfirmed; default 20, as Mem-α. */
  readonly topK: number;
}

/**
 * The items a reader is given for one question, best first. Flat: the retriever's top k. Typed (Mem-α):
 * the core paragraph always comes first, then the top k semantic and the top k episodic items. The
 * core item is listed with score 0: it was not ranked, it is always shown.
 */
export async function retrieveEvidence(
  retriever: Retriever,
  query: string,
  view: MemoryView,
  options: EvidenceRetrievalOptions,
  callOptions?: CallOptions,
): Promise<RetrievedItem[]> {
  if (view.layout === "flat") return [...(await retriever.retrieve({ query, view, topK: options.topK }, callOptions))];
  const core = view.items.find((item) => item.id === CORE_ITEM_ID && item.memoryType === "core");
  const ranked = await retriever.retrieve(
    { query, view, topK: options.topK, memoryTypes: ["semantic", "episodic"], perType: true },
    callOptions,
  );
  const items = [
    ...(core === undefined ? [] : [{ item: core, score: 0 }]),
    ...ranked.filter((hit) => hit.item.id !== CORE_ITEM_ID),
  ];
  return items.map((hit, index) => ({ item: hit.item, score: hit.score, rank: index + 1 }));
}

/** The evidence record's view of retrieved items: exact version, 1-based rank, score. */
export function evidenceItemsOf(retrieved: readonly RetrievedItem[]): EvidenceItem[] {
  return retrieved.map((hit, index) => ({
    itemId: hit.item.id,
    version: hit.item.version,
    rank: index + 1,
    score: hit.score,
  }));
}
