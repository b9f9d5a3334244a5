// @finemem/agent across packages: finemem re-exports its surface unchanged, and a manager over a
// persistent store (PGlite, an optional peer the agent package never opens itself) picks up where the
// last session stopped after the store is closed and reopened.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as agent from "@finemem/agent";
import { createMemoryManager } from "@finemem/agent";
import { openPgliteStore } from "@finemem/memory/pglite";
import * as finemem from "finemem";
import { afterAll, describe, expect, it } from "vitest";

describe("@finemem/agent", () => {
  it("finemem re-exports every runtime export of @finemem/agent as the same binding", () => {
    const names = Object.keys(agent);
    expect(names).toContain("createMemoryManager");
    for (const name of names)
      expect((finemem as Record<string, unknown>)[name], name).toBe((agent as Record<string, unknown>)[name]);
  });

  describe("over a PGlite store", () => {
    const folder = mkdtempSync(join(tmpdir(), "finemem-agent-"));
    afterAll(() => rmSync(folder, { recursive: true, force: true }));

    it("continues the step numbers and the memory of a closed and reopened store", async () => {
      const directory = join(folder, "ada");
      const namespace = { user: "ada", agent: "assistant" };

      const first = await openPgliteStore({ directory });
      const monday = createMemoryManager({ store: first, namespace });
      await monday.observe({ role: "user", content: "I live in Paris." });
      await monday.observe({ role: "user", content: "My sister Ada Moreau is a pianist." });
      await monday.observe({ role: "user", content: "My cat is called Byron." });
      expect((await monday.flush()).map((step) => step.step)).toEqual([1]);
      await first.close();

      const second = await openPgliteStore({ directory });
      try {
        const tuesday = createMemoryManager({ store: second, namespace });
        await tuesday.observe({ role: "user", content: "I live in Lisbon now." });
        const [step] = await tuesday.flush();
        expect(step?.step).toBe(2);
        expect(step?.chunk.id).toBe("chunk-2");
        expect(step?.results.every((result) => result.status === "applied")).toBe(true);
        const recall = await tuesday.recall("Where do I live?", { topK: 1 });
        expect(recall.step).toBe(2);
        expect(recall.items[0]).toMatchObject({ content: "I live in Lisbon now.", step: 2, version: 2 });
        // The rewrite is in the persisted version chain, with the chunk of each session.
        const history = await second.history(namespace, recall.items[0]!.itemId);
        expect(history.map((version) => [version.step, version.sourceChunkId])).toEqual([
          [1, "chunk-1"],
          [2, "chunk-2"],
        ]);
      } finally {
        await second.close();
      }
    });
  });
});
