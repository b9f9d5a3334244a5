// attributeEpisode by hand. The store: m1 written at step 1, m2 at step 2 (T = 2).

import type { EvidenceRecord } from "@finemem/spec";
import { createInMemoryStoreDouble } from "@finemem/spec/testing";
import { describe, expect, it } from "vitest";
import { attributeEpisode } from "./attribute-episode.js";

const namespace = { run: "episode" };

async function episodeStore() {
  const store = createInMemoryStoreDouble();
  await store.apply({
    namespace,
    step: 1,
    operations: [{ operationId: "a", operation: { type: "INSERT", content: "Ada lives in Lyon." } }],
  });
  await store.apply({
    namespace,
    step: 2,
    operations: [{ operationId: "b", operation: { type: "INSERT", content: "Ada works at Corvex." } }],
  });
  return store;
}

const retrieved = (...itemIds: string[]) =>
  itemIds.map((itemId, index) => ({ itemId, version: 1, rank: index + 1, score: 1 }));

describe("attributeEpisode", () => {
  it("from scored records: the retrieved items by default, the cited ones on request; the input holds only what was given", async () => {
    const store = await episodeStore();
    // q1 (score 1) retrieved m1 and m2 but cited m2; n = 1.
    const records: EvidenceRecord[] = [
      { questionId: "q1", answer: "Corvex", score: 1, retrieved: retrieved("m1", "m2"), citedItemIds: ["m2"] },
    ];
    const byRetrieved = await attributeEpisode({ store, namespace, steps: 2, evidence: records });
    expect(byRetrieved).toMatchObject({ global: 1, unattributed: 0, evidence: [0.5, 0.5], beta: 0.5 });
    // (1 − 0.5)·1 / 2 + 0.5 · 0.5 = 0.5 for each step.
    expect(byRetrieved.eara).toEqual([0.5, 0.5]);
    expect(Object.keys(byRetrieved.input)).toEqual(["steps", "questions", "stepWeights"]);
    expect(byRetrieved.input.questions).toEqual([
      {
        questionId: "q1",
        score: 1,
        items: [
          { itemId: "m1", share: 0.5 },
          { itemId: "m2", share: 0.5 },
        ],
      },
    ]);

    const byCitation = await attributeEpisode({ store, namespace, steps: 2, evidence: records, source: "cited" });
    expect(byCitation.evidence).toEqual([0, 1]);
  });

  it("from evidence already built, with β, the unknown-item policy and φ passed through", async () => {
    const store = await episodeStore();
    // q1 (score 1): half its credit through m2 (step 2), half through an id the store never held (U).
    const questions = [
      {
        questionId: "q1",
        score: 1,
        items: [
          { itemId: "m2", share: 0.5 },
          { itemId: "ghost", share: 0.5 },
        ],
      },
    ];
    const attribution = await attributeEpisode({
      store,
      namespace,
      steps: 2,
      evidence: { questions },
      beta: 1,
      unknownItems: "unattributed",
      provenance: "creator",
    });
    expect(attribution).toMatchObject({
      global: 1,
      beta: 1,
      unattributed: 0.5,
      evidence: [0, 0.5],
      eara: [0, 0.5],
      unknownItemIds: ["ghost"],
    });
    expect(attribution.input).toStrictEqual({
      steps: 2,
      questions,
      stepWeights: new Map([["m2", { 2: 1 }]]),
      beta: 1,
      unknownItems: "unattributed",
    });
    // Without the policy, the unknown id is an error.
    await expect(attributeEpisode({ store, namespace, steps: 2, evidence: { questions } })).rejects.toMatchObject({
      code: "unknown_evidence_item",
    });
  });

  it("stops on an aborted signal before reading the store", async () => {
    const store = await episodeStore();
    const controller = new AbortController();
    controller.abort();
    const records: EvidenceRecord[] = [{ questionId: "q1", answer: "Lyon", score: 1, retrieved: retrieved("m1") }];
    await expect(
      attributeEpisode({ store, namespace, steps: 2, evidence: records, signal: controller.signal }),
    ).rejects.toThrow();
    const finished = await attributeEpisode({
      store,
      namespace,
      steps: 2,
      evidence: records,
      signal: new AbortController().signal,
    });
    expect(finished.evidence).toEqual([1, 0]);
  });
});
