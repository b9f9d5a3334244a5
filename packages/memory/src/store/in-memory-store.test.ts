import type { MemoryOperation, TokenCounter } from "@finemem/spec";
import { createWhitespaceTokenCounter } from "@finemem/spec/testing";
import { describe, expect, it } from "vitest";
import { createBm25Retriever } from "../retrieval/bm25-retriever.js";
import { TRUNCATION_MARKER } from "./core-truncation.js";
import { createInMemoryStore, StoreOptionsError } from "./in-memory-store.js";

const insert = (content: string): MemoryOperation => ({ type: "INSERT", content });
const step = (n: number, operations: MemoryOperation[]) => ({
  namespace: {},
  step: n,
  operations: operations.map((operation, index) => ({ operationId: `s${n}-${index}`, operation })),
});

describe("createInMemoryStore", () => {
  it.each([
    [{ layout: "tree" }, "layout"],
    [{ coreTokenCap: 8 }, "coreTokenCap"],
    [{ coreTokenCap: 100.5 }, "coreTokenCap"],
    [{ coreOverflow: "drop" }, "coreOverflow"],
    [{ maxItems: 0 }, "maxItems"],
    [{ maxItemTokens: -3 }, "maxItemTokens"],
    [{ bm25: { k1: Number.NaN } }, "bm25.k1"],
  ])("rejects %j naming %s", (options, key) => {
    expect(() => createInMemoryStore(options as never)).toThrow(StoreOptionsError);
    try {
      createInMemoryStore(options as never);
    } catch (error) {
      expect((error as StoreOptionsError).code).toBe("invalid_option");
      expect((error as StoreOptionsError).path).toEqual([key]);
      expect((error as Error).message).toContain(key);
    }
  });

  it("a fork shares its parent's state until one of them writes (copy-on-write)", async () => {
    const store = createInMemoryStore();
    await store.apply(step(1, [insert("Ada lives in Paris"), insert("Bob plays chess")]));
    const parentView = await store.view({});
    const fork = await store.fork();
    expect(await fork.view({})).toBe(parentView);
    await fork.apply(step(2, [insert("Cy sings")]));
    expect(await store.view({})).toBe(parentView);
    expect((await fork.view({})).items).toHaveLength(3);
    await store.apply(step(2, [insert("Dee draws")]));
    expect((await fork.view({})).items.map((item) => item.content)).toEqual([
      "Ada lives in Paris",
      "Bob plays chess",
      "Cy sings",
    ]);
  });

  it("rejects an operation entry with a field beside operationId and operation, naming the field", async () => {
    const store = createInMemoryStore({ tokenCounter: createWhitespaceTokenCounter() });
    // An inherited enumerable field is not the entry's own: only own fields are refused.
    const inherited = Object.assign(Object.create({ note: "inherited" }), {
      operationId: "a",
      operation: { type: "INSERT", content: "Ada lives in Paris." },
    });
    const results = await store.apply({
      namespace: { user: "ada" },
      step: 1,
      operations: [{ operationId: "b", operation: { type: "SKIP" }, note: "why" } as never, inherited],
    });
    expect(results.map((result) => result.status)).toEqual(["rejected", "applied"]);
    expect(results[0]).toMatchObject({ reason: "invalid_operation", message: expect.stringContaining('"note"') });
  });

  it("refuses every call once closed", async () => {
    const store = createInMemoryStore();
    await store.close();
    for (const call of [
      () => store.apply(step(1, [])),
      () => store.view({}),
      () => store.history({}, "m1"),
      () => store.provenance({}, "m1", "creator"),
      () => store.search({}, "x"),
      () => store.fork(),
      () => store.exportJsonl(),
      () => store.importJsonl(""),
      () => store.namespaces(),
      () => store.deleteBySource({}, "c1", { step: 1 }),
    ]) {
      await expect(call()).rejects.toMatchObject({ code: "store_closed" });
    }
  });

  it("does not count the core paragraph against maxItems", async () => {
    const store = createInMemoryStore({ layout: "typed", maxItems: 1, tokenCounter: createWhitespaceTokenCounter() });
    const results = await store.apply(
      step(1, [
        { type: "UPDATE", id: "core", content: "The user is Ada.", memoryType: "core" },
        { type: "INSERT", content: "Ada lives in Paris", memoryType: "semantic" },
        { type: "INSERT", content: "Ada met Bob", memoryType: "episodic" },
      ]),
    );
    expect(results.map((result) => (result.status === "applied" ? "applied" : result.reason))).toEqual([
      "applied",
      "applied",
      "over_cap",
    ]);
  });
});

