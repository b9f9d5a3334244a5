import { describe, expect, it } from "vitest";
import { chars, choice, codeRange, literal, maxLength, renderGbnf, repeat, rule, sequence, toRegExp } from "./gbnf.js";

describe("gbnf", () => {
  const digit = rule("digit", chars(codeRange("0", "9")));
  const number = rule("number", sequence(digit, repeat(digit, 0, 2)));
  const grammar = sequence(literal('{"n":'), choice(number, literal('"none"')), literal("}"));

  it("renders each named rule once, characters as \\x escapes, quotes escaped", () => {
    expect(renderGbnf(grammar)).toBe(
      [
        'root ::= "{\\"n\\":" (number | "\\"none\\"") "}"',
        "digit ::= [\\x30-\\x39]",
        "number ::= digit digit{0,2}",
        "",
      ].join("\n"),
    );
  });

  it("knows the longest text it matches", () => {
    expect(maxLength(grammar)).toBe(5 + 6 + 1);
    expect(maxLength(repeat(sequence(literal("ab"), chars([0x63])), 1, 4))).toBe(12);
  });

  it("matches the same texts as its regular expression", () => {
    const pattern = toRegExp(grammar);
    for (const text of ['{"n":7}', '{"n":123}', '{"n":"none"}']) expect(pattern.test(text)).toBe(true);
    for (const text of ['{"n":}', '{"n":1234}', '{"n":none}', '{"n":7} ']) expect(pattern.test(text)).toBe(false);
  });

  it("drops an empty repetition and refuses what GBNF cannot say here", () => {
    expect(renderGbnf(sequence(literal("a"), repeat(literal("b"), 0, 0)))).toBe('root ::= "a"\n');
    expect(() => literal("é")).toThrow(RangeError);
    expect(() => literal("a\nb")).toThrow(RangeError);
    expect(() => chars([])).toThrow(RangeError);
    expect(() => repeat(literal("a"), 2, 1)).toThrow(RangeError);
    expect(() => rule("root", literal("a"))).toThrow(RangeError);
  });
});
