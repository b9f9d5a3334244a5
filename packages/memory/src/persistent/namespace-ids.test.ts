// Namespace ids are the application's own user, agent and run ids (an email, a name, a UUID), as in
// mem0 and LangGraph: any non-empty text without control characters round-trips through every store.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Namespace } from "@finemem/spec";
import { createWhitespaceTokenCounter } from "@finemem/spec/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApplyRequestError } from "../store/errors.js";
import { createInMemoryStore } from "../store/in-memory-store.js";
import type { MemoryBackend } from "../store/memory-backend.js";
import { openPgliteStore } from "./open-pglite-store.js";

let folder: string;
beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), "finemem-namespace-ids-"));
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const options = { tokenCounter: createWhitespaceTokenCounter() };
const namespaces: readonly Namespace[] = [
  { user: "ada@example.com" },
  { user: "ada.lovelace+memory@example.co.uk", agent: "Support Bot", run: "run 1" },
  { user: "josé", agent: "用户-42", run: "🙂" },
  { user: 'o\'brien "the" \\ one' },
];

async function writeEach(store: MemoryBackend): Promise<void> {
  for (const [index, namespace] of namespaces.entries()) {
    await store.apply({
      namespace,
      step: 1,
      operations: [{ operationId: `o${index}`, operation: { type: "INSERT", content: `fact ${index}` } }],
    });
  }
}

async function expectEachReadBack(store: MemoryBackend): Promise<void> {
  for (const [index, namespace] of namespaces.entries()) {
    const view = await store.view(namespace);
    expect(view.namespace).toEqual(namespace);
    expect(view.items.map((item) => item.content)).toEqual([`fact ${index}`]);
    expect(await store.history(namespace, view.items[0]!.id)).toHaveLength(1);
  }
  expect((await store.view({ user: "ada" })).items).toEqual([]);
  const listed = await store.namespaces();
  expect(listed).toHaveLength(namespaces.length);
  expect(listed).toEqual(expect.arrayContaining(namespaces.map((namespace) => expect.objectContaining(namespace))));
}

describe("namespace ids with '@', '.', '+', spaces, quotes and non-ASCII", () => {
  it("round-trip through the in-memory store and its JSONL export", async () => {
    const store = createInMemoryStore(options);
    await writeEach(store);
    await expectEachReadBack(store);
    const copy = createInMemoryStore(options);
    await copy.importJsonl(await store.exportJsonl());
    await expectEachReadBack(copy);
  });

  it("round-trip through PGlite, across a close and reopen", async () => {
    const directory = join(folder, "pglite");
    const store = await openPgliteStore({ ...options, directory });
    try {
      await writeEach(store);
      await expectEachReadBack(store);
    } finally {
      await store.close();
    }
    const reopened = await openPgliteStore({ ...options, directory });
    try {
      await expectEachReadBack(reopened);
    } finally {
      await reopened.close();
    }
  }, 60_000);

  it("a bad one is rejected with one message saying what is wrong and what is allowed", async () => {
    const store = createInMemoryStore(options);
    const request = { namespace: { user: "ada\nlovelace" }, step: 1, operations: [] };
    const error = await store.apply(request).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ApplyRequestError);
    expect(error).toMatchObject({ code: "invalid_request", path: ["namespace", "user"] });
    expect((error as Error).message).toBe(
      "namespace.user: a namespace id must be a non-empty string of at most 128 characters without control characters",
    );
  });
});
