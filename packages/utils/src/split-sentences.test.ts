import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { splitSentences } from "./split-sentences.js";

const texts = (text: string) => splitSentences(text).map((span) => span.text);

describe("splitSentences", () => {
  it("splits prose on terminal punctuation followed by a capitalised word", () => {
    expect(texts("Ada lives in Paris. Bob moved to Rome! Did Carol stay? Yes.")).toEqual([
      "Ada lives in Paris.",
      "Bob moved to Rome!",
      "Did Carol stay?",
      "Yes.",
    ]);
  });

  it("keeps initials, known abbreviations and dotted abbreviations inside a sentence", () => {
    expect(
      texts(
        "The author is Ursula K. Le Guin. Apple Inc. is led by Tim Cook. Dr. Smith met Mr. Jones in the U.S. capital.",
      ),
    ).toEqual([
      "The author is Ursula K. Le Guin.",
      "Apple Inc. is led by Tim Cook.",
      "Dr. Smith met Mr. Jones in the U.S. capital.",
    ]);
  });

  it("treats numbered lines as one sentence each, the number included", () => {
    expect(
      texts(
        "Here is a list of facts:\n0. Pedro worked in Washington, D.C..\n1. Ada lives in Paris.\n12. Bob lives in Rome.",
      ),
    ).toEqual([
      "Here is a list of facts:",
      "0. Pedro worked in Washington, D.C..",
      "1. Ada lives in Paris.",
      "12. Bob lives in Rome.",
    ]);
  });

  it("keeps a hard-wrapped line inside its sentence, and splits at paragraphs", () => {
    expect(texts("It was a long\nsentence that wrapped.\n\nA new paragraph\n\nwithout a period")).toEqual([
      "It was a long\nsentence that wrapped.",
      "A new paragraph",
      "without a period",
    ]);
  });

  it("does not split before a lowercase word or inside a number", () => {
    expect(texts("He paid 3.50 dollars, e.g. for bread. It cost approx. five more.")).toEqual([
      "He paid 3.50 dollars, e.g. for bread.",
      "It cost approx. five more.",
    ]);
  });

  it("keeps closing quotes and brackets with their sentence, and splits after CJK punctuation", () => {
    expect(texts('He said "Stop." Then he left. (It rained.) 我喜欢书法。我也喜欢围棋！')).toEqual([
      'He said "Stop."',
      "Then he left.",
      "(It rained.)",
      "我喜欢书法。",
      "我也喜欢围棋！",
    ]);
  });

  it("returns nothing for blank text", () => {
    expect(texts("")).toEqual([]);
    expect(texts(" \n\t ")).toEqual([]);
  });

  it("spans point into the source, in order, and lose no character but whitespace (fuzzed)", () => {
    const alphabet = fc.constantFrom(..."aB .!?\n\"')K1.é。".split(""), "Inc. ", "Dr. ", "1. ", "\n\n", "D.C.");
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 120 }).map((parts) => parts.join("")),
        (text) => {
          const spans = splitSentences(text);
          let cursor = 0;
          for (const span of spans) {
            expect(span.start).toBeGreaterThanOrEqual(cursor);
            expect(text.slice(span.start, span.end)).toBe(span.text);
            expect(span.text.trim()).toBe(span.text);
            expect(span.text.length).toBeGreaterThan(0);
            expect(text.slice(cursor, span.start).trim()).toBe("");
            cursor = span.end;
          }
          expect(text.slice(cursor).trim()).toBe("");
        },
      ),
      { numRuns: 500 },
    );
  });
});
