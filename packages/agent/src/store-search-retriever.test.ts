import { createInMemoryStore } from "@finemem/memory";
import type { MemoryOperation } from "@finemem/spec";
import { describe, expect, it } from "vitest";
import { createStoreSearchRetriever } from "./store-search-retriever.js";

const namespace = { user: "ada" };

async function typedStore() {
  const store = createInMemoryStore({ layout: "typed" });
  const operations: MemoryOperation[] = [
    { type: "UPDATE", id: "core", content: "The user is Ada, a pianist.", memoryType: "core" },
    { type: "INSERT", content: "Ada lives in Lisbon.", memoryType: "semantic" },
    { type: "INSERT", content: "Ada's sister lives in Porto.", memoryType: "semantic" },
    { type: "INSERT", content: "Ada moved to Lisbon in May.", memoryType: "episodic" },
    { type: "INSERT", content: "Ada visited Porto last week.", memoryType: "episodic" },
  ];
  await store.apply({
    namespace,
    step: 1,
    sourceChunkId: "chunk-1",
    operations: operations.map((operation, index) => ({ operationId: `s1.${index}`, operation })),
  });
  return store;
}

describe("createStoreSearchRetriever", () => {
  it("is a spec retriever named for the store's BM25 (rank_bm25's BM25Okapi)", () => {
    const retriever = createStoreSearchRetriever(createInMemoryStore());
    expect(retriever.retrieverId).toBe("bm25-okapi");
  });

  it("passes the request's top k, memory types and per-type flag to the store's search", async () => {
    const store = await typedStore();
    const retriever = createStoreSearchRetriever(store);
    const view = await store.view(namespace);
    const ids = (hits: readonly { item: { id: string } }[]) => hits.map((hit) => hit.item.id);

    const perType = await retriever.retrieve({
      query: "Where does Ada live?",
      view,
      topK: 1,
      memoryTypes: ["semantic", "episodic"],
      perType: true,
    });
    expect(ids(perType)).toEqual(
      ids(
        await store.search(namespace, "Where does Ada live?", {
          topK: 1,
          memoryTypes: ["semantic", "episodic"],
          perType: true,
        }),
      ),
    );
    expect(perType.map((hit) => hit.item.memoryType).sort()).toEqual(["episodic", "semantic"]);

    const episodicOnly = await retriever.retrieve({
      query: "Where does Ada live?",
      view,
      topK: 5,
      memoryTypes: ["episodic"],
    });
    expect(episodicOnly.length).toBeGreaterThan(0);
    expect(episodicOnly.every((hit) => hit.item.memoryType === "episodic")).toBe(true);

    const overall = await retriever.retrieve({ query: "Where does Ada live?", view, topK: 2 });
    expect(ids(overall)).toEqual(ids(await store.search(namespace, "Where does Ada live?", { topK: 2 })));
    expect(overall).toHaveLength(2);
  });
});
