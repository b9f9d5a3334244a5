import { createInMemoryStore } from "@finemem/memory";
import { type BaseStore, InMemoryStore, type Item, type Operation } from "@langchain/langgraph-checkpoint";
import { describe, expect, it } from "vitest";
import { createFineMemStore, FineMemStore, LangGraphStoreError } from "./index.js";

/** Strips what may differ between the stores: timestamps (checked apart) and scores. */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (value === null || typeof value !== "object") return value;
  const { createdAt, updatedAt, score, ...rest } = value as Item & { score?: number };
  expect(createdAt).toBeInstanceOf(Date);
  expect(updatedAt).toBeInstanceOf(Date);
  expect(updatedAt.getTime()).toBeGreaterThanOrEqual(createdAt.getTime());
  return rest;
}

/** Runs `scenario` on LangGraph's InMemoryStore and on ours and returns both results. */
async function both<T>(scenario: (store: BaseStore) => Promise<T>): Promise<[T, T]> {
  const reference = await scenario(new InMemoryStore());
  const ours = await scenario(createFineMemStore());
  return [reference, ours];
}

async function same(scenario: (store: BaseStore) => Promise<unknown>): Promise<void> {
  const [reference, ours] = await both(scenario);
  expect(plain(ours)).toEqual(plain(reference));
}

const PRODUCTS: [string, Record<string, unknown>][] = [
  ["apple", { name: "apple", kind: "fruit", price: 1.5, stock: 10, note: "crisp red apples from the orchard" }],
  ["pear", { name: "pear", kind: "fruit", price: 2, stock: 0, note: "soft green pears" }],
  ["kale", { name: "kale", kind: "vegetable", price: 3.25, stock: 4, note: "curly kale, a leafy green" }],
  ["leek", { name: "leek", kind: "vegetable", price: "2.5", stock: 7, note: "leeks for soup" }],
  ["salt", { name: "salt", kind: "spice", price: 0.5, note: "sea salt" }],
];

async function seed(store: BaseStore): Promise<void> {
  for (const [key, value] of PRODUCTS) await store.put(["shop", value.kind as string], key, value);
}

