import { ID_PATTERN, type MemoryItemVersion } from "@finemem/spec";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isId } from "./apply-step.js";
import { createInMemoryStore } from "./in-memory-store.js";
import {
  appendVersion,
  type ItemRecord,
  ItemsById,
  isDeleted,
  itemNumberOf,
  itemOf,
  lastVersionOf,
  makeVersion,
  RecordTable,
  StoredItemRecord,
} from "./namespace-state.js";

const namespace = { run: "r" };

describe("StoredItemRecord", () => {
  const first = () => new StoredItemRecord("m1", 0, "episodic", 3, "Ada moved.", "2024-01-02", "a", "chunk-1");

  it("builds version 1 and the current item from its fields, as the eager path built them, once", () => {
    const record = first();
    const expected = makeVersion("m1", 1, "Ada moved.", "episodic", "2024-01-02", 3, "a", "chunk-1", null, false);
    expect(JSON.stringify(record.lastVersion())).toBe(JSON.stringify(expected));
    expect(Object.isFrozen(record.lastVersion())).toBe(true);
    expect(record.lastVersion()).toBe(record.lastVersion());
    expect(record.versions).toEqual([expected]);
    const item = record.current!;
    expect(JSON.stringify(item)).toBe(JSON.stringify(itemOf(record, expected)));
    expect(record.current).toBe(item);
    expect(isDeleted(record)).toBe(false);
  });

  it("builds the current item without building its version, equal key for key to the version's item", () => {
    const fields: [string | undefined, string | undefined, string | undefined][] = [
      ["episodic", "2024-01-02", "chunk-1"],
      [undefined, undefined, undefined],
      ["semantic", undefined, "chunk-9"],
      [undefined, "2025-12-31", undefined],
    ];
    for (const [memoryType, timestamp, sourceChunkId] of fields) {
      const make = () =>
        new StoredItemRecord("m7", 6, memoryType as never, 4, "Bo is 40.", timestamp, "op-7", sourceChunkId);
      const itemFirst = make();
      const item = itemFirst.current!;
      expect(Object.isFrozen(item)).toBe(true);
      const versionFirst = make();
      expect(JSON.stringify(item)).toBe(JSON.stringify(itemOf(versionFirst, versionFirst.lastVersion())));
      // After an update the item is rebuilt from the given version, and again after a second read of the fields.
      const next = makeVersion(
        "m7",
        2,
        "Bo is 41.",
        memoryType as never,
        timestamp,
        5,
        "op-8",
        sourceChunkId,
        1,
        false,
      );
      itemFirst.appendVersion(next);
      expect(JSON.stringify(itemFirst.current)).toBe(JSON.stringify(itemOf(itemFirst, next)));
    }
  });

  it("keeps earlier versions, rebuilds the item after an update and has none after a delete", () => {
    const record = first();
    const before = record.current!;
    const v1 = record.lastVersion();
    const v2 = makeVersion("m1", 2, "Ada moved again.", "episodic", "2024-01-02", 5, "b", undefined, 1, false);
    appendVersion(record, v2);
    expect(record.versions).toEqual([v1, v2]);
    expect(record.versions[0]).toBe(v1);
    expect(lastVersionOf(record)).toBe(v2);
    expect(record.current).not.toBe(before);
    expect(record.current).toEqual({ ...itemOf(record, v2) });
    expect(record.current?.createdStep).toBe(3);
    const v3 = makeVersion("m1", 3, "", "episodic", undefined, 6, "c", undefined, 2, true);
    appendVersion(record, v3);
    expect(isDeleted(record)).toBe(true);
    expect(record.current).toBeUndefined();
    expect(record.versions).toEqual([v1, v2, v3]);
  });

  it("copies for a fork: the copy and the original change apart, sharing the frozen objects", () => {
    const record = first();
    const item = record.current!;
    const copy = record.copy();
    expect(copy.current).toBe(item);
    appendVersion(copy, makeVersion("m1", 2, "Ada stays.", "episodic", "2024-01-02", 4, "b", undefined, 1, false));
    expect(record.versions).toHaveLength(1);
    expect(record.current).toBe(item);
    expect(copy.versions).toHaveLength(2);
    expect(copy.versions[0]).toBe(record.lastVersion());
    expect(copy.current?.content).toBe("Ada stays.");
  });

  it("works alongside plain records of the same shape (records restored from a snapshot)", () => {
    const v1 = makeVersion("m7", 1, "x", undefined, undefined, 1, "a", undefined, null, false);
    const plain: ItemRecord = {
      id: "m7",
      seq: 0,
      memoryType: undefined,
      createdStep: 1,
      versions: [v1],
      current: undefined,
    };
    plain.current = itemOf(plain, v1);
    expect(lastVersionOf(plain)).toBe(v1);
    const v2 = makeVersion("m7", 2, "", undefined, undefined, 2, "b", undefined, 1, true);
    appendVersion(plain, v2);
    expect(plain.versions).toEqual([v1, v2]);
    expect(isDeleted(plain)).toBe(true);
    expect(plain.current).toBeUndefined();
  });
});

