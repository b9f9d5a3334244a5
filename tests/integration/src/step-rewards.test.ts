// Fine-Mem's rewards over real components: synthetic instances, the real store (its provenance φ),
// the extractive reader, the benchmark's metric router, the step scorer, the attributor and the
// composer. The step reward sees facts a policy kept and misses facts it skipped; a whole episode's
// step records validate as the run log's lines and keep the attribution's conservation law.
import { createMetric, generateSyntheticBenchmark, scoreAnswer } from "@finemem/benchmarks";
import { attributeEpisode, explainCredit, leaveOneOutEvidence, subsampleQuestions } from "@finemem/evidence";
import { createInMemoryStore } from "@finemem/memory";
import { createExtractiveReader, createHeuristicPolicy } from "@finemem/policy";
import {
  type BenchmarkInstance,
  type EvidenceRecord,
  type MemoryOperation,
  type MemoryPolicy,
  type OperationResult,
  type PolicyDecision,
  SPECIFICATION_VERSION,
  stepRecordValidator,
} from "@finemem/spec";
import { composeStepRewards, compressionReward, createChunkStepScorer, formatReward } from "@finemem/step-reward";
import { createSeededRandom, encodeJsonlLine, splitSentences } from "@finemem/utils";
import { describe, expect, it } from "vitest";

/** Inserts the sentences of each chunk that `keep` selects (all of them by default): a policy that stores every fact, or one that skips some. */
function sentencePolicy(keep: (sentenceIndex: number) => boolean = () => true): MemoryPolicy {
  return {
    specificationVersion: SPECIFICATION_VERSION,
    policyId: "sentences",
    layout: "flat",
    async decide({ chunk }) {
      const operations: MemoryOperation[] = splitSentences(chunk.text)
        .filter((_, index) => keep(index))
        .map((span) => ({ type: "INSERT", content: span.text }));
      const chosen = operations.length === 0 ? [{ type: "SKIP" } as const] : operations;
      return {
        operations: chosen,
        parseOutcomes: chosen.map((_, index) => ({
          fragment: index,
          status: "parsed" as const,
          operationIndex: index,
          repairs: [],
        })),
        rawOutput: "",
        actionLogprob: null,
      };
    },
  };
}

interface Step {
  readonly decision: PolicyDecision;
  readonly results: readonly OperationResult[];
  readonly chunkScore: number | null;
}

async function runEpisode(instance: BenchmarkInstance, policy: MemoryPolicy) {
  const store = createInMemoryStore({ layout: policy.layout });
  const namespace = { run: instance.instanceId };
  const reader = createExtractiveReader();
  const scorer = createChunkStepScorer({ reasoner: reader });
  const steps: Step[] = [];
  for (const [index, chunk] of instance.chunks.entries()) {
    const step = index + 1;
    const decision = await policy.decide({ step, chunk, view: await store.view(namespace) });
    const results = await store.apply({
      namespace,
      step,
      sourceChunkId: chunk.id,
      operations: decision.operations.map((operation, position) => ({
        operationId: `s${step}.${position}`,
        operation,
      })),
    });
    const { score } = await scorer.scoreStep({
      step,
      questions: instance.chunkQuestions[index]!,
      memory: await store.view(namespace),
    });
    steps.push({ decision, results, chunkScore: score });
  }
  const finalView = await store.view(namespace);
  const records: EvidenceRecord[] = [];
  for (const question of instance.questions) {
    const record = await reader.answer({
      question: { id: question.id, text: question.question, dataSource: instance.dataSource },
      memory: finalView,
    });
    const { score } = await scoreAnswer({
      protocol: instance.protocol,
      dataSource: instance.dataSource,
      prediction: record.answer,
      gold: question.gold,
    });
    records.push({ ...record, score });
  }
  return { store, namespace, steps, finalView, records, reader };
}

const [instance] = generateSyntheticBenchmark({ seed: 3, instanceCount: 1 });

describe("the chunk-level step reward on a synthetic instance (extractive reader)", () => {
  // No fact changes value here: a policy that appends every sentence then holds no stale statement
  // that could outrank the current one, so a wrong answer can only come from a fact it skipped.
  const [stable] = generateSyntheticBenchmark({ seed: 3, instanceCount: 1, changedShare: 0 });

  it("is 1 at every step for a policy that stores every fact, and lower for one that skips facts", async () => {
    const everything = await runEpisode(stable!, sentencePolicy());
    expect(everything.steps.map((step) => step.chunkScore)).toEqual(stable!.chunks.map(() => 1));

    const skipping = await runEpisode(
      stable!,
      sentencePolicy((index) => index % 2 === 0),
    );
    const scores = skipping.steps.map((step) => step.chunkScore!);
    const mean = scores.reduce((sum, score) => sum + score, 0) / scores.length;
    expect(mean).toBeLessThan(0.9);
    expect(scores.every((score) => score < 1)).toBe(true);
    console.log(
      `r_chunk: every fact 1.000 at all ${scores.length} steps; every other sentence ${mean.toFixed(3)} (min ${Math.min(...scores).toFixed(3)})`,
    );
  });
});

