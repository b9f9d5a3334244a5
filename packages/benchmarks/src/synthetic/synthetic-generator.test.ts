import { benchmarkInstanceValidator, ID_PATTERN } from "@finemem/spec";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { matchSyntheticStatement } from "./statement-parser.js";
import { generateSyntheticBenchmark, generateSyntheticInstance } from "./synthetic-generator.js";
import { resolveSyntheticOptions } from "./synthetic-options.js";
import {
  allStatements,
  chunkStatements,
  containmentScore,
  exactReader,
  latestFactMemory,
} from "./test-support/synthetic-readers.js";

const options = fc
  .record({
    seed: fc.oneof(fc.integer(), fc.string({ minLength: 1, maxLength: 12 })),
    chunkCount: fc.integer({ min: 1, max: 16 }),
    factsPerChunk: fc.integer({ min: 1, max: 14 }),
    changedShare: fc.double({ min: 0, max: 1, noNaN: true }),
    distractorShare: fc.double({ min: 0, max: 0.95, noNaN: true }),
    paraphraseShare: fc.double({ min: 0, max: 1, noNaN: true }),
    k: fc.integer({ min: 1, max: 14 }),
  })
  .map(({ k, ...rest }) => ({
    ...rest,
    instanceCount: 1,
    questionsPerChunk: Math.min(k, rest.factsPerChunk),
    changedShare: rest.chunkCount < 2 ? 0 : rest.changedShare,
  }));

describe("generated instances, over random knobs", () => {
  it("are valid, unambiguous, and fully answerable by an exact reader", () => {
    fc.assert(
      fc.property(options, fc.integer({ min: 0, max: 50 }), (input, index) => {
        const instance = generateSyntheticInstance(resolveSyntheticOptions(input), index);
        const result = benchmarkInstanceValidator.validate(instance);
        expect(result.ok, result.ok ? "" : result.error.message).toBe(true);

        const ids = [
          instance.instanceId,
          ...instance.chunks.map((c) => c.id),
          ...instance.questions.map((q) => q.id),
          ...instance.chunkQuestions.flat().map((q) => q.id),
        ];
        for (const id of ids) expect(id).toMatch(ID_PATTERN);
        expect(new Set(ids).size).toBe(ids.length);

        // Every sentence is one fact of exactly one template.
        for (const sentence of allStatements(instance))
          expect(matchSyntheticStatement(sentence), sentence).toHaveLength(1);
        expect(allStatements(instance)).toHaveLength(input.chunkCount * input.factsPerChunk);

        expect(instance.questions.length).toBeGreaterThan(0);
        const memory = latestFactMemory(instance);
        for (const question of instance.questions)
          expect(containmentScore(exactReader(memory, question.question), question.gold)).toBe(1);
        instance.chunks.forEach((chunk, c) => {
          const local = chunkStatements(chunk);
          for (const question of instance.chunkQuestions[c]!)
            expect(containmentScore(exactReader(local, question.question), question.gold)).toBe(1);
        });
      }),
      { numRuns: 150 },
    );
  });

  it("ages only go up when they change", () => {
    for (const instance of generateSyntheticBenchmark({ changedShare: 1, instanceCount: 5 })) {
      for (const question of instance.questions) {
        if (question.metadata?.attribute !== "age" || question.metadata.kind !== "changed") continue;
        expect(Number(question.gold)).toBeGreaterThan(Number(question.metadata.previousValue));
      }
    }
  });

  it("uses both kinds of distractor about equally by default", () => {
    let namesake = 0;
    let sameEntity = 0;
    for (const instance of generateSyntheticBenchmark({ instanceCount: 20 })) {
      const stats = instance.metadata.stats as {
        namesakeDistractors: number;
        sameEntityDistractors: number;
        unrelatedDistractors: number;
      };
      namesake += stats.namesakeDistractors;
      sameEntity += stats.sameEntityDistractors;
      expect(stats.unrelatedDistractors).toBe(0);
    }
    expect(namesake / (namesake + sameEntity)).toBeGreaterThan(0.4);
    expect(namesake / (namesake + sameEntity)).toBeLessThan(0.6);
  });

  it("scales to the largest allowed instance", () => {
    const instance = generateSyntheticInstance(
      resolveSyntheticOptions({ chunkCount: 50, factsPerChunk: 20, distractorShare: 0.9 }),
      0,
    );
    expect(benchmarkInstanceValidator.validate(instance).ok).toBe(true);
    const memory = latestFactMemory(instance);
    for (const question of instance.questions)
      expect(containmentScore(exactReader(memory, question.question), question.gold)).toBe(1);
  });
});