describe("FineMemStore against LangGraph's InMemoryStore", () => {
  it("put and get", () =>
    same(async (store) => {
      await store.put(["users", "ada"], "profile", { name: "Ada", langs: ["fr", "en"], nested: { a: 1 } });
      return [
        await store.get(["users", "ada"], "profile"),
        await store.get(["users", "ada"], "other"),
        await store.get(["users"], "profile"),
      ];
    }));

  it("update keeps createdAt and moves updatedAt", async () => {
    let now = 1_000;
    const store = createFineMemStore({
      now: () => {
        now += 1000;
        return new Date(now);
      },
    });
    await same(async (s) => {
      await s.put(["users", "ada"], "profile", { city: "Paris" });
      await s.put(["users", "ada"], "profile", { city: "Lisbon" });
      return s.get(["users", "ada"], "profile");
    });
    await store.put(["u"], "k", { v: 1 });
    await store.put(["u"], "k", { v: 2 });
    const item = await store.get(["u"], "k");
    expect(item?.value).toEqual({ v: 2 });
    expect(item?.createdAt.getTime()).toBe(2000);
    expect(item?.updatedAt.getTime()).toBe(3000);
    expect(await store.locate(["u"], "k")).toEqual({ itemId: "m1", version: 2, createdStep: 1, step: 2 });
    const history = await store.history(["u"], "k");
    expect(history.map((version) => [version.operationId, version.sourceChunkId, version.step])).toEqual([
      ["s1.0", "put-1", 1],
      ["s2.0", "put-2", 2],
    ]);
  });

  it("delete, by delete() and by putting null", () =>
    same(async (store) => {
      await seed(store);
      await store.delete(["shop", "fruit"], "apple");
      await store.batch([{ namespace: ["shop", "fruit"], key: "pear", value: null }]);
      await store.delete(["shop", "fruit"], "never-there");
      return [await store.get(["shop", "fruit"], "apple"), await store.search(["shop"], { limit: 50 })];
    }));

  it("a deleted key put again is a new item at the end", () =>
    same(async (store) => {
      await seed(store);
      await store.delete(["shop", "vegetable"], "kale");
      await store.put(["shop", "vegetable"], "kale", { name: "kale", again: true });
      return store.search(["shop", "vegetable"]);
    }));

  it("search by prefix, limit and offset", () =>
    same(async (store) => {
      await seed(store);
      await store.put(["shopping"], "x", { name: "not under shop" });
      return [
        await store.search(["shop"]),
        await store.search(["shop"], { limit: 2 }),
        await store.search(["shop"], { limit: 2, offset: 3 }),
        await store.search(["shop", "fruit"]),
        await store.search([]),
        await store.search(["nothing"]),
      ];
    }));

  const filters: Record<string, unknown>[] = [
    { kind: "fruit" },
    { kind: { $eq: "vegetable" } },
    { kind: { $ne: "fruit" } },
    { price: { $gt: 1.5 } },
    { price: { $gte: 1.5 } },
    { price: { $lt: 2.5 } },
    { price: { $lte: 2.5 } },
    { price: { $gt: 1, $lt: 3 } },
    { stock: { $gte: 4 }, kind: "vegetable" },
    { name: { $in: ["kale", "salt", "nope"] } },
    { name: { $nin: ["kale", "salt"] } },
    { stock: 0 },
    { missing: { $ne: 1 } },
    { stock: { $lt: 5 } },
    {},
  ];
  for (const filter of filters) {
    it(`search with filter ${JSON.stringify(filter)}`, () =>
      same(async (store) => {
        await seed(store);
        return store.search(["shop"], { filter, limit: 50 });
      }));
  }

  it("search with a query: the same items, ranked by BM25", async () => {
    const [reference, ours] = await both(async (store) => {
      await seed(store);
      return [
        await store.search(["shop"], { query: "green leafy kale", limit: 50 }),
        await store.search(["shop"], { query: "green", filter: { kind: "fruit" }, limit: 50 }),
      ];
    });
    for (const [index, results] of ours.entries()) {
      const keys = (items: Item[]) => items.map((item) => item.key).sort();
      expect(keys(results)).toEqual(keys(reference[index]!));
    }
    const [ranked, fruit] = ours;
    expect(ranked!.map((item) => item.key)[0]).toBe("kale");
    expect(ranked!.every((item) => typeof item.score === "number")).toBe(true);
    expect(ranked!.map((item) => item.score)).toEqual([...ranked!.map((item) => item.score!)].sort((a, b) => b - a));
    expect(fruit!.map((item) => item.key)).toEqual(["pear", "apple"]);
  });

  it("a query ranks the fields given by index; index: false is never ranked but still found", async () => {
    const store = createFineMemStore();
    await store.put(["docs"], "a", { title: "tea", body: "coffee coffee" }, ["title"]);
    await store.put(["docs"], "b", { title: "coffee", body: "tea" }, ["title"]);
    await store.put(["docs"], "c", { title: "coffee" }, false);
    await store.put(["docs"], "d", { title: "milk" });
    await store.put(["docs"], "e", { title: "juice" });
    const results = await store.search(["docs"], { query: "coffee" });
    expect(results.map((item) => [item.key, item.score === undefined ? "none" : item.score > 0])).toEqual([
      ["b", true],
      ["a", false],
      ["d", false],
      ["e", false],
      ["c", "none"],
    ]);
  });

  it("list namespaces with prefix, suffix, wildcards, max depth, limit and offset", () =>
    same(async (store) => {
      for (const namespace of [
        ["a", "b", "c"],
        ["a", "b", "d"],
        ["a", "e"],
        ["x", "b", "c"],
        ["a", "b", "c", "v1"],
        ["z"],
      ]) {
        await store.put(namespace, "k", { v: namespace.join("/") });
      }
      return [
        await store.listNamespaces(),
        await store.listNamespaces({ prefix: ["a"] }),
        await store.listNamespaces({ prefix: ["a", "b"] }),
        await store.listNamespaces({ suffix: ["c"] }),
        await store.listNamespaces({ prefix: ["*", "b"] }),
        await store.listNamespaces({ prefix: ["a"], suffix: ["*"] }),
        await store.listNamespaces({ maxDepth: 1 }),
        await store.listNamespaces({ prefix: ["a"], maxDepth: 2 }),
        await store.listNamespaces({ limit: 2, offset: 1 }),
        await store.listNamespaces({ suffix: ["v1"], maxDepth: 2 }),
      ];
    }));

  it("a batch of mixed operations reads before it writes, last put per key wins", () =>
    same(async (store) => {
      await seed(store);
      const operations: Operation[] = [
        { namespace: ["shop", "vegetable"], key: "kale" },
        { namespace: ["shop", "fruit"], key: "apple", value: { name: "apple", price: 9 } },
        { namespace: ["shop", "fruit"], key: "fig", value: { name: "fig" } },
        { namespace: ["shop", "fruit"], key: "fig", value: { name: "fig", price: 4 } },
        { namespace: ["shop", "fruit"], key: "fig" },
        { namespacePrefix: ["shop"], filter: { kind: "fruit" }, limit: 10, offset: 0 },
        { namespace: ["shop", "fruit"], key: "pear", value: null },
        { matchConditions: [{ matchType: "prefix", path: ["shop"] }], limit: 10, offset: 0 },
      ];
      const results = await store.batch(operations);
      return [results, await store.search(["shop"], { limit: 50 }), await store.listNamespaces()];
    }));

  it("a batch is one memory step", async () => {
    const backend = createInMemoryStore();
    const store = createFineMemStore({ store: backend, namespace: { agent: "graph" } });
    await store.batch([
      { namespace: ["a"], key: "1", value: { v: 1 } },
      { namespace: ["a"], key: "2", value: { v: 2 } },
    ]);
    await store.batch([
      { namespace: ["a"], key: "1", value: null },
      { namespace: ["a"], key: "2", value: { v: 3 } },
    ]);
    const view = await backend.view({ agent: "graph" });
    expect(view.step).toBe(2);
    expect(view.items.map((item) => [item.id, item.version, item.operationId, item.sourceChunkId])).toEqual([
      ["m2", 2, "s2.1", "put-2"],
    ]);
    expect((await backend.history({ agent: "graph" }, "m1")).map((version) => version.tombstone)).toEqual([
      false,
      true,
    ]);
  });

  it("validates namespaces as LangGraph does", async () => {
    for (const store of [new InMemoryStore(), createFineMemStore()]) {
      await expect(store.put([], "k", { v: 1 })).rejects.toThrow(/empty/);
      await expect(store.put(["a.b"], "k", { v: 1 })).rejects.toThrow(/periods/);
      await expect(store.put(["langgraph"], "k", { v: 1 })).rejects.toThrow(/langgraph/);
    }
  });

  it("differs where LangGraph's InMemoryStore hands out an item that a later put of its batch changes", async () => {
    const [reference, ours] = await both(async (store) => {
      await store.put(["a"], "k", { v: 1 });
      const [read] = await store.batch([
        { namespace: ["a"], key: "k" },
        { namespace: ["a"], key: "k", value: { v: 2 } },
      ]);
      return read;
    });
    expect(reference?.value).toEqual({ v: 2 });
    expect(ours?.value).toEqual({ v: 1 });
  });

  it("differs where LangGraph's InMemoryStore keeps a namespace its items have left", async () => {
    const [reference, ours] = await both(async (store) => {
      await store.put(["gone"], "k", { v: 1 });
      await store.delete(["gone"], "k");
      return store.listNamespaces();
    });
    expect(reference).toEqual([["gone"]]);
    expect(ours).toEqual([]);
  });
});

