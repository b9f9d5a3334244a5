import type { EvidenceRecord } from "@finemem/spec";
import { rejection } from "@finemem/testing";
import { describe, expect, it } from "vitest";
import { attributeEvidence } from "./attribute-evidence.js";
import { AttributionError } from "./attribution-error.js";
import { evidenceFromRecords } from "./evidence-sources.js";

const record = (questionId: string, score: number | null, retrieved: string[], cited?: string[]): EvidenceRecord => ({
  questionId,
  retrieved: retrieved.map((itemId, index) => ({ itemId, version: 1, rank: index + 1, score: 1 })),
  ...(cited === undefined ? {} : { citedItemIds: cited }),
  answer: "a",
  score,
});

describe("evidence sources", () => {
  const records = [record("q1", 1, ["m1", "m2", "m3", "m4"], ["m3"]), record("q2", 0.5, ["m2"])];
  const stepWeights = { m1: { 1: 1 }, m2: { 2: 1 }, m3: { 3: 1 }, m4: { 4: 1 } };

  it("retrieved: every retrieved item shares the credit equally, as in the paper", () => {
    const evidence = evidenceFromRecords(records);
    expect(evidence[0]!.items).toEqual(["m1", "m2", "m3", "m4"].map((itemId) => ({ itemId, share: 0.25 })));
    const attribution = attributeEvidence({ steps: 4, questions: evidence, stepWeights });
    expect(attribution.evidence).toEqual([0.125, 0.125 + 0.25, 0.125, 0.125]);
  });

  it("cited: only the cited items; a question citing nothing has no evidence and lands in U", () => {
    const attribution = attributeEvidence({ steps: 4, questions: evidenceFromRecords(records, "cited"), stepWeights });
    expect(attribution.evidence).toEqual([0, 0, 0.5, 0]);
    expect(attribution.unattributed).toBe(0.25);
    expect(attribution.questionsWithoutEvidence).toBe(1);
  });

  it("an unscored record is refused with its index", async () => {
    const error = await rejection(() => evidenceFromRecords([record("q1", 1, []), record("q2", null, ["m1"])]));
    expect(error).toBeInstanceOf(AttributionError);
    expect(error).toMatchObject({ code: "unscored_record", path: [1, "score"] });
    expect((error as AttributionError).message).toContain('"q2"');
  });
});