describe("ItemsById", () => {
  it("reads the store's numbering only", () => {
    expect(["m1", "m42", "m999999999"].map(itemNumberOf)).toEqual([1, 42, 999999999]);
    for (const id of ["m", "m0", "m01", "core", "x1", "m1a", "m-1", "m1073741824", "m12345678901", "M1"])
      expect(itemNumberOf(id)).toBe(-1);
  });

  it("behaves as a map over numbered and other ids", () => {
    const items = new ItemsById();
    const record = (id: string) => new StoredItemRecord(id, 0, undefined, 1, "x", undefined, "a", undefined);
    const m2 = record("m2");
    const core = record("core");
    const m01 = record("m01");
    items.set("m2", m2).set("core", core).set("m01", m01);
    expect(items.size).toBe(3);
    expect(items.get("m2")).toBe(m2);
    expect(items.get("m1")).toBeUndefined();
    expect(items.get("m02")).toBeUndefined();
    expect(items.get("m01")).toBe(m01);
    expect(items.has("core")).toBe(true);
    expect([...items.keys()]).toEqual(["m2", "core", "m01"]);
    items.set("m2", m2);
    expect(items.size).toBe(3);
    expect(items.delete("m2")).toBe(true);
    expect(items.delete("m2")).toBe(false);
    expect(items.size).toBe(2);
    expect([...items.values()]).toEqual([core, m01]);
  });
});

describe("records restored from a snapshot", () => {
  const record = (id: string, seq: number) =>
    new StoredItemRecord(id, seq, undefined, 1, `content of ${id}`, undefined, `op-${id}`, undefined);

  it("are built when first read, once, from their seq, and answer by id as a map would", () => {
    const ids = ["m1", "m2", "core", "m4"];
    const built: number[] = [];
    const table = new RecordTable(ids.length, (seq) => {
      built.push(seq);
      return record(ids[seq]!, seq);
    });
    // Numbers 1, 2 and 4 at seqs 0, 1 and 3 (seq + 1, 0 for none); "core" is another id.
    const items = ItemsById.restored(Int32Array.from([0, 1, 2, 0, 4]), 3, table, [table.at(2)]);
    expect(built).toEqual([2]);
    expect(items.size).toBe(4);
    expect(table.length).toBe(4);
    const m4 = items.get("m4")!;
    expect(m4.id).toBe("m4");
    expect(items.get("m4")).toBe(m4);
    expect(table.at(3)).toBe(m4);
    expect(built).toEqual([2, 3]);
    expect(items.get("m3")).toBeUndefined();
    expect(items.get("m9")).toBeUndefined();
    expect(items.has("core")).toBe(true);
    expect([...items.keys()]).toEqual(["m1", "m2", "m4", "core"]);
    expect(built.sort()).toEqual([0, 1, 2, 3]);
    // A new record after the restored ones, a deletion of a restored one.
    const m5 = record("m5", 4);
    table.push(m5);
    items.set("m5", m5);
    expect(items.size).toBe(5);
    expect(items.delete("m2")).toBe(true);
    expect(items.get("m2")).toBeUndefined();
    expect(items.delete("m2")).toBe(false);
    expect(items.size).toBe(4);
    expect([...table].map((entry) => entry.id)).toEqual(["m1", "m2", "core", "m4", "m5"]);
    expect(() => table.at(5)).toThrow(RangeError);
  });
});

