import {
  type CallOptions,
  type MemoryItem,
  type RetrievalRequest,
  type RetrievedItem,
  type Retriever,
  SPECIFICATION_VERSION,
  throwIfAborted,
} from "@finemem/spec";
import { contentTerms } from "@finemem/utils";
import { MemoryManagerError } from "./memory-manager-error.js";

/** Items scoring under this share of the best item's score are left out of a recall. */
export const DEFAULT_RECALL_RELATIVE_CUT = 0.5;

export interface RelevanceRetrieverOptions {
  /** Keep items scoring at least this share of the best score, in [0, 1]. Default {@link DEFAULT_RECALL_RELATIVE_CUT}. */
  readonly relativeCut?: number;
}

const K1 = 1.2;
const B = 0.75;

/**
 * The agent's default recall ranking: BM25 over the items' content words (`contentTerms`: no function
 * or question words, light stemming, so "Where does Anna live?" meets "Anna lives in Leeds"), with an
 * idf that stays positive however few items there are (ln(1 + (N − df + 0.5) / (df + 0.5)); rank_bm25's
 * idf is 0 or below for a word in half the items, which scores every item of a two-item memory 0).
 * An item sharing no content word with the question is never recalled, so an unrelated question gets
 * nothing; items under `relativeCut` of the best score are dropped; ties go to the more recently
 * written item, then the newer version, then the id. Recall only: the reasoner's evidence keeps the
 * store's rank_bm25-exact scores.
 */
export function createRelevanceRetriever(options: RelevanceRetrieverOptions = {}): Retriever {
  const relativeCut = options.relativeCut ?? DEFAULT_RECALL_RELATIVE_CUT;
  if (!(typeof relativeCut === "number" && relativeCut >= 0 && relativeCut <= 1)) {
    throw new MemoryManagerError(
      "invalid_option",
      `relativeCut must be a number in [0, 1], got ${String(relativeCut)}`,
      ["relativeCut"],
    );
  }
  // Stores hand out the same frozen item until it is written again: each is read once.
  const countsOf = new WeakMap<MemoryItem, { readonly length: number; readonly counts: ReadonlyMap<string, number> }>();
  const itemTerms = (item: MemoryItem) => {
    let entry = countsOf.get(item);
    if (entry === undefined) {
      const terms = contentTerms(item.content);
      const counts = new Map<string, number>();
      for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
      entry = { length: terms.length, counts };
      countsOf.set(item, entry);
    }
    return entry;
  };
  return {
    specificationVersion: SPECIFICATION_VERSION,
    retrieverId: `relevance-bm25:cut${relativeCut}`,
    async retrieve(request: RetrievalRequest, callOptions?: CallOptions): Promise<RetrievedItem[]> {
      throwIfAborted(callOptions?.signal);
      const items = request.view.items.filter(
        (item) =>
          request.memoryTypes === undefined ||
          (item.memoryType !== undefined && request.memoryTypes.includes(item.memoryType)),
      );
      const query = [...new Set(contentTerms(request.query))];
      if (query.length === 0 || items.length === 0) return [];
      const documents = items.map(itemTerms);
      const averageLength = documents.reduce((total, document) => total + document.length, 0) / documents.length || 1;
      const frequency = new Map<string, number>();
      for (const document of documents)
        for (const term of document.counts.keys()) frequency.set(term, (frequency.get(term) ?? 0) + 1);
      const scored = items.map((item, index) => {
        const document = documents[index]!;
        let score = 0;
        for (const term of query) {
          const count = document.counts.get(term) ?? 0;
          if (count === 0) continue;
          const df = frequency.get(term) ?? 0;
          const idf = Math.log(1 + (items.length - df + 0.5) / (df + 0.5));
          score += (idf * count * (K1 + 1)) / (count + K1 * (1 - B + (B * document.length) / averageLength));
        }
        return { item, score };
      });
      const ranked = scored
        .filter((entry) => entry.score > 0)
        .sort(
          (a, b) =>
            b.score - a.score ||
            b.item.step - a.item.step ||
            b.item.version - a.item.version ||
            (a.item.id < b.item.id ? -1 : a.item.id > b.item.id ? 1 : 0),
        );
      const best = ranked[0]?.score ?? 0;
      const kept = ranked.filter((entry) => entry.score >= relativeCut * best);
      const limited = request.perType
        ? [...groupBy(kept, (entry) => entry.item.memoryType ?? "")].flatMap(([, group]) =>
            group.slice(0, request.topK),
          )
        : kept.slice(0, request.topK);
      return limited.map((entry, index) => ({ item: entry.item, score: entry.score, rank: index + 1 }));
    },
  };
}

function groupBy<T>(values: readonly T[], keyOf: (value: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const value of values) {
    const key = keyOf(value);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [value]);
    else group.push(value);
  }
  return groups;
}