describe("token counts", () => {
  it("are computed once per item version and summed for a view", async () => {
    const calls: string[] = [];
    const counter: TokenCounter = {
      encoding: "whitespace",
      count: (text) => {
        calls.push(text);
        return text.split(/\s+/u).filter(Boolean).length;
      },
    };
    const store = createInMemoryStore({ tokenCounter: counter });
    await store.apply(step(1, [insert("Ada lives in Paris"), insert("Bob plays chess")]));
    const view = await store.view({});
    expect(store.tokens.view(view)).toBe(7);
    expect(store.tokens.view(await store.view({}))).toBe(7);
    expect(calls).toHaveLength(2);
    await store.apply(step(2, [{ type: "UPDATE", id: "m1", content: "Ada lives in Rome now" }]));
    expect(store.tokens.view(await store.view({}))).toBe(8);
    expect(calls).toEqual(["Ada lives in Paris", "Bob plays chess", "Ada lives in Rome now"]);
    // A fork shares the cache: its items are the same objects until it writes.
    const fork = await store.fork();
    expect(fork.tokens.view(await fork.view({}))).toBe(8);
    expect(calls).toHaveLength(3);
  });

  it("use o200k_base by default, and the typed core is cut to 512 of its tokens", async () => {
    const store = createInMemoryStore({ layout: "typed" });
    expect(store.tokens.encoding).toBe("o200k_base");
    expect(store.tokens.text("hello world")).toBe(2);
    const long = Array.from({ length: 400 }, (_, index) => `Ada visited city number ${index}.`).join(" ");
    expect(store.tokens.text(long)).toBeGreaterThan(512);
    const [result] = await store.apply(step(1, [{ type: "UPDATE", id: "core", content: long, memoryType: "core" }]));
    expect(result?.status).toBe("applied");
    const core = (await store.view({})).items[0]!;
    expect(core.content.endsWith(TRUNCATION_MARKER)).toBe(true);
    const tokens = store.tokens.item(core);
    expect(tokens).toBeLessThanOrEqual(512);
    expect(tokens).toBeGreaterThan(500);
  });
});

describe("the BM25 retriever", () => {
  it("answers a store's current view from the store's index, any other view from its own, with equal results", async () => {
    const store = createInMemoryStore();
    await store.apply(
      step(1, ["Ada lives in Paris", "Bob lives in Rome", "Ada plays chess", "Rogério plays football"].map(insert)),
    );
    const bound = createBm25Retriever({ store });
    const unbound = createBm25Retriever();
    const view = await store.view({});
    // "ada" is in half the documents: idf exactly 0. "chess" and "rogério" tie, so insertion decides.
    const request = { query: "Ada chess rogério", view, topK: 3 };
    const fromStore = await bound.retrieve(request);
    expect(fromStore.map((hit) => [hit.item.id, hit.rank])).toEqual([
      ["m3", 1],
      ["m4", 2],
      ["m1", 3],
    ]);
    expect(await unbound.retrieve(request)).toEqual(fromStore);
    expect(await bound.retrieve({ ...request, view: { ...view } })).toEqual(fromStore);
    expect(await store.search({}, request.query, { topK: 3 })).toEqual(fromStore);
    // After a write the old view is no longer current: it is still answered, from its own items.
    await store.apply(step(2, [{ type: "DELETE", id: "m1" }]));
    expect((await bound.retrieve(request)).map((hit) => hit.item.id)).toEqual(["m3", "m4", "m1"]);
    const fresh = await bound.retrieve({ ...request, view: await store.view({}) });
    expect(fresh.map((hit) => hit.item.id)).toEqual(["m3", "m4", "m2"]);
    expect(fresh[0]!.score).toBeGreaterThan(fresh[1]!.score); // with m1 gone, "ada" has a positive idf
    expect(bound.retrieverId).toBe("bm25-okapi");
  });

  it("ranks per memory type in the typed layout, as Mem-α's top-k per type", async () => {
    const store = createInMemoryStore({ layout: "typed", tokenCounter: createWhitespaceTokenCounter() });
    await store.apply(
      step(1, [
        { type: "UPDATE", id: "core", content: "Ada is the user", memoryType: "core" },
        { type: "INSERT", content: "Ada lives in Paris", memoryType: "semantic" },
        { type: "INSERT", content: "Bob lives in Rome", memoryType: "semantic" },
        { type: "INSERT", content: "Ada moved to Paris in May", memoryType: "episodic", timestamp: "2024-05" },
      ]),
    );
    const retriever = createBm25Retriever({ store });
    const view = await store.view({});
    const hits = await retriever.retrieve({
      query: "Ada Paris",
      view,
      topK: 1,
      perType: true,
      memoryTypes: ["semantic", "episodic"],
    });
    expect(hits.map((hit) => [hit.item.id, hit.item.memoryType, hit.rank])).toEqual([
      ["m1", "semantic", 1],
      ["m3", "episodic", 1],
    ]);
    const unbound = await createBm25Retriever().retrieve({
      query: "Ada Paris",
      view: { ...view },
      topK: 1,
      perType: true,
      memoryTypes: ["semantic", "episodic"],
    });
    expect(unbound).toEqual(hits);
  });
});

