import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { strictJsonExtent } from "./json-extent.js";
import { MAX_JSON_DEPTH, readLenientJson } from "./lenient-json.js";
import { readJsonAt, readJsonText } from "./read-json.js";

const containerArbitrary = fc.oneof(
  fc.array(fc.jsonValue(), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue(), { maxKeys: 5 }),
);
const containerText = fc
  .tuple(containerArbitrary, fc.constantFrom(undefined, 2))
  .map(([value, indent]) => JSON.stringify(value, null, indent));

describe("strict JSON", () => {
  it("the lenient reader reads strict JSON exactly as JSON.parse does, repairing nothing", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(undefined, 1), (value, indent) => {
        const text = JSON.stringify(value, null, indent);
        const result = readLenientJson(text, 0);
        expect(result).toMatchObject({ ok: true, end: text.length, repairs: [] });
        expect(result.ok && JSON.stringify(result.value)).toBe(JSON.stringify(JSON.parse(text)));
      }),
      { numRuns: 500 },
    );
  });

  it("readJsonAt finds where a value ends inside longer text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 10 }), containerText, fc.string({ maxLength: 10 }), (before, json, after) => {
        // Both ways of finding the end: the cheap bracket balancer, and the exact recognizer that takes
        // over once the balancer's budget is spent.
        for (const budget of [undefined, { remaining: 0 }]) {
          const result = readJsonAt(before + json + after, before.length, budget);
          expect(result).toMatchObject({ ok: true, end: before.length + json.length, repairs: [] });
          expect(result.ok && result.value).toStrictEqual(JSON.parse(json));
        }
      }),
      { numRuns: 500 },
    );
  });

  it("strictJsonExtent only accepts what JSON.parse accepts", () => {
    const piece = fc.constantFrom(
      "{",
      "}",
      "[",
      "]",
      '"',
      "\\",
      ":",
      ",",
      " ",
      "1",
      "-",
      ".",
      "e",
      "true",
      "nul",
      "'",
      "a",
      '"k"',
      "\\u12",
      "\n",
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        const text = `{${pieces.join("")}`;
        const end = strictJsonExtent(text, 0);
        if (end !== -1) expect(() => JSON.parse(text.slice(0, end))).not.toThrow();
      }),
      { numRuns: 2000 },
    );
  });

  it("every proper prefix of an object or array is truncated", () => {
    fc.assert(
      fc.property(containerText, fc.nat(), (json, cut) => {
        const prefix = json.slice(0, cut % json.length);
        if (prefix.length === 0) return;
        expect(readLenientJson(prefix, 0)).toMatchObject({ ok: false, reason: "truncated" });
        expect(readJsonAt(prefix, 0)).toMatchObject({ ok: false, reason: "truncated" });
        expect(readJsonAt(prefix, 0, { remaining: 0 })).toMatchObject({ ok: false, reason: "truncated" });
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps "__proto__" as an ordinary key', () => {
    const result = readLenientJson("{'__proto__': {'polluted': 1}}", 0);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(Object.keys(result.value as object)).toStrictEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("repairs", () => {
  it.each([
    ["{'a': 'it\\'s \"x\"'}", { a: `it's "x"` }, ["single_quoted_strings"]],
    ["{a: 1, $b_c-d: 2}", { a: 1, "$b_c-d": 2 }, ["unquoted_keys"]],
    ["[1, 2, ]", [1, 2], ["trailing_commas"]],
    ['{"a": [True, False, None]}', { a: [true, false, null] }, ["python_literals"]],
    ['"a\nb\u0000"', "a\nb\u0000", ["raw_control_characters"]],
    ['"\\\' \\d \\uZZ \\\n"', "' d uZZ \n", ["invalid_escapes"]],
    ['"\\ud83d\\ude00 \\u00e9"', "😀 é", []],
  ])("%j", (text, value, repairs) => {
    expect(readLenientJson(text, 0)).toMatchObject({ ok: true, value, repairs });
  });

  it("readJsonText allows whitespace around one value, nothing else", () => {
    expect(readJsonText('  {"a": 1}\n')).toMatchObject({ ok: true, value: { a: 1 }, repairs: [] });
    expect(readJsonText("{a: 1,}  ")).toMatchObject({
      ok: true,
      value: { a: 1 },
      repairs: ["unquoted_keys", "trailing_commas"],
    });
    expect(readJsonText("{a: 1} x")).toMatchObject({ ok: false, reason: "malformed_json" });
    expect(readJsonText("   ")).toMatchObject({ ok: false, reason: "truncated" });
  });
});

describe("failures", () => {
  it.each([
    ['{"a": 1', "truncated"],
    ['{"a": "b', "truncated"],
    ['{"a": "\\', "truncated"],
    ["{'a': tr", "truncated"],
    ["[1, -", "truncated"],
    ["[1, 2e", "truncated"],
    ['{"a" 1}', "malformed_json"],
    ['{"a": 1 "b": 2}', "malformed_json"],
    ["{a: bare}", "malformed_json"],
    ["[01]", "malformed_json"],
    ["{: 1}", "malformed_json"],
  ])("%j is %s", (text, reason) => {
    expect(readLenientJson(text, 0)).toMatchObject({ ok: false, reason });
  });

  it(`refuses nesting deeper than ${MAX_JSON_DEPTH} levels without throwing`, () => {
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    expect(readJsonAt(deep, 0)).toMatchObject({ ok: false, reason: "malformed_json" });
    expect(readJsonAt(deep, 0, { remaining: 0 })).toMatchObject({ ok: false, reason: "malformed_json" });
    const limit = `${"[".repeat(MAX_JSON_DEPTH)}${"]".repeat(MAX_JSON_DEPTH)}`;
    expect(readJsonAt(limit, 0)).toMatchObject({ ok: true, repairs: [] });
    expect(readLenientJson(limit, 0)).toMatchObject({ ok: true, repairs: [] });
    expect(readLenientJson(`[${limit}]`, 0)).toMatchObject({ ok: false, reason: "malformed_json" });
  });
});
