import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openPgliteStore } from "@finemem/memory/pglite";
import { afterAll, expect, it } from "vitest";
import { createFineMemStore } from "./index.js";

const folder = mkdtempSync(join(tmpdir(), "finemem-langgraph-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

it("a reopened PGlite store answers what was put before the close", async () => {
  const directory = join(folder, "memory");
  const namespace = { agent: "graph" };
  const first = await openPgliteStore({ directory });
  const writer = createFineMemStore({ store: first, namespace });
  await writer.put(["users", "ada"], "city", { city: "Paris" });
  await writer.put(["users", "ada"], "city", { city: "Lisbon" });
  await writer.put(["users", "ada"], "pet", { name: "Rex", kind: "dog" });
  await writer.put(["users", "ada"], "job", { title: "chemist" });
  await writer.put(["users", "bo"], "city", { city: "Oslo" });
  await writer.delete(["users", "bo"], "city");
  const before = await writer.get(["users", "ada"], "city");
  await first.close();

  const second = await openPgliteStore({ directory });
  try {
    const reader = createFineMemStore({ store: second, namespace });
    const after = await reader.get(["users", "ada"], "city");
    expect(after).toEqual(before);
    expect(after?.value).toEqual({ city: "Lisbon" });
    expect(await reader.get(["users", "bo"], "city")).toBeNull();
    expect(await reader.listNamespaces()).toEqual([["users", "ada"]]);
    expect((await reader.search(["users"], { query: "dog" }))[0]?.key).toBe("pet");
    expect(await reader.locate(["users", "ada"], "city")).toEqual({
      itemId: "m1",
      version: 2,
      createdStep: 1,
      step: 2,
    });
    // Steps continue from the store: the next put is step 7.
    await reader.put(["users", "ada"], "city", { city: "Rome" });
    expect((await reader.history(["users", "ada"], "city")).map((version) => version.step)).toEqual([1, 2, 7]);
  } finally {
    await second.close();
  }
});
