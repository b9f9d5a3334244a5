import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInMemoryStore } from "@finemem/memory";
import { afterAll, describe, expect, it } from "vitest";
import { createMemory, defaultMemoryPath } from "./memory-facade.js";

const folder = mkdtempSync(join(tmpdir(), "memory-facade-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe("createMemory, mem0-style", () => {
  it("adds, searches, gets, updates, keeps history and deletes, per user", async () => {
    const memory = await createMemory({ store: createInMemoryStore() });
    const ada = { userId: "ada@example.com" };
    expect(await memory.add("I am allergic to peanuts. My dog is called Rex.", ada)).toEqual({
      results: [
        { id: "m1", memory: "I am allergic to peanuts.", event: "ADD" },
        { id: "m2", memory: "My dog is called Rex.", event: "ADD" },
      ],
    });
    // A restated fact updates its memory.
    expect((await memory.add([{ role: "user", content: "Actually my dog is called Max now." }], ada)).results).toEqual([
      { id: "m2", memory: "Actually my dog is called Max now.", event: "UPDATE" },
    ]);
    expect((await memory.search("What is my dog called?", ada)).results.map((entry) => entry.memory)).toEqual([
      "Actually my dog is called Max now.",
    ]);
    expect(await memory.get("m1", ada)).toEqual({ id: "m1", memory: "I am allergic to peanuts.", version: 1, step: 1 });
    expect(await memory.update("m1", "I am allergic to shellfish.", ada)).toEqual({
      id: "m1",
      memory: "I am allergic to shellfish.",
      event: "UPDATE",
    });
    expect(await memory.delete("m2", ada)).toEqual({
      id: "m2",
      memory: "Actually my dog is called Max now.",
      event: "DELETE",
    });
    expect(await memory.get("m2", ada)).toBeNull();
    expect(await memory.history("m2", ada)).toEqual([
      { version: 1, event: "ADD", oldMemory: null, newMemory: "My dog is called Rex.", step: 1 },
      {
        version: 2,
        event: "UPDATE",
        oldMemory: "My dog is called Rex.",
        newMemory: "Actually my dog is called Max now.",
        step: 2,
      },
      { version: 3, event: "DELETE", oldMemory: "Actually my dog is called Max now.", newMemory: null, step: 4 },
    ]);
    expect((await memory.getAll(ada)).results.map((entry) => entry.memory)).toEqual(["I am allergic to shellfish."]);
    // Another user sees none of it.
    expect((await memory.getAll({ userId: "bo" })).results).toEqual([]);
    expect((await memory.search("What am I allergic to?", { userId: "bo" })).results).toEqual([]);
  });

  it("persists in a PGlite directory across close and reopen", async () => {
    const path = join(folder, "memory");
    const first = await createMemory({ path });
    await first.add("I live in Leeds.", { userId: "ada" });
    await first.close();
    const second = await createMemory({ path });
    try {
      expect((await second.search("Where do I live?", { userId: "ada" })).results.map((entry) => entry.memory)).toEqual(
        ["I live in Leeds."],
      );
      expect((await second.add("I moved, I live in York now.", { userId: "ada" })).results[0]).toMatchObject({
        event: "UPDATE",
      });
    } finally {
      await second.close();
    }
  }, 60_000);

  it("refuses bad input with a typed error naming the field", async () => {
    const memory = await createMemory({ store: createInMemoryStore() });
    await expect(memory.add("hi", { userId: "" })).rejects.toMatchObject({ code: "invalid_option", path: ["userId"] });
    await expect(memory.add("   ", { userId: "ada" })).rejects.toMatchObject({
      code: "invalid_turn",
      path: ["content"],
    });
    await expect(memory.add([], { userId: "ada" })).rejects.toMatchObject({ code: "invalid_turn", path: ["messages"] });
    await expect(memory.update("m9", "x", { userId: "ada" })).rejects.toMatchObject({
      code: "not_found",
      path: ["memoryId"],
    });
    await expect(memory.update("m9", " ", { userId: "ada" })).rejects.toMatchObject({
      code: "invalid_option",
      path: ["text"],
    });
  });

  it("has a documented default path", () => {
    expect(defaultMemoryPath({ FINEMEM_MEMORY_DIR: "/data/mem" })).toBe("/data/mem");
    expect(defaultMemoryPath({})).toMatch(/\.finemem\/memory$/u);
  });
});
