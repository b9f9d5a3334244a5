import { generateSyntheticBenchmark } from "@finemem/benchmarks";
import type { ChunkQuestion } from "@finemem/spec";
import { describe, expect, it } from "vitest";
import { ChunkQaError } from "./chunk-qa-error.js";
import { withChunkQuestions } from "./with-chunk-questions.js";

const [instance] = generateSyntheticBenchmark({ seed: 3, instanceCount: 1 });

describe("withChunkQuestions", () => {
  it("returns a copy with the chunk questions replaced, leaving the original alone", () => {
    const questions = instance!.chunks.map((chunk) => [
      { id: `${chunk.id}.q0`, question: `What is in ${chunk.id}?`, gold: "x" },
    ]);
    const before = structuredClone(instance!.chunkQuestions);
    const updated = withChunkQuestions(instance!, questions);
    expect(updated.chunkQuestions).toEqual(questions);
    expect(updated.chunks).toEqual(instance!.chunks);
    expect(updated.questions).toEqual(instance!.questions);
    expect(instance!.chunkQuestions).toEqual(before);
  });

  it("refuses a list count that does not match the chunks, or no list at all", () => {
    const chunks = instance!.chunks.length;
    expect(() => withChunkQuestions(instance!, [[]])).toThrow(
      expect.objectContaining({ code: "invalid_question", path: ["chunkQuestions"] }),
    );
    expect(() => withChunkQuestions(instance!, [[]])).toThrow(
      `instance "${instance!.instanceId}": expected one question list per chunk (${chunks}), got 1 lists`,
    );
    const tooMany = Array.from({ length: chunks + 1 }, () => []);
    expect(() => withChunkQuestions(instance!, tooMany)).toThrow(`got ${chunks + 1} lists`);
    const notAList = "c1.q0" as unknown as ChunkQuestion[][];
    expect(() => withChunkQuestions(instance!, notAList)).toThrow(
      expect.objectContaining({ code: "invalid_question", path: ["chunkQuestions"] }),
    );
    expect(() => withChunkQuestions(instance!, notAList)).toThrow(/got not an array$/);
  });

  it("refuses a malformed question, naming its path", () => {
    const questions = instance!.chunks.map(() => [] as { id: string; question: string; gold: string }[]);
    questions[1] = [{ id: "bad id", question: "Who?", gold: "x" }];
    let error: unknown;
    try {
      withChunkQuestions(instance!, questions);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ChunkQaError);
    expect(error).toMatchObject({ code: "invalid_question", path: ["chunkQuestions", 1, 0, "id"] });
    expect((error as Error).message).toMatch(new RegExp(`^instance "${instance!.instanceId}": \\S`));
  });
});