describe("FineMemStore's own rules", () => {
  it("rejects bad options and bad values with LangGraphStoreError", async () => {
    expect(() => createFineMemStore({ namespace: { user: "" } })).toThrow(LangGraphStoreError);
    try {
      createFineMemStore({ fields: [] });
    } catch (error) {
      expect((error as LangGraphStoreError).code).toBe("invalid_option");
      expect((error as LangGraphStoreError).path).toEqual(["fields"]);
    }
    const store = createFineMemStore();
    await expect(store.batch([{ namespace: ["a"], key: "k", value: [1] as never }])).rejects.toMatchObject({
      code: "invalid_value",
      path: ["operations", 0, "value"],
    });
  });

  it("refuses a namespace that another writer filled", async () => {
    const backend = createInMemoryStore();
    await backend.apply({
      namespace: {},
      step: 1,
      operations: [{ operationId: "x", operation: { type: "INSERT", content: "free text" } }],
    });
    await expect(createFineMemStore({ store: backend }).get(["a"], "k")).rejects.toMatchObject({
      code: "invalid_content",
      path: ["items", 0],
    });
  });

  it("reports a put the memory store rejects", async () => {
    const store = createFineMemStore({ store: createInMemoryStore({ maxItemTokens: 100 }) });
    await store.put(["a"], "small", { v: 1 });
    await expect(store.put(["a"], "big", { text: "word ".repeat(100) })).rejects.toMatchObject({
      code: "operation_rejected",
    });
    expect((await store.search(["a"])).map((item) => item.key)).toEqual(["small"]);
  });

  it("works over a typed store", async () => {
    const store = new FineMemStore({ store: createInMemoryStore({ layout: "typed" }) });
    await store.put(["a"], "k", { v: 1 });
    await store.put(["a"], "k", { v: 2 });
    expect((await store.get(["a"], "k"))?.value).toEqual({ v: 2 });
  });

  it("rejects every call once its signal is aborted", async () => {
    const controller = new AbortController();
    const store = createFineMemStore({ signal: controller.signal });
    await store.put(["a"], "k", { v: 1 });
    controller.abort();
    await expect(store.put(["a"], "k", { v: 2 })).rejects.toMatchObject({ code: "aborted" });
  });
});
