/**
 * Test-only helpers for the synthetic benchmark: a containment scorer and an "exact reader". Not
 * exported from the package; they read instances through their TEXT (via the statement parser), as
 * a model would, never through the generator's internal records.
 */
import type { BenchmarkInstance, Chunk, Gold } from "@finemem/spec";
import { postProcess } from "../../metrics/memoryagentbench-scorer.js";
import { memoryAgentBenchPrimaryMetric } from "../../metrics/metric-router.js";
import { parseSyntheticQuestion, parseSyntheticStatement, splitSyntheticSentences } from "../statement-parser.js";
import { SYNTHETIC_DATA_SOURCE } from "../synthetic-generator.js";

/**
 * The score the metric router gives a synthetic answer: MemoryAgentBench's `post_process` on data
 * source "synthetic" (its default route), read at the figure the router scores that route by
 * (substring exact match of the normalised gold). Synchronous, for use inside property tests.
 */
export function containmentScore(prediction: string, gold: Gold): number {
  const { metrics } = postProcess(SYNTHETIC_DATA_SOURCE, prediction, gold);
  return Number(metrics[memoryAgentBenchPrimaryMetric(SYNTHETIC_DATA_SOURCE)]);
}

/** Every fact sentence of the instance, in the order the chunks state them. */
export function allStatements(instance: BenchmarkInstance): string[] {
  return instance.chunks.flatMap((chunk) => splitSyntheticSentences(chunk.text));
}

/** The sentences of one chunk. */
export function chunkStatements(chunk: Chunk): string[] {
  return splitSyntheticSentences(chunk.text);
}

/**
 * The memory a perfect manager would hold after the last chunk: one sentence per (entity, attribute),
 * the latest one (an INSERT for a new fact, an UPDATE in place for a change).
 */
export function latestFactMemory(instance: BenchmarkInstance): string[] {
  const latest = new Map<string, string>();
  for (const sentence of allStatements(instance)) {
    const fact = parseSyntheticStatement(sentence);
    if (fact === undefined) throw new Error(`not a synthetic fact: ${sentence}`);
    latest.set(`${fact.entity}\u0000${fact.attribute}`, sentence);
  }
  return [...latest.values()];
}

/**
 * Answers a question from memory the way an ideal reasoning agent would: finds the item about the
 * question's entity and attribute and answers with its value ("" when memory has none).
 */
export function exactReader(memory: readonly string[], question: string): string {
  const asked = parseSyntheticQuestion(question);
  if (asked === undefined) throw new Error(`not a synthetic question: ${question}`);
  let answer = "";
  for (const item of memory) {
    const fact = parseSyntheticStatement(item);
    if (fact?.entity === asked.entity && fact.attribute === asked.attribute) answer = fact.value;
  }
  return answer;
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length;
}
