import { createInMemoryStore } from "@finemem/memory";
import { createHeuristicPolicy } from "@finemem/policy";
import { AbortedError, type MemoryPolicy } from "@finemem/spec";
import { createScriptedPolicy, createWhitespaceTokenCounter } from "@finemem/spec/testing";
import { describe, expect, it } from "vitest";
import type { ConversationTurn } from "./conversation-turn.js";
import { createMemoryManager } from "./memory-manager.js";
import { MemoryManagerError } from "./memory-manager-error.js";
import { EMPTY_RECALL_PROMPT } from "./recall-prompt.js";
import { createRelevanceRetriever } from "./relevance-retriever.js";

// A conversation in which a fact changes. With a 24-token budget (o200k) each user turn and the
// assistant's reply make one chunk, so the three exchanges are three steps.
const CONVERSATION: readonly ConversationTurn[] = [
  { role: "user", content: "I live in Paris." },
  { role: "assistant", content: "Noted, Paris is lovely in spring." },
  { role: "user", content: "My sister Ada Moreau is a pianist." },
  { role: "assistant", content: "Ada Moreau sounds talented." },
  { role: "user", content: "I live in Lisbon now." },
  { role: "assistant", content: "Lisbon is a great choice." },
];

/** Wraps a policy so a test can see how many decisions ran at once. */
function overlapProbe(inner: MemoryPolicy) {
  const probe = { inFlight: 0, maxInFlight: 0 };
  const policy: MemoryPolicy = {
    ...inner,
    async decide(input, options) {
      probe.inFlight += 1;
      probe.maxInFlight = Math.max(probe.maxInFlight, probe.inFlight);
      try {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return await inner.decide(input, options);
      } finally {
        probe.inFlight -= 1;
      }
    },
  };
  return { policy, probe };
}

