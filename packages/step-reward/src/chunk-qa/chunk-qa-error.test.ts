import { FineMemError } from "@finemem/spec";
import { describe, expect, it } from "vitest";
import { ChunkQaError } from "./chunk-qa-error.js";

describe("ChunkQaError", () => {
  it("is a FineMemError with an empty path and no file, line or chunk unless given", () => {
    const bare = new ChunkQaError("invalid_question", "wrong lists");
    expect(bare).toBeInstanceOf(FineMemError);
    expect(bare).toMatchObject({
      code: "invalid_question",
      message: "wrong lists",
      path: [],
      file: undefined,
      line: undefined,
      chunkId: undefined,
    });
    const cause = new Error("parse");
    const full = new ChunkQaError("corrupt_cache", "bad line", {
      path: [3, "key"],
      cause,
      file: "qa.jsonl",
      line: 3,
      chunkId: "c1",
    });
    expect(full).toMatchObject({
      code: "corrupt_cache",
      path: [3, "key"],
      file: "qa.jsonl",
      line: 3,
      chunkId: "c1",
      cause,
    });
  });
});
