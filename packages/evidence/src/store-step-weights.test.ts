import type { CallOptions, MemoryStore } from "@finemem/spec";
import { createInMemoryStoreDouble } from "@finemem/spec/testing";
import { describe, expect, it } from "vitest";
import { equalShares, type QuestionEvidence } from "./question-evidence.js";
import { collectStepWeights } from "./store-step-weights.js";

const namespace = { run: "weights" };

/**
 * m1 written at step 1 and m2 at step 2, behind a store that reports φ = {} for m2 (a store may credit
 * no step for an item it holds, e.g. one imported before the episode) and records every call.
 */
async function recordingStore() {
  const inner = createInMemoryStoreDouble();
  await inner.apply({
    namespace,
    step: 1,
    operations: [{ operationId: "a", operation: { type: "INSERT", content: "Ada lives in Lyon." } }],
  });
  await inner.apply({
    namespace,
    step: 2,
    operations: [{ operationId: "b", operation: { type: "INSERT", content: "Ada works at Corvex." } }],
  });
  const calls: { method: "provenance" | "history"; itemId: string; options: CallOptions | undefined }[] = [];
  const store: MemoryStore = {
    ...inner,
    async provenance(ns, itemId, policy, options) {
      calls.push({ method: "provenance", itemId, options });
      return itemId === "m2" ? {} : inner.provenance(ns, itemId, policy, options);
    },
    async history(ns, itemId, options) {
      calls.push({ method: "history", itemId, options });
      return inner.history(ns, itemId, options);
    },
  };
  return { store, calls };
}

const questions: QuestionEvidence[] = [
  { questionId: "q1", score: 1, items: equalShares(["m1", "m2"]) },
  { questionId: "q2", score: 0.5, items: equalShares(["ghost", "m1"]) },
];

describe("collectStepWeights", () => {
  it("reads φ of each evidence item once; keeps a held item's empty φ and leaves out an id the store never held", async () => {
    const { store, calls } = await recordingStore();
    const weights = await collectStepWeights(store, namespace, questions, "last-writer");
    expect([...weights.entries()]).toEqual([
      ["m1", { 1: 1 }],
      ["m2", {}],
    ]);
    expect(weights.has("ghost")).toBe(false);
    expect(
      calls
        .filter((call) => call.method === "provenance")
        .map((call) => call.itemId)
        .sort(),
    ).toEqual(["ghost", "m1", "m2"]);
    // The history is read only to tell an empty φ of a held item from an unknown id.
    expect(
      calls
        .filter((call) => call.method === "history")
        .map((call) => call.itemId)
        .sort(),
    ).toEqual(["ghost", "m2"]);
  });

  it("passes the caller's signal to every store call, and no signal when there is none", async () => {
    const { store, calls } = await recordingStore();
    await collectStepWeights(store, namespace, questions, "creator");
    expect(calls).toHaveLength(5);
    for (const call of calls) expect(call.options).toStrictEqual({});

    const signalled = await recordingStore();
    const controller = new AbortController();
    await collectStepWeights(signalled.store, namespace, questions, "creator", {
      signal: controller.signal,
      concurrency: 1,
    });
    expect(signalled.calls).toHaveLength(5);
    for (const call of signalled.calls) expect(call.options?.signal).toBe(controller.signal);
  });

  it("stops on an aborted signal", async () => {
    const { store, calls } = await recordingStore();
    const controller = new AbortController();
    controller.abort();
    await expect(
      collectStepWeights(store, namespace, questions, "creator", { signal: controller.signal }),
    ).rejects.toThrow();
    expect(calls).toEqual([]);
  });
});