describe("shared objects", () => {
  it("hands out frozen items, views and versions, so a caller cannot change a fork's memory", async () => {
    const store = createInMemoryStore();
    await store.apply(step(1, [insert("Ada lives in Paris")]));
    const fork = await store.fork();
    const view = await store.view({});
    expect(Object.isFrozen(view)).toBe(true);
    expect(Object.isFrozen(view.items)).toBe(true);
    expect(Object.isFrozen(view.items[0])).toBe(true);
    expect(() => {
      (view.items[0] as { content: string }).content = "tampered";
    }).toThrow(TypeError);
    const [version] = await store.history({}, "m1");
    expect(Object.isFrozen(version)).toBe(true);
    expect((await fork.view({})).items[0]!.content).toBe("Ada lives in Paris");
  });
});

describe("the operations a store logs", () => {
  it("copies an operation the caller can still change, and keeps a frozen one as given", async () => {
    const store = createInMemoryStore();
    const mutable = insert("Ada lives in Paris");
    const frozen = Object.freeze(insert("Bo lives in Oslo"));
    await store.apply(step(1, [mutable, frozen]));
    const before = await store.exportJsonl();
    (mutable as { content: string }).content = "tampered";
    expect(await store.exportJsonl()).toBe(before);
    expect(before).not.toContain("tampered");
    const [state] = store.namespaceStates();
    expect([...state!.log].map((entry) => entry.operation === frozen)).toEqual([false, true]);
    // The same export as a store given two unfrozen operations.
    const reference = createInMemoryStore();
    await reference.apply(step(1, [insert("Ada lives in Paris"), insert("Bo lives in Oslo")]));
    expect(await reference.exportJsonl()).toBe(before);
  });
});

describe("importJsonl with a namespace", () => {
  it("checks the export as written, refuses a bad namespace, takes a header-only export as nothing", async () => {
    const source = createInMemoryStore();
    await source.apply(step(1, [insert("Ada lives in Paris")]));
    await source.apply(step(2, [{ type: "UPDATE", id: "m1", content: "Ada lives in Rome" }]));
    const text = await source.exportJsonl();
    const target = createInMemoryStore();
    await target.apply({ ...step(1, [insert("Bob plays chess")]), namespace: { user: "bob" } });
    const before = await target.exportJsonl();

    // Header, namespace, two operations, two versions, the item: line 6 is m1's second version, and an
    // edit there is caught on the export as written, before anything is rewritten.
    const lines = text.trimEnd().split("\n");
    expect(lines).toHaveLength(7);
    expect(lines[5]).toContain('"record":"version"');
    const edited = [...lines];
    edited[5] = lines[5]!.replace("Ada lives in Rome", "Ada lives in Lima");
    expect(edited[5]).not.toBe(lines[5]);
    await expect(target.importJsonl(edited.join("\n"), { namespace: { user: "carol" } })).rejects.toMatchObject({
      code: "inconsistent",
      line: 6,
    });
    await expect(target.importJsonl(text, { namespace: { team: "x" } as never })).rejects.toMatchObject({
      code: "invalid_request",
    });
    const error = await target.importJsonl(text, { namespace: { user: "bob" } }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "not_empty" });
    expect((error as Error).message).toContain('{"user":"bob"}');
    expect(await target.exportJsonl()).toBe(before);

    await target.importJsonl(`${lines[0]}\n`, { namespace: { user: "carol" } });
    expect(await target.exportJsonl()).toBe(before);
    await target.importJsonl(text, { namespace: { user: "carol" } });
    expect((await target.view({ user: "carol" })).items.map((item) => [item.id, item.content])).toEqual([
      ["m1", "Ada lives in Rome"],
    ]);
    expect(await target.namespaces()).toEqual([{ user: "bob" }, { user: "carol" }]);
  });
});