describe("the store's records", () => {
  it("answer history, views, provenance and exports after lazy items, updates, deletes and forks", async () => {
    const store = createInMemoryStore({ layout: "typed" });
    await store.apply({
      namespace,
      step: 1,
      sourceChunkId: "c1",
      operations: [
        {
          operationId: "a",
          operation: { type: "INSERT", memoryType: "episodic", content: "Ada met Bo.", timestamp: "t1" },
        },
        { operationId: "b", operation: { type: "INSERT", memoryType: "semantic", content: "Bo is a cat." } },
        { operationId: "c", operation: { type: "UPDATE", id: "core", content: "Ada's core." } },
      ],
    });
    const fork = await store.fork();
    await store.apply({
      namespace,
      step: 2,
      operations: [
        { operationId: "d", operation: { type: "UPDATE", id: "m1", content: "Ada met Bo twice." } },
        { operationId: "e", operation: { type: "DELETE", id: "m2" } },
      ],
    });
    const history = await store.history(namespace, "m1");
    expect(
      history.map((version) => [version.version, version.content, version.timestamp, version.previousVersion]),
    ).toEqual([
      [1, "Ada met Bo.", "t1", null],
      [2, "Ada met Bo twice.", "t1", 1],
    ]);
    expect(history.every((version) => Object.isFrozen(version))).toBe(true);
    expect(await store.provenance(namespace, "m1", "shared")).toEqual({ 1: 0.5, 2: 0.5 });
    const view = await store.view(namespace);
    expect(view.items.map((item) => [item.id, item.content, item.version, item.createdStep, item.step])).toEqual([
      ["m1", "Ada met Bo twice.", 2, 1, 2],
      ["core", "Ada's core.", 1, 1, 1],
    ]);
    // The fork kept the memory as it was at the fork.
    const forked = await fork.view(namespace);
    expect(forked.items.map((item) => [item.id, item.content])).toEqual([
      ["m1", "Ada met Bo."],
      ["m2", "Bo is a cat."],
      ["core", "Ada's core."],
    ]);
    expect(forked.items[0]?.sourceChunkId).toBe("c1");
    expect((await fork.history(namespace, "m2")).map((version) => version.tombstone)).toEqual([false]);
    // The same item objects until they change.
    await store.apply({
      namespace,
      step: 3,
      operations: [{ operationId: "f", operation: { type: "UPDATE", id: "core", content: "Ada's new core." } }],
    });
    expect((await store.view(namespace)).items[0]).toBe(view.items[0]);
    // An export replays into an equal store, byte for byte.
    const text = await store.exportJsonl();
    const copy = createInMemoryStore({ layout: "typed" });
    await copy.importJsonl(text);
    expect(await copy.exportJsonl()).toBe(text);
  });

  it("rejects a reused operation id without consuming ids of rejected or throwing operations", async () => {
    let fail = false;
    const store = createInMemoryStore({
      maxItemTokens: 100,
      tokenCounter: {
        encoding: "test",
        count: (text: string) => {
          if (fail) throw new Error("counter failed");
          return text.length;
        },
      },
    });
    const insert = (operationId: string, content: string) => ({ operationId, operation: { type: "INSERT", content } });
    const results = await store.apply({
      namespace,
      step: 1,
      operations: [insert("a", "x".repeat(200)), insert("a", "Ada."), insert("a", "Bo.")] as never,
    });
    expect(results.map((result) => result.status)).toEqual(["rejected", "applied", "rejected"]);
    fail = true;
    await expect(store.apply({ namespace, step: 2, operations: [insert("b", "Cy.")] as never })).rejects.toThrow(
      "counter failed",
    );
    fail = false;
    const [again] = await store.apply({ namespace, step: 2, operations: [insert("b", "Cy.")] as never });
    expect(again).toEqual({ operationId: "b", status: "applied", itemId: "m2", version: 1 });
  });

  it("keeps rejecting duplicates after updates and forks when duplicates are not allowed", async () => {
    const store = createInMemoryStore();
    const insert = (operationId: string, content: string) => ({
      operationId,
      operation: { type: "INSERT" as const, content },
    });
    await store.apply({ namespace, step: 1, operations: [insert("a", "Ada."), insert("b", "Bo.")] });
    const fork = await store.fork();
    await store.apply({
      namespace,
      step: 2,
      operations: [{ operationId: "c", operation: { type: "UPDATE", id: "m1", content: "Bo." } }],
    });
    const [duplicate] = await store.apply({ namespace, step: 3, operations: [insert("d", "Bo.")] });
    expect(duplicate?.status === "rejected" && duplicate.reason).toBe("duplicate_insert");
    const [freed] = await store.apply({ namespace, step: 3, operations: [insert("e", "Ada.")] });
    expect(freed?.status).toBe("applied");
    const [inFork] = await fork.apply({ namespace, step: 2, operations: [insert("c", "Ada.")] });
    expect(inFork?.status === "rejected" && inFork.reason).toBe("duplicate_insert");
  });
});

describe("versions given as objects", () => {
  it("are kept as given when appended", () => {
    const record = new StoredItemRecord("m1", 0, undefined, 1, "x", undefined, "a", undefined);
    const version: MemoryItemVersion = makeVersion("m1", 2, "y", undefined, undefined, 2, "b", undefined, 1, false);
    appendVersion(record, version);
    expect(record.lastVersion()).toBe(version);
  });
});

describe("isId", () => {
  it("answers as ID_PATTERN does", () => {
    const characters = fc.constantFrom(..."aZ09._:-/ é\n\u0000".split(""));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 140 }),
          fc.array(characters, { maxLength: 130 }).map((c) => c.join("")),
        ),
        (value) => {
          expect(isId(value)).toBe(ID_PATTERN.test(value));
        },
      ),
      { numRuns: 2000 },
    );
    for (const value of ["a", "a".repeat(128), "a".repeat(129), "-a", "a-", "0", "", "a\n", ".a", "a:b_c.d-e"])
      expect(isId(value)).toBe(ID_PATTERN.test(value));
  });
});
