import { describe, expect, it } from "vitest";
import { balancedEnd, fencedBlocks, parseJsonLeniently } from "./json-extent.js";

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

describe("balancedEnd", () => {
  it("ends after the bracket that closes the one at start, nested ones included", () => {
    // '{"a": {"b": [1]}}' is 17 characters; the value opening at 6 is '{"b": [1]}', ending at 16.
    const text = '{"a": {"b": [1]}} tail';
    expect(balancedEnd(text, 0)).toBe(17);
    expect(balancedEnd(text, 6)).toBe(16);
    expect(balancedEnd("x [1, [2, 3]] y", 2)).toBe(13);
  });

  it("ignores brackets and escaped quotes inside strings", () => {
    // {"a": "}]"} : 11 characters.
    expect(balancedEnd('{"a": "}]"} x', 0)).toBe(11);
    // {"a": "x\"}"} : 13 characters; the \" does not end the string.
    expect(balancedEnd('{"a": "x\\"}"} x', 0)).toBe(13);
  });

  it("is undefined for a value cut off, or closed by the wrong bracket", () => {
    expect(balancedEnd('{"a": [1, 2', 0)).toBeUndefined();
    expect(balancedEnd('{"a": "}', 0)).toBeUndefined();
    expect(balancedEnd('{"a": [1}', 0)).toBeUndefined();
    expect(balancedEnd("[1}", 0)).toBeUndefined();
  });
});

describe("parseJsonLeniently", () => {
  it("parses JSON as it is", () => {
    expect(parseJsonLeniently('{"a": [1]}')).toEqual({ value: { a: [1] } });
    expect(parseJsonLeniently("null")).toEqual({ value: null });
  });

  it("drops trailing commas, before closing brackets only, whitespace allowed", () => {
    expect(parseJsonLeniently('{"a": [1], "b": [2, 3, ],\n}')).toEqual({ value: { a: [1], b: [2, 3] } });
    expect(parseJsonLeniently("[1, 2,]")).toEqual({ value: [1, 2] });
  });

  it("leaves commas and brackets inside strings alone, escaped quotes included", () => {
    expect(parseJsonLeniently('{"a": "x,}", "b": 1,}')).toEqual({ value: { a: "x,}", b: 1 } });
    expect(parseJsonLeniently('{"a": "x\\",}", "b": 1,}')).toEqual({ value: { a: 'x",}', b: 1 } });
  });

  it("is undefined when neither the text nor its repair parses", () => {
    expect(parseJsonLeniently('{"a": }')).toBeUndefined();
    expect(parseJsonLeniently('{"a": "x\\')).toBeUndefined();
    expect(parseJsonLeniently("")).toBeUndefined();
  });
});
