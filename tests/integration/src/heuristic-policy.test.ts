// The embedded default on the synthetic benchmark, through the public entry points: the heuristic
// policy keeps exactly the latest fact per subject and relation (checked against the benchmark's own
// statement parser, which the policy never sees), and the extractive reader answers every question
// from what it kept. Here rather than in @finemem/policy, which does not depend on @finemem/benchmarks.
import { generateSyntheticBenchmark, parseSyntheticStatement, scoreAnswer } from "@finemem/benchmarks";
import { createInMemoryStore } from "@finemem/memory";
import { createExtractiveReader, createHeuristicPolicy } from "@finemem/policy";
import {
  type BenchmarkInstance,
  type MemoryPolicy,
  type MemoryView,
  type OperationResult,
  type PolicyDecision,
  policyDecisionValidator,
} from "@finemem/spec";
import { splitSentences } from "@finemem/utils";
import { describe, expect, it } from "vitest";

/** Feeds an instance's chunks to a policy through a real in-memory store, one step per chunk. */
async function runPolicyEpisode(
  instance: BenchmarkInstance,
  policy: MemoryPolicy,
): Promise<{ finalView: MemoryView; decisions: PolicyDecision[]; results: OperationResult[][] }> {
  const store = createInMemoryStore({ layout: policy.layout });
  const namespace = { run: instance.instanceId };
  const decisions: PolicyDecision[] = [];
  const results: OperationResult[][] = [];
  for (const [index, chunk] of instance.chunks.entries()) {
    const step = index + 1;
    const decision = await policy.decide({
      step,
      chunk,
      view: await store.view(namespace),
      instanceId: instance.instanceId,
    });
    decisions.push(decision);
    const operations = decision.operations.map((operation, position) => ({
      operationId: `s${step}.${position}`,
      operation,
    }));
    results.push([...(await store.apply({ namespace, step, sourceChunkId: chunk.id, operations }))]);
  }
  const finalView = await store.view(namespace);
  await store.close();
  return { finalView, decisions, results };
}

/** The oracle: the latest sentence per (entity, attribute), in the order the chunks state them. */
function latestFacts(instance: BenchmarkInstance): string[] {
  const latest = new Map<string, string>();
  for (const chunk of instance.chunks) {
    for (const span of splitSentences(chunk.text)) {
      const fact = parseSyntheticStatement(span.text);
      if (fact === undefined) throw new Error(`not a synthetic fact: ${span.text}`);
      latest.set(`${fact.entity}\u0000${fact.attribute}`, span.text);
    }
  }
  return [...latest.values()].sort();
}

describe("the heuristic policy on the synthetic benchmark", () => {
  it("keeps exactly the latest fact per subject and relation on synthetic instances with changed facts", async () => {
    const instances = [0, 1, 2, 3, 4, 5, 6, 7].flatMap((seed) =>
      generateSyntheticBenchmark({ seed, instanceCount: 2 }),
    );
    for (const instance of instances) {
      expect(instance.questions.some((question) => question.metadata?.kind === "changed")).toBe(true);
      const trace = await runPolicyEpisode(instance, createHeuristicPolicy());
      expect(trace.finalView.items.map((item) => item.content).sort()).toEqual(latestFacts(instance));
      for (const results of trace.results) for (const result of results) expect(result.status).toBe("applied");
      for (const decision of trace.decisions) expect(policyDecisionValidator.validate(decision).ok).toBe(true);
    }
  });

  it("holds with heavy namesakes and every fact changing", async () => {
    for (const seed of [11, 12, 13]) {
      for (const instance of generateSyntheticBenchmark({
        seed,
        instanceCount: 1,
        changedShare: 1,
        distractorShare: 0.9,
      })) {
        const trace = await runPolicyEpisode(instance, createHeuristicPolicy());
        expect(trace.finalView.items.map((item) => item.content).sort()).toEqual(latestFacts(instance));
      }
    }
  });
});

describe("the extractive reader on the heuristic policy's memory", () => {
  it("scores 1.0 on synthetic instances where no fact changes", async () => {
    const reader = createExtractiveReader();
    for (const seed of [0, 1, 2]) {
      for (const instance of generateSyntheticBenchmark({ seed, instanceCount: 2, changedShare: 0 })) {
        expect(instance.questions.every((question) => question.metadata?.kind !== "changed")).toBe(true);
        const trace = await runPolicyEpisode(instance, createHeuristicPolicy());
        for (const question of instance.questions) {
          const record = await reader.answer({
            question: { id: question.id, text: question.question, dataSource: instance.dataSource },
            memory: trace.finalView,
          });
          const { score } = await scoreAnswer({
            protocol: instance.protocol,
            dataSource: instance.dataSource,
            prediction: record.answer,
            gold: question.gold,
          });
          expect(score, `${question.question} → ${record.answer}`).toBe(1);
        }
      }
    }
  });
});
