import { chunkValidator, FineMemError } from "@finemem/spec";
import { describe, expect, it } from "vitest";
import { decodeJsonl, encodeJsonlLine, JsonlError } from "./jsonl.js";

describe("JSONL", () => {
  it("round-trips values, one per line, newlines in strings escaped", () => {
    const values = [
      { id: "c1", text: "line one\nline two" },
      { id: "c2", text: "Rogério" },
    ];
    const text = values.map(encodeJsonlLine).join("");
    expect(text.split("\n")).toHaveLength(3);
    expect(decodeJsonl(text, chunkValidator)).toEqual(values);
  });

  it("accepts CRLF, blank lines and a last line without newline", () => {
    expect(decodeJsonl('{"a":1}\r\n\n{"a":2}')).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it("refuses NaN and Infinity instead of writing null", () => {
    expect(() => encodeJsonlLine({ reward: Number.NaN })).toThrow(FineMemError);
    expect(() => encodeJsonlLine({ reward: Number.POSITIVE_INFINITY })).toThrow(/Infinity/);
    expect(() => encodeJsonlLine(undefined)).toThrow(FineMemError);
  });

  it("names the line of malformed JSON", () => {
    const error = catchError(() => decodeJsonl('{"a":1}\n{"a":\n'));
    expect(error).toBeInstanceOf(JsonlError);
    expect((error as JsonlError).code).toBe("invalid_json");
    expect((error as JsonlError).line).toBe(2);
  });

  it("names the line and the validation error of an invalid value", () => {
    const error = catchError(() => decodeJsonl('{"id":"c1","text":"ok"}\n{"id":"c 2","text":"ok"}\n', chunkValidator));
    expect(error).toBeInstanceOf(JsonlError);
    expect((error as JsonlError).code).toBe("invalid_line");
    expect((error as JsonlError).path).toEqual([2]);
    expect(((error as JsonlError).cause as FineMemError).code).toBe("invalid_id");
  });
});

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}