describe("a whole episode's rewards (heuristic policy, real store)", () => {
  it("composes every component per step; the records are valid run-log lines; Σ r_EARA = r_global − β·U", async () => {
    const run = await runEpisode(instance!, createHeuristicPolicy());
    const steps = instance!.chunks.length;
    const attribution = await attributeEpisode({
      store: run.store,
      namespace: run.namespace,
      steps,
      evidence: run.records,
    });
    expect(attribution.global).toBeGreaterThan(0.8);
    const total = attribution.eara.reduce((sum, value) => sum + value, 0);
    expect(Math.abs(total - (attribution.global - attribution.beta * attribution.unattributed))).toBeLessThan(1e-12);
    // Every evidence item is in M_T and was written by a step of the episode, so nothing is unattributed.
    expect(attribution.unattributed).toBeLessThan(1e-12);

    const memoryTokens = run.store.tokens.view(run.finalView);
    const chunkTokens = instance!.chunks.map((chunk) => run.store.tokens.text(chunk.text));
    const compression = compressionReward({ memoryTokens, chunkTokens });
    expect(compression).toBeGreaterThan(0);
    const rewards = composeStepRewards(
      run.steps.map((step, index) => ({
        format: formatReward(step.decision, step.results).score,
        chunk: step.chunkScore,
        evidence: attribution.evidence[index]!,
        eara: attribution.eara[index]!,
      })),
      { compression },
    );
    const lines = run.steps.map((step, index) =>
      encodeJsonlLine(
        stepRecordValidator.parse({
          runId: "run-1",
          instanceId: instance!.instanceId,
          rollout: 0,
          step: index + 1,
          chunkId: instance!.chunks[index]!.id,
          operations: step.decision.operations.map((operation, position) => ({
            operationId: `s${index + 1}.${position}`,
            operation,
          })),
          results: step.results,
          parseOutcomes: step.decision.parseOutcomes,
          actionLogprob: step.decision.actionLogprob,
          rewards: rewards[index]!,
        }),
      ),
    );
    expect(lines).toHaveLength(steps);
    for (const reward of rewards) {
      expect(reward.total).toBeCloseTo(reward.eara! + reward.format! + 0.5 * reward.chunk! + 0.05 * compression, 12);
    }
    // The explanation accounts for each step's evidence credit.
    const explanation = explainCredit(attribution.input);
    explanation.steps.forEach((step, index) => {
      expect(step.lines.reduce((sum, line) => sum + line.amount, 0)).toBeCloseTo(attribution.evidence[index]!, 12);
    });
    console.log(
      `episode: T=${steps}, r_global ${attribution.global.toFixed(3)}, U ${attribution.unattributed.toFixed(3)}, r_comp ${compression.toFixed(3)}, ` +
        `r(t) ${rewards.map((reward) => reward.total.toFixed(3)).join(" ")}`,
    );
  });

  it("the training subsample scores 20% of the questions, and its attribution conserves its own r_global", async () => {
    const run = await runEpisode(instance!, createHeuristicPolicy());
    const sampled = subsampleQuestions(run.records, { seed: createSeededRandom("run-1").fork(instance!.instanceId) });
    expect(sampled).toHaveLength(Math.round(run.records.length * 0.2));
    const attribution = await attributeEpisode({
      store: run.store,
      namespace: run.namespace,
      steps: instance!.chunks.length,
      evidence: sampled,
      provenance: "shared",
    });
    expect(attribution.questionsScored).toBe(sampled.length);
    expect(attribution.evidence.reduce((sum, value) => sum + value, 0)).toBeCloseTo(attribution.global, 12);
  });

  it("leave-one-out credits, for each right answer, the item that holds its gold", async () => {
    const run = await runEpisode(instance!, createHeuristicPolicy());
    const result = await leaveOneOutEvidence({
      reasoner: run.reader,
      metric: createMetric(instance!.protocol),
      memory: run.finalView,
      dataSource: instance!.dataSource,
      questions: instance!.questions,
      records: run.records,
    });
    const golds = new Map(instance!.questions.map((question) => [question.id, String(question.gold).toLowerCase()]));
    const contents = new Map(run.finalView.items.map((item) => [item.id, item.content.toLowerCase()]));
    const right = result.questions.filter((question) => question.score === 1);
    const anchored = right.filter((question) => question.items.length > 0);
    expect(anchored.length / right.length).toBeGreaterThan(0.9);
    for (const question of anchored)
      for (const item of question.items) expect(contents.get(item.itemId)).toContain(golds.get(question.questionId));
    const attribution = await attributeEpisode({
      store: run.store,
      namespace: run.namespace,
      steps: instance!.chunks.length,
      evidence: { questions: result.questions },
    });
    expect(attribution.evidence.reduce((sum, value) => sum + value, 0)).toBeCloseTo(
      attribution.global - attribution.unattributed,
      12,
    );
    console.log(
      `leave-one-out: ${result.calls} re-answers; ${anchored.length}/${right.length} right answers anchored; U ${attribution.unattributed.toFixed(3)}`,
    );
  });
});
