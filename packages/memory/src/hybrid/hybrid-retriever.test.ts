import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Embedder,
  type MemoryOperation,
  type MemoryView,
  type RetrievedItem,
  SPECIFICATION_VERSION,
} from "@finemem/spec";
import { writeTinySynonymModel } from "@finemem/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBm25Retriever } from "../retrieval/bm25-retriever.js";
import { createInMemoryStore } from "../store/in-memory-store.js";
import { InMemoryEmbeddingCache } from "./embedding-cache.js";
import { createHybridRetriever } from "./hybrid-retriever.js";
import { createTransformersEmbedder, type TransformersEmbedder } from "./transformers-embedder.js";

let work: string;
let embedder: TransformersEmbedder;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "finemem-hybrid-"));
  const model = await writeTinySynonymModel(join(work, "model"));
  embedder = await createTransformersEmbedder({ model: model.dir, threads: 1 });
});

afterAll(async () => {
  await embedder?.dispose();
  await rm(work, { recursive: true, force: true });
});

/** Wraps an embedder and records every batch of texts it is asked to embed. */
function countingEmbedder(inner: Embedder): Embedder & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    specificationVersion: inner.specificationVersion,
    modelId: inner.modelId,
    dimensions: inner.dimensions,
    calls,
    embed(texts, options) {
      calls.push([...texts]);
      return inner.embed(texts, options);
    },
  };
}

let stepNumber = 0;
async function flatView(contents: readonly string[]): Promise<MemoryView> {
  const store = createInMemoryStore();
  await store.apply(step(contents.map((content): MemoryOperation => ({ type: "INSERT", content }))));
  return store.view({});
}
function step(operations: readonly MemoryOperation[]) {
  stepNumber += 1;
  return {
    namespace: {},
    step: stepNumber,
    operations: operations.map((operation, index) => ({ operationId: `op${stepNumber}-${index}`, operation })),
  };
}
const contents = (results: readonly RetrievedItem[]) => results.map((result) => result.item.content);

