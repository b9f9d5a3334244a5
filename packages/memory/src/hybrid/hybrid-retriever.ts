import {
  type Embedder,
  type MemoryLayout,
  type MemoryType,
  type MemoryView,
  type RetrievalRequest,
  type RetrievedItem,
  type Retriever,
  SPECIFICATION_VERSION,
  throwIfAborted,
} from "@finemem/spec";
import { finiteAtLeast, positiveInteger } from "@finemem/utils";
import { createBm25Retriever } from "../retrieval/bm25-retriever.js";
import { rankByCosine } from "./cosine-ranking.js";
import { type EmbeddingCache, type EmbeddingKey, InMemoryEmbeddingCache } from "./embedding-cache.js";
import { EmbedderError, HybridOptionsError, hybridOptionError } from "./errors.js";
import { reciprocalRankFusion } from "./reciprocal-rank-fusion.js";

export interface HybridRetrieverOptions {
  /** Embeds the query and the items; its `modelId` is part of every cache key. */
  readonly embedder: Embedder;
  /** The lexical ranker. Default: `createBm25Retriever()` (pass one bound to a store to reuse its index). */
  readonly bm25?: Retriever;
  /** The RRF constant: a ranking adds `1 / (k + rank)`. Default 60, the value of the original paper. */
  readonly k?: number;
  /**
   * How many items each ranking contributes (BM25's best, and the densest by cosine). Default: every
   * item of the view that the request covers; a smaller value drops the long tails of both lists.
   */
  readonly candidates?: number;
  /** Where item embeddings are kept between queries. Default: a new {@link InMemoryEmbeddingCache}. */
  readonly cache?: EmbeddingCache;
  /**
   * Weights of the two rankings in the fusion (default 1 each, plain RRF). With k = 60, plain RRF
   * decides close calls almost at random (ranks 1 and 3 against 2 and 1 differ by 0.0003); a weight
   * above 1 on `dense` lets paraphrases win them, above 1 on `bm25` favours exact names and numbers.
   */
  readonly weights?: { readonly bm25?: number; readonly dense?: number };
}

export interface HybridRetriever extends Retriever {
  readonly embedder: Embedder;
  /** The cache the retriever reads and fills (the one passed in, or its own). */
  readonly embeddingCache: EmbeddingCache;
  readonly k: number;
  readonly weights: { readonly bm25: number; readonly dense: number };
  /** `Infinity` when every item takes part. */
  readonly candidates: number;
}

const TYPES_OF_LAYOUT: Readonly<Record<MemoryLayout, readonly (MemoryType | undefined)[]>> = {
  flat: [undefined],
  typed: ["core", "semantic", "episodic"],
};
const KNOWN_OPTIONS = new Set(["embedder", "bm25", "k", "candidates", "cache", "weights"]);

/**
 * A spec {@link Retriever} fusing BM25's ranking with a dense one by reciprocal rank fusion, so an
 * item found by either wins over items found by neither, and one found by both wins over the rest.
 * Lexical ranking catches names, numbers and rare words; the dense one catches paraphrases that share
 * no word with the query ("Ada bought an automobile" for "Which car did Ada purchase?").
 *
 * - The dense ranking is exact: cosine similarity between the query and every item the request
 *   covers. Items are embedded once per text (see {@link EmbeddingCache}); a query then embeds only
 *   itself and the items added or updated since the previous one.
 * - Only items BM25 scores above 0 are in its ranking: BM25 lists the others by insertion order to
 *   fill `topK`, an order that says nothing about relevance.
 * - `memoryTypes` and `perType` mean what they mean for BM25: only those types take part, and with
 *   `perType` each type is fused and cut to `topK` on its own, concatenated in `memoryTypes` order.
 * - Scores are fused scores; ties go to the earlier item in the view. Fewer than `topK` fused items
 *   (possible only with `candidates`) are filled with score-0 items in view order, as BM25 does.
 */
