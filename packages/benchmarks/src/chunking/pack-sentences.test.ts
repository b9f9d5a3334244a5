import { createWhitespaceTokenCounter } from "@finemem/spec/testing";
import { createO200kTokenCounter, splitSentences } from "@finemem/utils";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { packSentences } from "./pack-sentences.js";

describe("packSentences", () => {
  const words = createWhitespaceTokenCounter();

  it("packs greedily in order and joins sentences with one space", () => {
    const chunks = packSentences("One two three. Four five. Six seven eight nine. Ten.", {
      maxTokens: 5,
      tokenCounter: words,
    });
    expect(chunks.map((chunk) => chunk.text)).toEqual(["One two three. Four five.", "Six seven eight nine. Ten."]);
    expect(chunks.map((chunk) => chunk.tokens)).toEqual([5, 5]);
  });

  it("gives an oversize sentence a chunk of its own, flagged", () => {
    const chunks = packSentences("Short one. This sentence has far too many words for the budget. Short two.", {
      maxTokens: 4,
      tokenCounter: words,
    });
    expect(chunks.map((chunk) => [chunk.text, chunk.oversize])).toEqual([
      ["Short one.", false],
      ["This sentence has far too many words for the budget.", true],
      ["Short two.", false],
    ]);
  });

  it("rejects a budget below one token", () => {
    expect(() => packSentences("A.", { maxTokens: 0, tokenCounter: words })).toThrow(RangeError);
  });

  it("with o200k, a chunk's counted size equals the count of its joined text, and stays within the budget (fuzzed)", () => {
    const o200k = createO200kTokenCounter();
    const word = fc.constantFrom(
      "Ada",
      "lives",
      "in",
      "Paris",
      "1990",
      "Kūkai",
      "co-op",
      "don't",
      "42%",
      "(Rome)",
      "München",
      "U.S.",
      "—",
    );
    const sentence = fc
      .array(word, { minLength: 1, maxLength: 12 })
      .map((parts) => `${parts.join(" ")}.`.replace(/^./, (first) => first.toUpperCase()));
    fc.assert(
      fc.property(
        fc.array(sentence, { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 3, max: 60 }),
        fc.constantFrom(" ", "\n"),
        (sentences, budget, separator) => {
          const text = sentences.join(separator);
          const chunks = packSentences(text, { maxTokens: budget, tokenCounter: o200k });
          expect(chunks.flatMap((chunk) => chunk.sentences.map((span) => span.text))).toEqual(
            splitSentences(text).map((span) => span.text),
          );
          for (const chunk of chunks) {
            expect(chunk.tokens).toBe(o200k.count(chunk.text));
            if (chunk.sentences.length > 1) expect(chunk.tokens).toBeLessThanOrEqual(budget);
            expect(chunk.oversize).toBe(chunk.tokens > budget);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