describe("createHybridRetriever", () => {
  it("ranks a paraphrase first where BM25 ranks a lexical distractor first", async () => {
    const view = await flatView([
      "Which day did Ada arrive in Paris?", // shares which / did / ada with the query: BM25's favourite
      "Bob purchased a bicycle.",
      "Ada bought an automobile.", // the answer, in synonyms of the query's words
      "The physician works at the hospital.",
      "Carol plays the violin.",
    ]);
    const request = { query: "Which car did Ada purchase?", view, topK: 5 };
    const target = "Ada bought an automobile.";

    const lexical = await createBm25Retriever().retrieve(request);
    expect(lexical[0]!.item.content).toBe("Which day did Ada arrive in Paris?");
    expect(lexical.find((hit) => hit.item.content === target)!.rank).toBe(2);

    const hybrid = await createHybridRetriever({ embedder }).retrieve(request);
    expect(hybrid[0]).toMatchObject({ item: { content: target }, rank: 1 });
    expect(hybrid[0]!.score).toBeCloseTo(1 / 61 + 1 / 62, 12); // dense rank 1, BM25 rank 2
    expect(hybrid[1]).toMatchObject({ item: { content: "Which day did Ada arrive in Paris?" }, rank: 2 });
    expect(hybrid.map((hit) => hit.rank)).toEqual([1, 2, 3, 4, 5]);
    for (let index = 1; index < hybrid.length; index++)
      expect(hybrid[index]!.score).toBeLessThanOrEqual(hybrid[index - 1]!.score);
  });

  it("weights the rankings: a heavier BM25 lets the lexical distractor win the close call", async () => {
    const view = await flatView([
      "Which day did Ada arrive in Paris?",
      "Bob purchased a bicycle.",
      "Ada bought an automobile.",
    ]);
    const request = { query: "Which car did Ada purchase?", view, topK: 3 };
    const lexicalFirst = await createHybridRetriever({ embedder, weights: { bm25: 2 } }).retrieve(request);
    expect(lexicalFirst[0]!.item.content).toBe("Which day did Ada arrive in Paris?");
    const denseFirst = await createHybridRetriever({ embedder, weights: { dense: 2 } }).retrieve(request);
    expect(denseFirst[0]!.item.content).toBe("Ada bought an automobile.");
    expect(createHybridRetriever({ embedder }).weights).toEqual({ bm25: 1, dense: 1 });
  });

  it("finds a paraphrase sharing no word with the query, where BM25 scores nothing above zero", async () => {
    const view = await flatView([
      "Carol plays the violin.",
      "Bob visited the physician on Monday.",
      "Dan bought a car.",
    ]);
    const request = { query: "automobile purchase", view, topK: 3 };
    const lexical = await createBm25Retriever().retrieve(request);
    expect(lexical.every((hit) => hit.score === 0)).toBe(true);
    expect(lexical[0]!.item.content).toBe("Carol plays the violin."); // insertion order, nothing more
    const hybrid = await createHybridRetriever({ embedder }).retrieve(request);
    expect(hybrid[0]).toMatchObject({ item: { content: "Dan bought a car." }, rank: 1, score: 1 / 61 });
  });

  it("embeds each item version once: a second query embeds only itself, an update only the new version", async () => {
    const store = createInMemoryStore();
    await store.apply(
      step([
        { type: "INSERT", content: "Ada bought an automobile." },
        { type: "INSERT", content: "Bob plays chess." },
        { type: "INSERT", content: "Carol lives in Lisbon." },
      ]),
    );
    const counting = countingEmbedder(embedder);
    const retriever = createHybridRetriever({ embedder: counting, bm25: createBm25Retriever({ store }) });

    await retriever.retrieve({ query: "Which car did Ada purchase?", view: await store.view({}), topK: 2 });
    expect(counting.calls).toEqual([
      ["Which car did Ada purchase?", "Ada bought an automobile.", "Bob plays chess.", "Carol lives in Lisbon."],
    ]);

    await retriever.retrieve({ query: "Who plays chess?", view: await store.view({}), topK: 2 });
    expect(counting.calls[1]).toEqual(["Who plays chess?"]);

    await store.apply(
      step([{ type: "UPDATE", id: (await store.view({})).items[1]!.id, content: "Bob plays the violin." }]),
    );
    const updated = await store.view({});
    expect(updated.items[1]!.version).toBe(2);
    const results = await retriever.retrieve({ query: "Who plays the violin?", view: updated, topK: 1 });
    expect(counting.calls[2]).toEqual(["Who plays the violin?", "Bob plays the violin."]);
    expect(contents(results)).toEqual(["Bob plays the violin."]);
    expect((retriever.embeddingCache as InMemoryEmbeddingCache).size).toBe(4);
  });

  it("shares a cache between retrievers, and hands every new vector to it with its item version", async () => {
    const view = await flatView(["Ada bought an automobile.", "Bob plays chess."]);
    const stored: { itemId: string; version: number; modelId: string; length: number }[] = [];
    const cache = new InMemoryEmbeddingCache();
    const recording = {
      getMany: cache.getMany.bind(cache),
      setMany(entries: Parameters<InMemoryEmbeddingCache["setMany"]>[0]) {
        for (const { key, vector } of entries)
          stored.push({ itemId: key.itemId, version: key.version, modelId: key.modelId, length: vector.length });
        cache.setMany(entries);
      },
    };
    await createHybridRetriever({ embedder, cache: recording }).retrieve({ query: "car", view, topK: 1 });
    expect(stored).toEqual(
      view.items.map((item) => ({
        itemId: item.id,
        version: 1,
        modelId: embedder.modelId,
        length: embedder.dimensions,
      })),
    );

    const counting = countingEmbedder(embedder);
    await createHybridRetriever({ embedder: counting, cache }).retrieve({ query: "chess", view, topK: 1 });
    expect(counting.calls).toEqual([["chess"]]);
  });

  it("respects memoryTypes and perType as BM25 does", async () => {
    const store = createInMemoryStore({ layout: "typed" });
    await store.apply(
      step([
        { type: "INSERT", content: "Bob likes tea.", memoryType: "semantic" },
        { type: "INSERT", content: "Ada bought an automobile.", memoryType: "semantic" },
        { type: "INSERT", content: "Ada purchased a lamp on Monday.", memoryType: "episodic" },
        { type: "INSERT", content: "Bob visited London.", memoryType: "episodic" },
      ]),
    );
    const view = await store.view({});
    const retriever = createHybridRetriever({ embedder });
    const query = "Which car did Ada purchase?";

    const perType = await retriever.retrieve({
      query,
      view,
      topK: 1,
      memoryTypes: ["episodic", "semantic"],
      perType: true,
    });
    expect(perType.map((hit) => [hit.item.memoryType, hit.item.content, hit.rank])).toEqual([
      ["episodic", "Ada purchased a lamp on Monday.", 1],
      ["semantic", "Ada bought an automobile.", 1],
    ]);
    const episodic = await retriever.retrieve({ query, view, topK: 5, memoryTypes: ["episodic"] });
    expect(episodic.map((hit) => hit.item.memoryType)).toEqual(["episodic", "episodic"]);
    const all = await retriever.retrieve({ query, view, topK: 5 });
    expect(all).toHaveLength(4);
    expect(all[0]!.item.content).toBe("Ada bought an automobile.");
    expect(await retriever.retrieve({ query, view, topK: 5, memoryTypes: ["core"] })).toEqual([]);
  });

  it("limits each ranking to `candidates` and fills up to topK with score-0 items in view order", async () => {
    const view = await flatView([
      "Carol plays the violin.",
      "Bob plays chess.",
      "Ada bought an automobile.",
      "Dan likes tea.",
    ]);
    const results = await createHybridRetriever({ embedder, candidates: 1 }).retrieve({
      query: "Which car did Ada purchase?",
      view,
      topK: 3,
    });
    // BM25's best is the Ada item (the only one sharing a word); so is the dense best: one fused item.
    expect(results.map((hit) => [hit.item.content, hit.score, hit.rank])).toEqual([
      ["Ada bought an automobile.", 2 / 61, 1],
      ["Carol plays the violin.", 0, 2],
      ["Bob plays chess.", 0, 3],
    ]);
  });

  it("returns nothing for an empty view or topK < 1, and rejects once aborted", async () => {
    const retriever = createHybridRetriever({ embedder });
    const view = await flatView(["Ada bought an automobile."]);
    expect(await retriever.retrieve({ query: "car", view: { ...view, items: [] }, topK: 3 })).toEqual([]);
    expect(await retriever.retrieve({ query: "car", view, topK: 0 })).toEqual([]);
    const controller = new AbortController();
    controller.abort();
    await expect(
      retriever.retrieve({ query: "car", view, topK: 1 }, { signal: controller.signal }),
    ).rejects.toMatchObject({ code: "aborted" });
    expect(retriever.retrieverId).toBe("hybrid-rrf");
    expect(retriever.specificationVersion).toBe(SPECIFICATION_VERSION);
  });

  it("rejects bad options, and an embedder that returns vectors of the wrong size", async () => {
    for (const [options, key] of [
      [{}, "embedder"],
      [{ embedder, k: -1 }, "k"],
      [{ embedder, k: Number.NaN }, "k"],
      [{ embedder, candidates: 0 }, "candidates"],
      [{ embedder, candidates: 2.5 }, "candidates"],
      [{ embedder, bm25: {} }, "bm25"],
      [{ embedder, cache: { getMany() {} } }, "cache"],
      [{ embedder, topK: 3 }, "topK"],
      [{ embedder, weights: { dense: -1 } }, "weights"],
      [{ embedder, weights: { bm25: Number.POSITIVE_INFINITY } }, "weights"],
    ] as const) {
      expect(() => createHybridRetriever(options as never)).toThrow(
        expect.objectContaining({ name: "HybridOptionsError", code: "invalid_option", path: [key] }),
      );
    }
    const wrong: Embedder = {
      specificationVersion: SPECIFICATION_VERSION,
      modelId: "wrong",
      dimensions: 4,
      embed: async (texts) => texts.map(() => new Float32Array(3)),
    };
    const view = await flatView(["Ada bought an automobile."]);
    await expect(
      createHybridRetriever({ embedder: wrong }).retrieve({ query: "car", view, topK: 1 }),
    ).rejects.toMatchObject({ name: "EmbedderError", code: "invalid_embedding" });
  });
});
