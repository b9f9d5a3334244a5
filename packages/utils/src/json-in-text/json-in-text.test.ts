import { describe, expect, it } from "vitest";
import { fencedBlocks } from "./code-fence.js";
import { readJsonAt, readJsonText } from "./read-json.js";

describe("fencedBlocks", () => {
  it("gives the body of every fence, with or without a language tag, in order", () => {
    const text = 'Intro\n```json\n{"a": 1,\n "b": 2}\n```\nthen\n```\n[3, 4]\n```\nend';
    expect(fencedBlocks(text)).toEqual(['{"a": 1,\n "b": 2}\n', "[3, 4]\n"]);
  });

  it("reads an unclosed final fence up to the end", () => {
    expect(fencedBlocks('```json\n{"pairs": [{"q"')).toEqual(['{"pairs": [{"q"']);
  });

  it("skips empty and blank fences, and finds none in plain text", () => {
    expect(fencedBlocks("```\n\n```\n```text\n  ok  \n```")).toEqual(["  ok  \n"]);
    expect(fencedBlocks("```json\n   \n```")).toEqual([]);
    expect(fencedBlocks("no fence at all")).toEqual([]);
  });
});

// Worked examples of where a value ends and what is read from it, ported from the chunk-QA parser's own
// bracket balancer and trailing-comma parser, which this reader replaced.
describe("readJsonAt: where a value inside text ends", () => {
  const end = (text: string, start: number) => {
    const result = readJsonAt(text, start);
    return result.ok ? result.end : undefined;
  };

  it("ends after the bracket that closes the one at start, nested ones included", () => {
    // '{"a": {"b": [1]}}' is 17 characters; the value opening at 6 is '{"b": [1]}', ending at 16.
    const text = '{"a": {"b": [1]}} tail';
    expect(end(text, 0)).toBe(17);
    expect(end(text, 6)).toBe(16);
    expect(end("x [1, [2, 3]] y", 2)).toBe(13);
  });

  it("ignores brackets and escaped quotes inside strings", () => {
    // {"a": "}]"} : 11 characters.
    expect(end('{"a": "}]"} x', 0)).toBe(11);
    // {"a": "x\"}"} : 13 characters; the \" does not end the string.
    expect(end('{"a": "x\\"}"} x', 0)).toBe(13);
  });

  it("reads nothing from a value cut off, or closed by the wrong bracket", () => {
    expect(readJsonAt('{"a": [1, 2', 0)).toMatchObject({ ok: false, reason: "truncated" });
    expect(readJsonAt('{"a": "}', 0)).toMatchObject({ ok: false, reason: "truncated" });
    expect(readJsonAt('{"a": [1}', 0)).toMatchObject({ ok: false, reason: "malformed_json" });
    expect(readJsonAt("[1}", 0)).toMatchObject({ ok: false, reason: "malformed_json" });
  });
});

describe("readJsonText: one value", () => {
  it("parses JSON as it is", () => {
    expect(readJsonText('{"a": [1]}')).toEqual({ ok: true, value: { a: [1] }, end: 10, repairs: [] });
    expect(readJsonText("null")).toEqual({ ok: true, value: null, end: 4, repairs: [] });
  });

  it("drops trailing commas, before closing brackets only, whitespace allowed", () => {
    expect(readJsonText('{"a": [1], "b": [2, 3, ],\n}')).toMatchObject({
      ok: true,
      value: { a: [1], b: [2, 3] },
      repairs: ["trailing_commas"],
    });
    expect(readJsonText("[1, 2,]")).toMatchObject({ ok: true, value: [1, 2], repairs: ["trailing_commas"] });
  });

  it("leaves commas and brackets inside strings alone, escaped quotes included", () => {
    expect(readJsonText('{"a": "x,}", "b": 1,}')).toMatchObject({ ok: true, value: { a: "x,}", b: 1 } });
    expect(readJsonText('{"a": "x\\",}", "b": 1,}')).toMatchObject({ ok: true, value: { a: 'x",}', b: 1 } });
  });

  it("reads nothing when the text is no value even after repairs", () => {
    expect(readJsonText('{"a": }')).toMatchObject({ ok: false, reason: "malformed_json" });
    expect(readJsonText('{"a": "x\\')).toMatchObject({ ok: false, reason: "truncated" });
    expect(readJsonText("")).toMatchObject({ ok: false, reason: "truncated" });
  });
});
