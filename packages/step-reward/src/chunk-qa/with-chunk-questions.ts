import { type BenchmarkInstance, benchmarkInstanceValidator, type ChunkQuestion } from "@finemem/spec";
import { ChunkQaError } from "./chunk-qa-error.js";

/**
 * A copy of `instance` with its chunk questions replaced by `questions` (one list per chunk, as
 * `build` returns them). The result is checked as a whole, so a list count that does not match the
 * chunks, or a malformed question, is caught here rather than in the middle of training.
 *
 * @throws {ChunkQaError} `invalid_question`, with the path of the bad field inside the instance
 */
export function withChunkQuestions(
  instance: BenchmarkInstance,
  questions: readonly (readonly ChunkQuestion[])[],
): BenchmarkInstance {
  if (!Array.isArray(questions) || questions.length !== instance.chunks.length) {
    const count = Array.isArray(questions) ? `${questions.length} lists` : "not an array";
    throw new ChunkQaError(
      "invalid_question",
      `instance "${instance.instanceId}": expected one question list per chunk (${instance.chunks.length}), got ${count}`,
      {
        path: ["chunkQuestions"],
      },
    );
  }
  const result = benchmarkInstanceValidator.validate({
    ...instance,
    chunkQuestions: questions.map((list) => [...list]),
  });
  if (!result.ok) {
    throw new ChunkQaError("invalid_question", `instance "${instance.instanceId}": ${result.error.message}`, {
      path: result.error.path,
      cause: result.error,
    });
  }
  return result.value;
}