export function createHybridRetriever(options: HybridRetrieverOptions): HybridRetriever {
  if (typeof options !== "object" || options === null)
    throw new HybridOptionsError("embedder", "options must be an object with an `embedder`");
  for (const key of Object.keys(options))
    if (!KNOWN_OPTIONS.has(key)) throw new HybridOptionsError(key, "unknown option");
  const { embedder } = options;
  if (
    typeof embedder?.embed !== "function" ||
    typeof embedder.modelId !== "string" ||
    !Number.isInteger(embedder.dimensions) ||
    embedder.dimensions < 1
  ) {
    throw new HybridOptionsError("embedder", "must be an Embedder (embed, modelId, dimensions ≥ 1)");
  }
  const bm25 = options.bm25 ?? createBm25Retriever();
  if (typeof bm25?.retrieve !== "function") throw new HybridOptionsError("bm25", "must be a Retriever");
  const k = options.k ?? 60;
  finiteAtLeast("k", k, 0, hybridOptionError);
  const candidates = options.candidates ?? Number.POSITIVE_INFINITY;
  if (candidates !== Number.POSITIVE_INFINITY) positiveInteger("candidates", candidates, hybridOptionError);
  const weights = { bm25: options.weights?.bm25 ?? 1, dense: options.weights?.dense ?? 1 };
  for (const [name, weight] of Object.entries(weights)) {
    finiteAtLeast(
      name,
      weight,
      0,
      (_name, expected) => new HybridOptionsError("weights", `${name} must be ${expected}`),
    );
  }
  const cache = options.cache ?? new InMemoryEmbeddingCache();
  if (typeof cache?.getMany !== "function" || typeof cache.setMany !== "function")
    throw new HybridOptionsError("cache", "must be an EmbeddingCache (getMany, setMany)");

  /** The query's vector and one vector per listed view position. */
  const embedAll = async (
    view: MemoryView,
    query: string,
    positions: readonly number[],
    signal: AbortSignal | undefined,
  ) => {
    const keys: EmbeddingKey[] = positions.map((position) => {
      const item = view.items[position]!;
      return {
        modelId: embedder.modelId,
        namespace: view.namespace,
        itemId: item.id,
        version: item.version,
        content: item.content,
      };
    });
    const cached = await cache.getMany(keys);
    throwIfAborted(signal);
    const vectors = new Map<number, Float32Array>();
    // Texts to embed: the query first, then each missing text once (two items may share one).
    const texts = [query];
    const textIndex = new Map<string, number>();
    const missing: { position: number; key: EmbeddingKey; index: number }[] = [];
    positions.forEach((position, index) => {
      const vector = cached[index];
      // A vector of another length comes from another model (or a corrupt store): embed again.
      if (vector instanceof Float32Array && vector.length === embedder.dimensions) {
        vectors.set(position, vector);
        return;
      }
      const key = keys[index]!;
      let textAt = textIndex.get(key.content);
      if (textAt === undefined) {
        textAt = texts.push(key.content) - 1;
        textIndex.set(key.content, textAt);
      }
      missing.push({ position, key, index: textAt });
    });
    const embedded = await embedder.embed(texts, signal === undefined ? undefined : { signal });
    throwIfAborted(signal);
    if (
      embedded.length !== texts.length ||
      embedded.some((vector) => !(vector instanceof Float32Array) || vector.length !== embedder.dimensions)
    ) {
      throw new EmbedderError(
        "invalid_embedding",
        `${embedder.modelId} returned ${embedded.length} vectors for ${texts.length} texts, or vectors not of ${embedder.dimensions} floats`,
      );
    }
    for (const { position, index } of missing) vectors.set(position, embedded[index]!);
    if (missing.length > 0) await cache.setMany(missing.map(({ key, index }) => ({ key, vector: embedded[index]! })));
    return { query: embedded[0]!, vectors };
  };

  return {
    specificationVersion: SPECIFICATION_VERSION,
    retrieverId: "hybrid-rrf",
    embedder,
    embeddingCache: cache,
    k,
    weights,
    candidates,
    async retrieve(request: RetrievalRequest, callOptions): Promise<readonly RetrievedItem[]> {
      const signal = callOptions?.signal;
      throwIfAborted(signal);
      const { view, query } = request;
      const topK = Math.floor(request.topK);
      if (!(topK > 0)) return [];
      const types = request.memoryTypes ?? TYPES_OF_LAYOUT[view.layout];
      const groups = (request.perType ? types.map((type) => [type]) : [types]).map((group) => ({
        types: group,
        positions: view.items.flatMap((item, position) => (group.includes(item.memoryType) ? [position] : [])),
      }));
      const covered = [...new Set(groups.flatMap((group) => group.positions))].sort((a, b) => a - b);
      if (covered.length === 0) return [];
      const positionOfId = new Map(view.items.map((item, position) => [item.id, position]));

      const lexicalOf = async (group: (typeof groups)[number]): Promise<number[]> => {
        if (group.positions.length === 0) return [];
        // Flat items have no type: the flat layout's one group is asked for without a type filter.
        const memoryTypes = group.types.filter((type): type is MemoryType => type !== undefined);
        const hits = await bm25.retrieve(
          {
            query,
            view,
            topK: Math.min(candidates, group.positions.length),
            ...(memoryTypes.length === group.types.length ? { memoryTypes } : {}),
          },
          signal === undefined ? undefined : { signal },
        );
        const eligible = new Set(group.positions);
        const ranking = new Set<number>();
        for (const hit of hits) {
          const position = positionOfId.get(hit.item.id);
          if (hit.score > 0 && position !== undefined && eligible.has(position)) ranking.add(position);
        }
        return [...ranking];
      };
      const [dense, lexical] = await Promise.all([
        embedAll(view, query, covered, signal),
        Promise.all(groups.map(lexicalOf)),
      ]);
      throwIfAborted(signal);

      const results: RetrievedItem[] = [];
      groups.forEach((group, groupIndex) => {
        if (group.positions.length === 0) return;
        const limit = Math.min(candidates, group.positions.length);
        const denseRanking = rankByCosine(
          dense.query,
          group.positions.map((position) => ({ key: position, vector: dense.vectors.get(position)! })),
          limit,
        );
        const fused = reciprocalRankFusion([lexical[groupIndex]!, denseRanking], k, [
          weights.bm25,
          weights.dense,
        ]).slice(0, topK);
        if (fused.length < topK) {
          const taken = new Set(fused.map((hit) => hit.key));
          for (const position of group.positions) {
            if (fused.length >= topK) break;
            if (!taken.has(position)) fused.push({ key: position, score: 0 });
          }
        }
        fused.forEach((hit, index) => {
          results.push({ item: view.items[hit.key]!, score: hit.score, rank: index + 1 });
        });
      });
      return results;
    },
  };
}
