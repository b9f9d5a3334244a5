import { createRequire } from "node:module";
import fc from "fast-check";
import type { Tiktoken, TiktokenBPE } from "js-tiktoken/lite";
import { describe, expect, it } from "vitest";
import { createO200kTokenCounter } from "./o200k-token-counter.js";

// The oracle: js-tiktoken's own o200k encoder, whose token ids the counter must count.
let tiktoken: Tiktoken | undefined;
function reference(): Tiktoken {
  if (tiktoken === undefined) {
    const require = createRequire(import.meta.url);
    const { Tiktoken: Encoder } = require("js-tiktoken/lite") as typeof import("js-tiktoken/lite");
    tiktoken = new Encoder(require("js-tiktoken/ranks/o200k_base") as TiktokenBPE);
  }
  return tiktoken;
}

// Pieces that exercise the pre-tokenizer and long merges: contractions, digit runs, whitespace runs
// and newlines, punctuation, accents, CJK, emoji (4-byte UTF-8), and long unbroken words.
const FRAGMENTS = [
  "Ada",
  " Lovelace",
  "'s",
  "'LL",
  " don't",
  "12345678",
  " 3.14",
  "  ",
  "\n\n",
  "\r\n",
  " \t",
  "!!!",
  "?)",
  "café",
  " naïve",
  "Ünïcödé",
  "東京都",
  "日本語のテキスト",
  "😀",
  "👩‍💻",
  "ß",
  " Straße",
  "—",
  "…",
  "supercalifragilisticexpialidocious",
  "aaaaaaaaaaaaaaaaaaaa",
  "xqzvkjxqzvkj",
  "<|",
  "|>",
  "endoftext",
];

/** A count, or the message of the error thrown instead. */
function outcomeOf(count: () => number): number | { error: string } {
  try {
    return count();
  } catch (error) {
    return { error: (error as Error).message };
  }
}

describe("createO200kTokenCounter", () => {
  it("counts o200k_base tokens (pinned against tiktoken's encoding)", () => {
    const counter = createO200kTokenCounter();
    expect(counter.encoding).toBe("o200k_base");
    expect(counter.count("")).toBe(0);
    expect(counter.count("hello world")).toBe(2);
    // Counters share one encoder and agree.
    expect(createO200kTokenCounter().count("Ada Lovelace lives in London.")).toBe(
      counter.count("Ada Lovelace lives in London."),
    );
  });

  it("equals the length of js-tiktoken's encoding for any text", () => {
    const counter = createO200kTokenCounter();
    const mixed = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 30 }).map((parts) => parts.join(""));
    for (const text of [mixed, fc.string({ unit: "binary", maxLength: 200 }), fc.string({ maxLength: 200 })]) {
      fc.assert(
        fc.property(text, (sample) => {
          // The same count, or the same refusal: fragments can line up into a special token.
          expect(outcomeOf(() => counter.count(sample))).toEqual(outcomeOf(() => reference().encode(sample).length));
        }),
        { numRuns: 400 },
      );
    }
    // A lone surrogate is encoded as U+FFFD's bytes by both.
    expect(counter.count("a\uD800b")).toBe(reference().encode("a\uD800b").length);
  }, 60_000);

  it("refuses text containing a special token, as js-tiktoken's encode does", () => {
    const counter = createO200kTokenCounter();
    expect(() => counter.count("end <|endoftext|> here")).toThrow(
      "The text contains a special token that is not allowed: <|endoftext|>",
    );
    expect(() => reference().encode("end <|endoftext|> here")).toThrow(
      "The text contains a special token that is not allowed: <|endoftext|>",
    );
  });
});