describe("createMemoryManager", () => {
  it("turns a conversation into steps and recalls the fact as it stands now", async () => {
    const memory = createMemoryManager({ chunkTokens: 24 });
    const observed = [];
    for (const turn of CONVERSATION) observed.push(...(await memory.observe(turn)));
    expect(observed.map((step) => step.step)).toEqual([1, 2]);
    expect(observed[0]!.chunk).toEqual({
      id: "chunk-1",
      text: "user: I live in Paris.\nassistant: Noted, Paris is lovely in spring.",
    });
    // The default policy stores what the user says, without the role prefix; the reply is not a fact.
    expect(observed[0]!.operations).toEqual([
      { operationId: "s1.0", operation: { type: "INSERT", content: "I live in Paris." } },
    ]);
    expect(observed[0]!.results.every((result) => result.status === "applied")).toBe(true);
    // The sister is another subject: her fact is a new item, not an update of where the user lives.
    expect(observed[1]!.operations.map(({ operation }) => operation.type)).toEqual(["INSERT"]);
    expect(memory.pendingTurns).toEqual(["user: I live in Lisbon now.", "assistant: Lisbon is a great choice."]);

    const flushed = await memory.flush();
    expect(flushed.map((step) => step.step)).toEqual([3]);
    expect(memory.pendingTurns).toEqual([]);
    expect(memory.pendingTokens).toBe(0);
    expect(await memory.flush()).toEqual([]);

    const recall = await memory.recall("Where do I live?");
    // Only the item sharing a content word ("live") is recalled: the pianist sister is not evidence.
    expect(recall.items).toHaveLength(1);
    const [first] = recall.items;
    expect(first).toMatchObject({ content: "I live in Lisbon now.", rank: 1, step: 3, version: 2 });
    expect(recall.step).toBe(3);
    expect(recall.prompt.split("\n")).toEqual(["Notes from memory, most relevant first:", "[1] I live in Lisbon now."]);
    // The Paris statement was rewritten, not lost: its history names the chunks of both steps.
    const history = await memory.store.history(memory.namespace, first!.itemId);
    expect(history.map((version) => [version.step, version.sourceChunkId, version.content])).toEqual([
      [1, "chunk-1", "I live in Paris."],
      [3, "chunk-3", "I live in Lisbon now."],
    ]);
  });

  it("keeps unrelated facts apart and updates a restated one (the first hour's chat)", async () => {
    // Issue #18: with the heuristic default, the third fact UPDATEd the first ("user: I work as a nurse
    // in Leeds." replaced the allergy), the restated dog name was INSERTed beside the old one, items kept
    // the "user:" prefix, two-item recalls scored 0 in arbitrary order, and an unrelated question got
    // every item.
    const memory = createMemoryManager({ chunkTokens: 8 });
    for (const content of ["I am allergic to peanuts.", "My dog is called Rex.", "I work as a nurse in Leeds."])
      await memory.observe({ role: "user", content });
    await memory.flush();
    expect((await memory.store.view(memory.namespace)).items.map((item) => item.content)).toEqual([
      "I am allergic to peanuts.",
      "My dog is called Rex.",
      "I work as a nurse in Leeds.",
    ]);
    const [restated] = await memory.observe({ role: "user", content: "Actually my dog is called Max now." });
    await memory.flush();
    const steps = restated === undefined ? await memory.flush() : [restated];
    expect(steps.flatMap((step) => step.operations.map(({ operation }) => operation.type))).toEqual(["UPDATE"]);
    const dog = await memory.recall("What is my dog called?");
    expect(dog.items.map((item) => item.content)).toEqual(["Actually my dog is called Max now."]);
    expect(dog.items[0]!.score).toBeGreaterThan(0);
    expect((await memory.recall("What am I allergic to?")).items.map((item) => item.content)).toEqual([
      "I am allergic to peanuts.",
    ]);
    expect((await memory.recall("What is the capital of France?")).items).toEqual([]);
  });

  it("limits recall to topK items, ties going to the most recently written", async () => {
    const policy = createScriptedPolicy([
      [{ type: "INSERT", content: "a red apple" }],
      [{ type: "INSERT", content: "a red car" }],
      [{ type: "INSERT", content: "a red door" }],
    ]);
    const memory = createMemoryManager({ policy, chunkTokens: 1, topK: 2 });
    for (const content of ["one", "two", "three"]) await memory.observe({ role: "user", content });
    // "red" is in every item and each holds two content words: three equal scores, newest first.
    expect((await memory.recall("Which things are red?")).items.map((item) => item.content)).toEqual([
      "a red door",
      "a red car",
    ]);
    expect((await memory.recall("Which things are red?", { topK: 1 })).items).toHaveLength(1);
  });

  it("recalls only what reached the store: buffered turns wait for a step or flush", async () => {
    const memory = createMemoryManager();
    await memory.observe({ role: "user", content: "I live in Paris." });
    expect((await memory.recall("Where do I live?")).prompt).toBe(EMPTY_RECALL_PROMPT);
    await memory.flush();
    expect((await memory.recall("Where do I live?")).items.map((item) => item.content)).toEqual(["I live in Paris."]);
  });

  it("continues the step numbers of a store that already holds steps, per namespace", async () => {
    const store = createInMemoryStore();
    const namespace = { user: "u1", run: "chat" };
    const first = createMemoryManager({ store, namespace, chunkTokens: 24 });
    for (const turn of CONVERSATION.slice(0, 4)) await first.observe(turn);
    // The session ends: its last exchange is still buffered until flushed.
    expect((await first.flush()).map((step) => step.step)).toEqual([2]);
    expect((await store.view(namespace)).step).toBe(2);

    const second = createMemoryManager({ store, namespace, chunkTokens: 24 });
    for (const turn of CONVERSATION.slice(4)) await second.observe(turn);
    const [step] = await second.flush();
    expect(step?.step).toBe(3);
    expect(step?.chunk.id).toBe("chunk-3");
    expect(step?.operations.map((operation) => operation.operationId)).toEqual(["s3.0"]);
    expect(step?.results.every((result) => result.status === "applied")).toBe(true);
    // The second manager saw the first one's memory: the Paris item was updated, not duplicated.
    expect((await second.recall("Where do I live?")).items[0]).toMatchObject({
      content: "I live in Lisbon now.",
      version: 2,
    });

    const elsewhere = createMemoryManager({ store, namespace: { user: "u2" } });
    expect((await elsewhere.recall("Where do I live?")).items).toEqual([]);
    await elsewhere.observe({ role: "user", content: "I live in Oslo." });
    expect((await elsewhere.flush())[0]?.step).toBe(1);
  });

  it("keeps numbering after a step whose every operation the store rejected", async () => {
    const policy = createScriptedPolicy([
      [{ type: "DELETE", id: "nothing-here" }],
      [{ type: "INSERT", content: "kept" }],
    ]);
    const memory = createMemoryManager({ policy, chunkTokens: 1 });
    const [rejected] = await memory.observe({ role: "user", content: "one" });
    expect(rejected?.results[0]).toMatchObject({ status: "rejected", reason: "unknown_id" });
    const [applied] = await memory.observe({ role: "user", content: "two" });
    expect(applied?.step).toBe(2);
    expect(policy.inputs.map((input) => input.chunk.id)).toEqual(["chunk-1", "chunk-2"]);
  });

  it("runs one step at a time, in call order, when observe is not awaited", async () => {
    const { policy, probe } = overlapProbe(createHeuristicPolicy());
    const memory = createMemoryManager({ policy, chunkTokens: 1 });
    const facts = ["Ana Lima plays chess.", "Bo Chen rides horses.", "Cy Diaz bakes bread.", "Di Evans grows roses."];
    const pending = facts.map((content) => memory.observe({ role: "user", content }));
    const recall = memory.recall("Who grows roses?");
    const steps = (await Promise.all(pending)).flat();
    expect(probe.maxInFlight).toBe(1);
    expect(steps.map((step) => [step.step, step.chunk.text])).toEqual(
      facts.map((fact, index) => [index + 1, `user: ${fact}`]),
    );
    // A recall queued behind the observes sees all of their steps.
    const recalled = await recall;
    expect(recalled.step).toBe(4);
    expect(recalled.items[0]?.content).toBe("user: Di Evans grows roses.");
  });

  it("writes the buffer before a turn that does not fit, and a turn over budget as its own chunk", async () => {
    const policy = createScriptedPolicy(() => [{ type: "SKIP" }]);
    const memory = createMemoryManager({ policy, chunkTokens: 6, tokenCounter: createWhitespaceTokenCounter() });
    expect(await memory.observe({ role: "user", content: "two words" })).toEqual([]);
    expect(memory.pendingTokens).toBe(3);
    const steps = await memory.observe({ role: "assistant", content: "a reply of far more than six words" });
    expect(steps.map((step) => step.chunk.text)).toEqual([
      "user: two words",
      "assistant: a reply of far more than six words",
    ]);
    expect(memory.pendingTurns).toEqual([]);
  });

  it("keeps the turns of a step that was aborted, and writes them on the next call", async () => {
    const memory = createMemoryManager({ chunkTokens: 1000 });
    await memory.observe({ role: "user", content: "I live in Paris.", at: "2026-05-01" });
    const controller = new AbortController();
    controller.abort();
    await expect(memory.flush({ signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
    await expect(memory.recall("anything", { signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
    expect(memory.pendingTurns).toEqual(["[2026-05-01] user: I live in Paris."]);
    const [step] = await memory.flush();
    expect(step?.step).toBe(1);
    expect(memory.pendingTurns).toEqual([]);
  });

  it("works over a typed store with a typed policy", async () => {
    const memory = createMemoryManager({ policy: createHeuristicPolicy({ layout: "typed" }), chunkTokens: 24 });
    for (const turn of CONVERSATION) await memory.observe(turn);
    await memory.flush();
    expect(memory.store.layout).toBe("typed");
    expect((await memory.recall("Where does the user live?")).items[0]).toMatchObject({
      content: "user: I live in Lisbon now.",
      memoryType: "semantic",
    });
  });

  it("recalls Mem-α's way in the typed layout: the core paragraph first, then top k per memory type", async () => {
    const policy = createScriptedPolicy(
      [
        [
          { type: "UPDATE", id: "core", content: "The user is Ada, a pianist.", memoryType: "core" },
          { type: "INSERT", content: "Ada lives in Lisbon.", memoryType: "semantic" },
          { type: "INSERT", content: "Ada's sister lives in Porto.", memoryType: "semantic" },
          { type: "INSERT", content: "Ada moved to Lisbon in May.", memoryType: "episodic" },
          { type: "INSERT", content: "Ada visited Porto where her sister lives.", memoryType: "episodic" },
        ],
      ],
      { layout: "typed" },
    );
    // No relative cut here: this test is about how many items each memory type gives.
    const memory = createMemoryManager({ policy, topK: 1, retriever: createRelevanceRetriever({ relativeCut: 0 }) });
    await memory.observe({ role: "user", content: "Tell me about Ada." });
    await memory.flush();
    const recall = await memory.recall("Where does Ada live?");
    expect(recall.items.map((item) => [item.rank, item.memoryType])).toEqual([
      [1, "core"],
      [2, expect.stringMatching(/^(semantic|episodic)$/u)],
      [3, expect.stringMatching(/^(semantic|episodic)$/u)],
    ]);
    expect(new Set(recall.items.slice(1).map((item) => item.memoryType))).toEqual(new Set(["semantic", "episodic"]));
    expect((await memory.recall("Where does Ada live?", { topK: 2 })).items).toHaveLength(5);
  });

  it("leaves memoryType off the items of a flat memory", async () => {
    const memory = createMemoryManager();
    await memory.observe({ role: "user", content: "I live in Paris." });
    await memory.flush();
    const [item] = (await memory.recall("Where do I live?")).items;
    expect(item).toBeDefined();
    expect(Object.keys(item!)).not.toContain("memoryType");
  });

  describe("rejects bad options and input with a typed error naming what was wrong", () => {
    const expectError = (run: () => unknown, code: string, path: readonly (string | number)[]) => {
      try {
        run();
      } catch (error) {
        expect(error).toBeInstanceOf(MemoryManagerError);
        expect(error).toMatchObject({ code, path });
        return;
      }
      throw new Error("expected a MemoryManagerError");
    };

    it("at creation", () => {
      expectError(() => createMemoryManager({ chunkTokens: 0 }), "invalid_option", ["chunkTokens"]);
      expectError(() => createMemoryManager({ chunkTokens: 2.5 }), "invalid_option", ["chunkTokens"]);
      expectError(() => createMemoryManager({ topK: -1 }), "invalid_option", ["topK"]);
      expectError(() => createMemoryManager({ namespace: { user: "line\nbreak" } }), "invalid_option", [
        "namespace",
        "user",
      ]);
      expectError(() => createMemoryManager({ store: createInMemoryStore({ layout: "typed" }) }), "layout_mismatch", [
        "store",
      ]);
    });

    it("with a message that says what was wanted and what came", () => {
      expect(() => createMemoryManager({ chunkTokens: 0 })).toThrow("chunkTokens must be an integer ≥ 1, got 0");
      expect(() => createMemoryManager({ store: createInMemoryStore({ layout: "typed" }) })).toThrow(
        "writes flat memory but the store keeps typed memory",
      );
      expect(() => createMemoryManager({ namespace: { user: "line\nbreak" } })).toThrow(
        /^namespace\.user: a namespace id must be a non-empty string of at most 128 characters without control characters$/u,
      );
      // Any other string is an id, an email included (as in mem0 and LangGraph).
      expect(() => createMemoryManager({ namespace: { user: "ada@example.com" } })).not.toThrow();
    });

    it("per call", async () => {
      const memory = createMemoryManager();
      await expect(memory.observe({ role: "user", content: "  \n" })).rejects.toMatchObject({
        code: "invalid_turn",
        path: ["content"],
      });
      await expect(memory.observe({ role: "", content: "hi" })).rejects.toMatchObject({
        code: "invalid_turn",
        path: ["role"],
      });
      await expect(memory.observe({ role: "user\nassistant", content: "hi" })).rejects.toMatchObject({
        code: "invalid_turn",
        path: ["role"],
      });
      await expect(memory.observe({ role: "user", content: "hi", at: "" })).rejects.toMatchObject({
        code: "invalid_turn",
        path: ["at"],
      });
      await expect(memory.recall(" ")).rejects.toMatchObject({
        code: "invalid_question",
        path: ["question"],
        message: 'a question must hold something other than whitespace, got " "',
      });
      await expect(memory.recall(42 as unknown as string)).rejects.toMatchObject({
        code: "invalid_question",
        path: ["question"],
      });
      await expect(memory.recall("where?", { topK: 0 })).rejects.toMatchObject({
        code: "invalid_option",
        path: ["topK"],
      });
      expect(memory.pendingTurns).toEqual([]);
    });
  });
});
