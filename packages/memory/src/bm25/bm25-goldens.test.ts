import { readFileSync } from "node:fs";
import { join } from "node:path";
import { checkService, probeSharedFile, sharedDir } from "@finemem/testing";
import { describe, expect, it } from "vitest";
import { Bm25Index } from "./bm25-index.js";
import { bm25Scores } from "./bm25-scores.js";
import { tokenizeForBm25 } from "./tokenize.js";

interface GoldenCase {
  case: string;
  corpus: string[];
  tokenized_corpus: string[][];
  query: string;
  tokenized_query: string[];
  scores: number[];
  top_k_order: number[];
}

const goldenPath = join(sharedDir(), "goldens", "bm25.jsonl");
const { available } = await checkService("shared", () => probeSharedFile("goldens/bm25.jsonl"));
const cases: GoldenCase[] = available
  ? readFileSync(goldenPath, "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as GoldenCase)
  : [];

describe.skipIf(!available)("BM25 against rank_bm25's recorded output", () => {
  it("reads all 57 recorded cases", () => {
    expect(cases).toHaveLength(57);
  });

  it.each(cases.map((golden) => [golden.case, golden] as const))(
    "%s: tokens, scores and top-k order",
    (_name, golden) => {
      expect(golden.corpus.map(tokenizeForBm25)).toEqual(golden.tokenized_corpus);
      expect(tokenizeForBm25(golden.query)).toEqual(golden.tokenized_query);

      const index = new Bm25Index();
      golden.corpus.forEach((text, position) => {
        index.add(position, text);
      });
      const { keys, scores } = index.scoreAll(golden.tokenized_query);
      expect(keys).toEqual(golden.corpus.map((_, position) => position));
      scores.forEach((score, position) => {
        expect(Math.abs(score - golden.scores[position]!)).toBeLessThanOrEqual(1e-9);
      });

      const hits = index.search(golden.query, { topK: golden.corpus.length });
      expect(hits.map((hit) => hit.key)).toEqual(golden.top_k_order);
      hits.forEach((hit) => {
        expect(Math.abs(hit.score - golden.scores[hit.key]!)).toBeLessThanOrEqual(1e-9);
      });
      // Every prefix of the order is the top-k for that k.
      for (const k of [1, 3, 5]) {
        expect(index.search(golden.query, { topK: k }).map((hit) => hit.key)).toEqual(golden.top_k_order.slice(0, k));
      }

      const reference = bm25Scores(golden.tokenized_corpus, golden.tokenized_query);
      reference.forEach((score, position) => {
        expect(Math.abs(score - golden.scores[position]!)).toBeLessThanOrEqual(1e-9);
      });
    },
  );

  it("is bit-for-bit equal to rank_bm25 on an index built without removals (3,371 scores)", () => {
    let compared = 0;
    const differing: string[] = [];
    for (const golden of cases) {
      const index = new Bm25Index();
      golden.corpus.forEach((text, position) => {
        index.add(position, text);
      });
      const { scores } = index.scoreAll(golden.tokenized_query);
      const reference = bm25Scores(golden.tokenized_corpus, golden.tokenized_query);
      scores.forEach((score, position) => {
        compared += 1;
        if (score !== golden.scores[position] || reference[position] !== golden.scores[position])
          differing.push(`${golden.case}[${position}]`);
      });
    }
    expect(compared).toBe(3371);
    expect(differing).toEqual([]);
  });
});
