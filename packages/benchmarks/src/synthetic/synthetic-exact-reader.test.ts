import { describe, expect, it } from "vitest";
import { parseSyntheticQuestion } from "./statement-parser.js";
import { generateSyntheticBenchmark } from "./synthetic-generator.js";
import type { SyntheticOptionsInput } from "./synthetic-options.js";
import {
  chunkStatements,
  containmentScore,
  exactReader,
  latestFactMemory,
  mean,
} from "./test-support/synthetic-readers.js";

const SEEDS = [0, 1, 2, 3, 4];
const VARIANTS: readonly SyntheticOptionsInput[] = [
  {},
  { paraphraseShare: 0 },
  { changedShare: 1, distractorShare: 0.5 },
  { changedShare: 0, distractorShare: 0 },
  { chunkCount: 3, factsPerChunk: 5, questionsPerChunk: 5 },
];

describe("an exact reader over a perfect memory answers everything", () => {
  for (const variant of VARIANTS) {
    it(`global questions from the latest facts: ${JSON.stringify(variant)}`, () => {
      for (const seed of SEEDS) {
        for (const instance of generateSyntheticBenchmark({ ...variant, seed })) {
          const memory = latestFactMemory(instance);
          const scores = instance.questions.map((question) =>
            containmentScore(exactReader(memory, question.question), question.gold),
          );
          expect(scores.length).toBeGreaterThan(0);
          expect(mean(scores), instance.instanceId).toBe(1);
          // The metadata names the fact the question is about.
          for (const question of instance.questions) {
            expect(parseSyntheticQuestion(question.question)).toEqual({
              entity: question.metadata?.entity,
              attribute: question.metadata?.attribute,
            });
          }
        }
      }
    });

    it(`each chunk's K questions from that chunk alone: ${JSON.stringify(variant)}`, () => {
      for (const seed of SEEDS) {
        for (const instance of generateSyntheticBenchmark({ ...variant, seed })) {
          instance.chunks.forEach((chunk, c) => {
            const memory = chunkStatements(chunk);
            const questions = instance.chunkQuestions[c]!;
            const scores = questions.map((question) =>
              containmentScore(exactReader(memory, question.question), question.gold),
            );
            expect(mean(scores), chunk.id).toBe(1);
          });
        }
      }
    });
  }

  it("the reader is not trivially right: the stale value fails every changed question", () => {
    for (const instance of generateSyntheticBenchmark()) {
      for (const question of instance.questions.filter((q) => q.metadata?.kind === "changed")) {
        expect(containmentScore(String(question.metadata?.previousValue), question.gold)).toBe(0);
      }
    }
  });
});
