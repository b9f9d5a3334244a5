import { describe, expect, it } from "vitest";
import { questionSimilarity, removeNearDuplicates } from "./near-duplicates.js";

const q = (question: string) => ({ question });

describe("near-duplicate questions", () => {
  it("compares questions after MemoryAgentBench's normalisation", () => {
    expect(questionSimilarity("Who founded Acme?", "who founded the ACME")).toBe(1);
    expect(questionSimilarity("Who founded Acme?", "Where is Acme based?")).toBeCloseTo(1 / 6);
    expect(questionSimilarity("?", "!")).toBe(1);
    expect(questionSimilarity("?", "Who?")).toBe(0);
  });

  it("keeps the first of each group and names what each dropped question repeats", () => {
    const items = [
      q("Who founded Acme in Lisbon?"),
      q("Where is Acme based?"),
      q("who founded acme in lisbon"),
      q("Who founded Acme in Lisbon, Portugal, in 1987?"),
    ];
    const result = removeNearDuplicates(items, 0.8);
    expect(result.kept).toEqual([items[0], items[1], items[3]]);
    expect(result.duplicates).toEqual([{ index: 2, of: 0, similarity: 1 }]);
    // 5 of 7 distinct tokens shared: a duplicate at a lower threshold.
    expect(removeNearDuplicates(items, 0.7).kept).toEqual([items[0], items[1]]);
  });

  it("always drops exact duplicates, even at threshold 1", () => {
    expect(removeNearDuplicates([q("Who founded Acme?"), q("Who founded Acme?")], 1).kept).toHaveLength(1);
  });

  it("compares with kept questions only, so a chain of small changes keeps both ends", () => {
    const items = [q("a b c d e"), q("a b c d f"), q("a b c g f")];
    // 1 vs 2: 4/6; 2 vs 3: 4/6; 1 vs 3: 3/7 — at 0.6 the middle one goes, and the last one stays.
    expect(removeNearDuplicates(items, 0.6).kept).toEqual([items[0], items[2]]);
  });

  it("names the most similar kept question, the earliest on a tie", () => {
    const items = [
      q("Red blue green gold?"),
      q("Red blue pink grey?"),
      q("Red blue green gold pink?"),
      q("Red blue green pink?"),
      q("Red blue pink grey green?"),
    ];
    // Kept: 0 and 1 (2 shared of 6 distinct tokens, 1/3 < 0.5). Then, against 0 and 1:
    // 2: 4/5 = 0.8 and 3/6 = 0.5 → of 0; 3: 3/5 and 3/5, a tie → of 0; 4: 3/6 and 4/5 → of 1.
    const result = removeNearDuplicates(items, 0.5);
    expect(result.kept).toEqual([items[0], items[1]]);
    expect(result.duplicates).toEqual([
      { index: 2, of: 0, similarity: 0.8 },
      { index: 3, of: 0, similarity: 0.6 },
      { index: 4, of: 1, similarity: 0.8 },
    ]);
  });

  it("an empty question is unlike any other, and like another empty one", () => {
    expect(questionSimilarity("The?", "Who founded Acme?")).toBe(0);
    expect(questionSimilarity("Who founded Acme?", "...")).toBe(0);
    expect(removeNearDuplicates([q("?"), q("Who?"), q("the")], 0.8).kept).toEqual([q("?"), q("Who?")]);
  });
});
