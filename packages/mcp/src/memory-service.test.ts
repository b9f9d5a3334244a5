import { createInMemoryStore } from "@finemem/memory";
import { createConversationalPolicy } from "@finemem/policy";
import { describe, expect, it } from "vitest";
import { McpServerError } from "./mcp-error.js";
import { createMemoryService } from "./memory-service.js";

const ada = { user: "ada" };

function service() {
  return createMemoryService({ store: createInMemoryStore(), policy: createConversationalPolicy() });
}

describe("createMemoryService", () => {
  it("observes a turn and writes it at once, updating a restated fact", async () => {
    const memory = service();
    const [first] = await memory.observe(ada, { role: "user", content: "I live in Paris." });
    expect(first).toMatchObject({ step: 1, sourceChunkId: "chunk-1", chunk: "user: I live in Paris." });
    expect(first?.operations).toEqual([
      { operationId: "s1.0", type: "INSERT", itemId: "m1", content: "I live in Paris.", status: "applied", version: 1 },
    ]);
    const [third] = await memory.observe(ada, { role: "user", content: "I live in Lisbon now." });
    expect(third?.operations[0]).toMatchObject({ type: "UPDATE", itemId: "m1", version: 2 });
    const [hit] = await memory.recall(ada, "Where do I live?");
    expect(hit).toMatchObject({
      itemId: "m1",
      content: "I live in Lisbon now.",
      version: 2,
      step: 2,
      createdStep: 1,
      operationId: "s2.0",
      sourceChunkId: "chunk-2",
      provenance: { 1: 0.5, 2: 0.5 },
    });
  });

  it("inserts, updates, deletes explicitly and keeps the history", async () => {
    const memory = service();
    const inserted = await memory.insert(ada, { content: "Ada is allergic to peanuts." });
    expect(inserted).toMatchObject({ step: 1, sourceChunkId: "edit-1" });
    expect(inserted.operations[0]).toMatchObject({ type: "INSERT", itemId: "m1", status: "applied" });
    await memory.update(ada, "m1", "Ada is allergic to walnuts.");
    await memory.delete(ada, "m1");
    expect((await memory.view(ada)).items).toEqual([]);
    expect(
      (await memory.history(ada, "m1")).map((version) => [version.version, version.content, version.deleted]),
    ).toEqual([
      [1, "Ada is allergic to peanuts.", false],
      [2, "Ada is allergic to walnuts.", false],
      [3, "", true],
    ]);
  });

  it("names an unknown or deleted item id, and a rejected insert", async () => {
    const memory = service();
    await expect(memory.delete(ada, "m7")).rejects.toMatchObject({ code: "not_found", path: ["itemId"] });
    await expect(memory.update(ada, "m7", "x")).rejects.toThrow(/"m7"/);
    await expect(memory.history(ada, "m7")).rejects.toBeInstanceOf(McpServerError);
    await memory.insert(ada, { content: "Rex is a dog." });
    await expect(memory.insert(ada, { content: "Rex is a dog." })).rejects.toMatchObject({
      code: "operation_rejected",
    });
    await memory.delete(ada, "m1");
    await expect(memory.delete(ada, "m1")).rejects.toMatchObject({ code: "not_found" });
  });

  it("forgets everything written from one source chunk, and keeps namespaces apart", async () => {
    const memory = service();
    await memory.observe(ada, { role: "user", content: "I live in Paris." });
    await memory.observe(ada, { role: "user", content: "My dog is called Rex." });
    await memory.observe({ user: "bo" }, { role: "user", content: "I live in Oslo." });
    const forgotten = await memory.forgetSource(ada, "chunk-1");
    expect(forgotten.operations).toMatchObject([{ type: "DELETE", itemId: "m1", status: "applied" }]);
    expect((await memory.view(ada)).items.map((item) => item.content)).toEqual(["My dog is called Rex."]);
    expect((await memory.view({ user: "bo" })).items.map((item) => item.content)).toEqual(["I live in Oslo."]);
    expect((await memory.forgetSource(ada, "chunk-9")).operations).toEqual([]);
  });

  it("refuses a store of the other layout", () => {
    expect(() =>
      createMemoryService({ store: createInMemoryStore({ layout: "typed" }), policy: createConversationalPolicy() }),
    ).toThrow(expect.objectContaining({ code: "layout_mismatch" }));
  });
});
