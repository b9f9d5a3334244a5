import { describe, expect, it } from "vitest";
import { isPyDecimalString, isPySpace, isPyWordChar, pyRepr, pySplit, pyStr, pyStrip } from "./python-text.js";

// Expected values are CPython 3.11's. The three character classes were also compared with CPython on
// every code point: whitespace is identical, and `\w` / `\d` differ only on characters assigned after
// Unicode 14 (CPython 3.11's table), which JS already knows.
describe("Python whitespace", () => {
  it("counts \\x1c-\\x1f and \\x85 as whitespace, but not \\ufeff or the zero-width space", () => {
    for (const ch of [
      "\t",
      "\n",
      "\v",
      "\f",
      "\r",
      "\x1c",
      "\x1d",
      "\x1e",
      "\x1f",
      " ",
      "\x85",
      "\xa0",
      "\u1680",
      "\u2000",
      "\u200a",
      "\u2028",
      "\u2029",
      "\u202f",
      "\u205f",
      "\u3000",
    ]) {
      expect(isPySpace(ch), JSON.stringify(ch)).toBe(true);
    }
    for (const ch of ["\ufeff", "\u200b", "\u180e", "a", "_"]) expect(isPySpace(ch), JSON.stringify(ch)).toBe(false);
  });

  it("strips and splits like str.strip() and str.split()", () => {
    expect(pyStrip("\x1f\x85 Paris \u3000\n")).toBe("Paris");
    expect(pyStrip("\ufeffParis\ufeff")).toBe("\ufeffParis\ufeff");
    expect(pySplit("  nel\x85char\tunit\x1fsep  ")).toEqual(["nel", "char", "unit", "sep"]);
    expect(pySplit("zero\u200bwidth")).toEqual(["zero\u200bwidth"]);
    expect(pySplit(" \n ")).toEqual([]);
  });

  it("strips a set of characters from both ends, by code point", () => {
    expect(pyStrip(`"'3'"`, `"'`)).toBe("3");
    expect(pyStrip("😀x😀", "😀")).toBe("x");
    expect(pyStrip("x", "")).toBe("x");
  });
});

describe("Python re classes", () => {
  it("treats Unicode letters and numbers as word characters, combining marks not", () => {
    for (const ch of ["a", "é", "ß", "Ω", "北", "_", "٣", "²", "½", "Ⅻ"]) expect(isPyWordChar(ch), ch).toBe(true);
    for (const ch of ["\u0301", "\u093f", "-", "'", " ", "’"]) expect(isPyWordChar(ch), JSON.stringify(ch)).toBe(false);
  });

  it("takes every Unicode decimal digit for \\d, but not other numbers", () => {
    expect(isPyDecimalString("123")).toBe(true);
    expect(isPyDecimalString("١٢")).toBe(true);
    expect(isPyDecimalString("３")).toBe(true);
    expect(isPyDecimalString("²")).toBe(false);
    expect(isPyDecimalString("Ⅻ")).toBe(false);
    expect(isPyDecimalString("")).toBe(false);
    expect(isPyDecimalString("3\n")).toBe(false);
  });
});

describe("str() and repr() of JSON values", () => {
  it("prints like CPython", () => {
    expect(pyRepr("a'b")).toBe(`"a'b"`);
    expect(pyRepr('a"b')).toBe(`'a"b'`);
    expect(pyRepr("a'\"b")).toBe(`'a\\'"b'`);
    expect(pyRepr("tab\t\n\r")).toBe("'tab\\t\\n\\r'");
    expect(pyRepr("\x00\x7f\x85\xa0\u200b\u2028\ufeff😀")).toBe("'\\x00\\x7f\\x85\\xa0\\u200b\\u2028\\ufeff😀'");
    expect([3, 1.5, 1e-5, 0.0001, -2.5e-7].map(pyRepr)).toEqual(["3", "1.5", "1e-05", "0.0001", "-2.5e-07"]);
    expect(pyRepr(null)).toBe("None");
    expect(pyRepr(true)).toBe("True");
    expect(pyRepr([1, "x", null])).toBe("[1, 'x', None]");
    expect(pyRepr({ text: "a", n: [1.25] })).toBe("{'text': 'a', 'n': [1.25]}");
  });

  it("str() leaves strings as they are", () => {
    expect(pyStr("it's")).toBe("it's");
    expect(pyStr(42)).toBe("42");
  });
});
