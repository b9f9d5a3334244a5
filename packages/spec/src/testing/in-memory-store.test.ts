import { describe, expect, it } from "vitest";
import { AbortedError } from "../errors.js";
import { memoryItemVersionValidator, memoryViewValidator } from "../memory.js";
import type { MemoryOperation } from "../operation.js";
import { createInMemoryStoreDouble } from "./in-memory-store.js";

const ns = { user: "u1" };
const step = (n: number, ...operations: MemoryOperation[]) => ({
  namespace: ns,
  step: n,
  sourceChunkId: `c${n}`,
  operations: operations.map((operation, index) => ({ operationId: `s${n}:${index}`, operation })),
});

describe("in-memory store double", () => {
  it("keeps version chains, tombstones and φ under the three policies", async () => {
    const store = createInMemoryStoreDouble();
    await store.apply(step(1, { type: "INSERT", content: "Alice lives in Paris." }));
    await store.apply(step(3, { type: "UPDATE", id: "m1", content: "Alice lives in Lyon." }));
    await store.apply(step(5, { type: "UPDATE", id: "m1", content: "Alice lives in Nice." }));
    expect(await store.provenance(ns, "m1", "last-writer")).toEqual({ 5: 1 });
    expect(await store.provenance(ns, "m1", "creator")).toEqual({ 1: 1 });
    expect(await store.provenance(ns, "m1", "shared")).toEqual({ 1: 1 / 3, 3: 1 / 3, 5: 1 / 3 });
    const view = memoryViewValidator.parse(await store.view(ns));
    expect(view.items).toEqual([
      {
        id: "m1",
        content: "Alice lives in Nice.",
        version: 3,
        createdStep: 1,
        step: 5,
        operationId: "s5:0",
        sourceChunkId: "c5",
      },
    ]);
    await store.apply(step(6, { type: "DELETE", id: "m1" }));
    expect((await store.view(ns)).items).toEqual([]);
    const history = await store.history(ns, "m1");
    expect(history.map((version) => [version.version, version.previousVersion, version.tombstone])).toEqual([
      [1, null, false],
      [2, 1, false],
      [3, 2, false],
      [4, 3, true],
    ]);
    history.forEach((version) => {
      memoryItemVersionValidator.parse(version);
    });
  });

  it("rejects bad operations with reason codes and changes nothing", async () => {
    const store = createInMemoryStoreDouble();
    await store.apply(step(1, { type: "INSERT", content: "fact" }, { type: "DELETE", id: "m1" }));
    const before = JSON.stringify(await store.view(ns));
    const results = await store.apply(
      step(
        2,
        { type: "UPDATE", id: "m9", content: "x" },
        { type: "UPDATE", id: "m1", content: "x" },
        { type: "INSERT", content: "  " },
        { type: "INSERT", content: "typed", memoryType: "semantic" },
        { type: "SKIP" },
      ),
    );
    expect(results.map((result) => (result.status === "applied" ? "applied" : result.reason))).toEqual([
      "unknown_id",
      "deleted_id",
      "empty_content",
      "layout_mismatch",
      "applied",
    ]);
    expect(JSON.stringify({ ...(await store.view(ns)), step: 1 })).toBe(before);
  });

  it("rejects an exact duplicate insert, and core inserts in the typed layout", async () => {
    const store = createInMemoryStoreDouble({ layout: "typed" });
    const results = await store.apply(
      step(
        1,
        { type: "INSERT", content: "Alice likes tea.", memoryType: "semantic" },
        { type: "INSERT", content: "Alice likes tea.", memoryType: "semantic" },
        { type: "INSERT", content: "core", memoryType: "core" },
        { type: "UPDATE", id: "core", content: "User: Alice.", memoryType: "core" },
        { type: "UPDATE", id: "m1", content: "Alice likes coffee.", memoryType: "episodic" },
      ),
    );
    expect(results.map((result) => (result.status === "applied" ? "applied" : result.reason))).toEqual([
      "applied",
      "duplicate_insert",
      "core_insert",
      "applied",
      "wrong_kind",
    ]);
    expect(memoryViewValidator.parse(await store.view(ns)).items.map((item) => item.id)).toEqual(["m1", "core"]);
  });

  it("isolates namespaces, honours AbortSignal and refuses calls after close", async () => {
    const store = createInMemoryStoreDouble();
    await store.apply(step(1, { type: "INSERT", content: "secret" }));
    expect((await store.view({ user: "u2" })).items).toEqual([]);
    const controller = new AbortController();
    controller.abort();
    await expect(store.view(ns, { signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
    await store.close();
    await expect(store.view(ns)).rejects.toThrow(/closed/);
  });
});
