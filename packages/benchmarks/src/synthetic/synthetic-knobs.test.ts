import type { BenchmarkInstance } from "@finemem/spec";
import { describe, expect, it } from "vitest";
import { type ParsedStatement, parseSyntheticStatement } from "./statement-parser.js";
import { generateSyntheticBenchmark } from "./synthetic-generator.js";
import { chunkStatements } from "./test-support/synthetic-readers.js";

/** Each chunk's facts, read from its text. */
function facts(instance: BenchmarkInstance): ParsedStatement[][] {
  return instance.chunks.map((chunk) => chunkStatements(chunk).map((sentence) => parseSyntheticStatement(sentence)!));
}

/** The statements restating an earlier (entity, attribute): the changes, read from the text. */
function updates(instance: BenchmarkInstance): ParsedStatement[] {
  const seen = new Set<string>();
  const out: ParsedStatement[] = [];
  for (const fact of facts(instance).flat()) {
    const key = `${fact.entity}\u0000${fact.attribute}`;
    if (seen.has(key)) out.push(fact);
    seen.add(key);
  }
  return out;
}

describe("difficulty knobs do what they say", () => {
  it("chunkCount, factsPerChunk and questionsPerChunk shape every instance", () => {
    for (const [chunkCount, factsPerChunk, questionsPerChunk] of [
      [10, 8, 5],
      [3, 5, 5],
      [12, 10, 3],
      [1, 4, 2],
    ] as const) {
      const changedShare = chunkCount === 1 ? 0 : 0.5;
      for (const instance of generateSyntheticBenchmark({
        chunkCount,
        factsPerChunk,
        questionsPerChunk,
        changedShare,
        instanceCount: 3,
      })) {
        expect(instance.chunks).toHaveLength(chunkCount);
        expect(instance.chunkQuestions).toHaveLength(chunkCount);
        for (const chunkFacts of facts(instance)) {
          expect(chunkFacts).toHaveLength(factsPerChunk);
          // Each (entity, attribute) at most once per chunk, so each question has one answer there.
          expect(new Set(chunkFacts.map((fact) => `${fact.entity}/${fact.attribute}`)).size).toBe(factsPerChunk);
        }
        for (const questions of instance.chunkQuestions) {
          expect(questions).toHaveLength(questionsPerChunk);
          expect(new Set(questions.map((question) => question.question)).size).toBe(questionsPerChunk);
        }
      }
    }
  });

  it("changedShare is honoured: changed / questioned facts, and a change always comes later", () => {
    for (const changedShare of [0, 0.25, 0.5, 0.75, 1]) {
      for (const instance of generateSyntheticBenchmark({ changedShare, instanceCount: 3 })) {
        const changed = instance.questions.filter((question) => question.metadata?.kind === "changed").length;
        const realized = changed / instance.questions.length;
        expect(Math.abs(realized - changedShare), `changedShare ${changedShare}: ${realized}`).toBeLessThanOrEqual(
          0.03,
        );
        expect(instance.competency).toBe(changedShare === 0 ? "AR" : "CR");
        expect(updates(instance)).toHaveLength(changed);
        const chunkIndex = new Map(instance.chunks.map((chunk, index) => [chunk.id, index]));
        for (const question of instance.questions.filter((q) => q.metadata?.kind === "changed")) {
          expect(chunkIndex.get(String(question.metadata?.factChunk))!).toBeGreaterThan(
            chunkIndex.get(String(question.metadata?.originalChunk))!,
          );
        }
      }
    }
  });

  it("distractorShare sets how many sentences are about facts nobody asks globally", () => {
    for (const distractorShare of [0, 0.25, 0.5, 0.9]) {
      for (const instance of generateSyntheticBenchmark({ distractorShare, instanceCount: 2 })) {
        const asked = new Set(
          instance.questions.map((question) => `${question.metadata?.entity}\u0000${question.metadata?.attribute}`),
        );
        const sentences = facts(instance).flat();
        const distractors = sentences.filter((fact) => !asked.has(`${fact.entity}\u0000${fact.attribute}`)).length;
        expect(distractors).toBe(Math.round(sentences.length * distractorShare));
        expect(instance.metadata.stats).toMatchObject({ distractorStatements: distractors });
      }
    }
  });

  it("distractors share subject words with questioned entities", () => {
    let sharing = 0;
    let total = 0;
    for (const instance of generateSyntheticBenchmark()) {
      const askedEntities = new Set(instance.questions.map((question) => String(question.metadata?.entity)));
      const askedWords = new Set([...askedEntities].flatMap((entity) => entity.split(" ")));
      const asked = new Set(
        instance.questions.map((question) => `${question.metadata?.entity}\u0000${question.metadata?.attribute}`),
      );
      for (const fact of facts(instance).flat()) {
        if (asked.has(`${fact.entity}\u0000${fact.attribute}`)) continue;
        total += 1;
        if (askedEntities.has(fact.entity) || fact.entity.split(" ").some((word) => askedWords.has(word))) sharing += 1;
      }
    }
    expect(total).toBe(100);
    // Namesakes and same-entity attributes, by construction (unrelated facts are only a fallback).
    expect(sharing).toBe(total);
  });

  it("paraphraseShare 0: a change reuses the original template; 1: it never does; same facts either way", () => {
    const plain = generateSyntheticBenchmark({ paraphraseShare: 0 });
    const paraphrased = generateSyntheticBenchmark({ paraphraseShare: 1 });
    const half = generateSyntheticBenchmark({ paraphraseShare: 0.5, instanceCount: 20 });
    for (const instance of plain) for (const update of updates(instance)) expect(update.template).toBe("original");
    for (const instance of paraphrased)
      for (const update of updates(instance)) expect(update.template).not.toBe("original");
    const halfUpdates = half.flatMap(updates);
    const share = halfUpdates.filter((update) => update.template !== "original").length / halfUpdates.length;
    expect(share).toBeGreaterThan(0.4);
    expect(share).toBeLessThan(0.6);
    // The knob flips templates only: the same facts and values in the same places.
    plain.forEach((instance, index) => {
      const strip = (rows: ParsedStatement[][]): unknown =>
        rows.map((row) => row.map(({ entity, attribute, value }) => ({ entity, attribute, value })));
      expect(strip(facts(paraphrased[index]!))).toEqual(strip(facts(instance)));
      expect(paraphrased[index]!.questions.map((q) => q.gold)).toEqual(instance.questions.map((q) => q.gold));
    });
  });

  it("every knob and the seed are recorded in metadata and provenance", () => {
    const options = {
      seed: "knobs",
      instanceCount: 2,
      chunkCount: 9,
      factsPerChunk: 7,
      questionsPerChunk: 4,
      changedShare: 0.4,
      distractorShare: 0.3,
      paraphraseShare: 0.6,
    };
    const [instance] = generateSyntheticBenchmark(options);
    expect(instance!.metadata).toMatchObject({ seed: "knobs", instanceIndex: 0, generatorVersion: 2, options });
    expect(instance!.protocol).toBe("memoryagentbench");
    expect(instance!.dataSource).toBe("synthetic");
    expect(instance!.source).toEqual({
      repo: "synthetic",
      revision: "generator-v2",
      file: '{"changedShare":0.4,"chunkCount":9,"distractorShare":0.3,"factsPerChunk":7,"generatorVersion":2,"paraphraseShare":0.6,"questionsPerChunk":4,"seed":"knobs"}',
      sha256: null,
      row: 0,
    });
  });

  it("golds are short single values", () => {
    for (const instance of generateSyntheticBenchmark()) {
      for (const question of [...instance.questions, ...instance.chunkQuestions.flat()]) {
        expect(question.gold).toMatch(/^[A-Za-z0-9]{2,14}$/);
      }
    }
  });
});
