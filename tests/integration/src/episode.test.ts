// One whole Fine-Mem episode wired through the spec's test doubles and the real store, imported by
// their public names.
// The reward arithmetic here is a hand-written reading of FINEMEM.md §2–§4 (the real composer and
// attributor are separate packages); the expected numbers below were worked out by hand.
import {
  DEFAULT_REWARD_WEIGHTS,
  decodeJsonl,
  encodeJsonlLine,
  memoryViewValidator,
  stepRecordValidator,
  trainingSampleValidator,
  type BenchmarkInstance,
  type EvidenceRecord,
  type MemoryItem,
  type MemoryStore,
  type MemoryView,
  type OperationResult,
  type PolicyDecision,
  type ProvenancePolicy,
  type Question,
  type Reasoner,
  type StepRecord,
  type StepRewardComponents,
  type TrainingSample,
} from "@finemem/spec";
import {
  createConstantReasoner,
  createInMemoryStoreDouble,
  createRecordingTrainer,
  createScriptedPolicy,
  createWhitespaceTokenCounter,
} from "@finemem/spec/test";
import { createInMemoryStore } from "@finemem/memory";
import { beforeEach, describe, expect, it } from "vitest";

const instance: BenchmarkInstance = {
  instanceId: "toy-0",
  dataSource: "synthetic",
  competency: "CR",
  protocol: "memalpha",
  source: { repo: "synthetic", revision: "v1", file: "toy", sha256: null },
  metadata: {},
  chunks: [
    { id: "c1", text: "Alice lives in Paris. Bob plays chess." },
    { id: "c2", text: "Alice moved to Lyon." },
    { id: "c3", text: "Carol owns a red bike. Bob quit chess." },
    { id: "c4", text: "Dave drinks green tea." },
  ],
  chunkQuestions: [
    [
      { id: "c1-q1", question: "Where does Alice live?", gold: "Paris" },
      { id: "c1-q2", question: "Which game does Bob play?", gold: "chess" },
    ],
    [
      { id: "c2-q1", question: "Where does Alice live now?", gold: "Lyon" },
      { id: "c2-q2", question: "Which city did Alice leave?", gold: "Paris" },
    ],
    [
      { id: "c3-q1", question: "Who owns the red bike?", gold: "Carol" },
      { id: "c3-q2", question: "Did Bob quit chess?", gold: "yes" },
    ],
    [
      { id: "c4-q1", question: "What does Dave drink?", gold: "green tea" },
      { id: "c4-q2", question: "Which tea does Dave drink?", gold: "green" },
    ],
  ],
  questions: [
    { id: "g1", question: "Where does Alice live now?", gold: "Lyon" },
    { id: "g2", question: "Which game does Bob play?", gold: "chess" },
    { id: "g3", question: "What does Erin collect?", gold: "I don't know" },
    { id: "g4", question: "Where does Alice live and who owns the bike?", gold: "Carol" },
  ],
};

// Step 2's reply holds one call that did not parse; step 3 updates an id that does not exist.
const step2: PolicyDecision = {
  operations: [{ type: "UPDATE", id: "m1", content: "Alice lives in Lyon." }],
  parseOutcomes: [
    { fragment: 0, status: "parsed", operationIndex: 0, repairs: [] },
    { fragment: 1, status: "failed", reason: "malformed_json", message: "unexpected end of input" },
  ],
  rawOutput: '[{"type":"UPDATE","id":"m1","content":"Alice lives in Lyon."}] [{"type":',
  actionLogprob: { value: -3.5, source: "tokens", count: 7 },
  responseTokenIds: [11, 12, 13, 14, 15, 16, 17],
  responseLogprobs: [-0.5, -0.5, -0.5, -0.5, -0.5, -0.5, -0.5],
};
const script = [
  [
    { type: "INSERT", content: "Alice lives in Paris." },
    { type: "INSERT", content: "Bob plays chess." },
  ],
  step2,
  [
    { type: "INSERT", content: "Carol owns a red bike." },
    { type: "DELETE", id: "m2" },
    { type: "UPDATE", id: "m9", content: "Erin collects stamps." },
  ],
  [{ type: "SKIP" }],
] as const;

// Evidence: items sharing a content word with the question, most shared words first, ties by
// insertion order. The reader answers with the best item's text, or "I don't know" without evidence.
const STOP = new Set(["who", "what", "where", "which", "does", "did", "the", "now", "and"]);
const words = (text: string) => new Set((text.toLowerCase().match(/\p{L}+/gu) ?? []).filter((word) => word.length >= 3 && !STOP.has(word)));
function overlapRetrieve(question: Question, items: readonly MemoryItem[]): MemoryItem[] {
  const asked = words(question.text);
  return items
    .map((item, order) => ({ item, order, shared: [...words(item.content)].filter((word) => asked.has(word)).length }))
    .filter((entry) => entry.shared > 0)
    .sort((a, b) => b.shared - a.shared || a.order - b.order)
    .map((entry) => entry.item);
}
function createReader(): Reasoner {
  const evidence = createConstantReasoner({ answer: "", retrieve: overlapRetrieve });
  return {
    ...evidence,
    reasonerId: "first-evidence-reader",
    async answer(input, options) {
      const record = await evidence.answer(input, options);
      const best = input.memory.items.find((item) => item.id === record.retrieved[0]?.itemId);
      return { ...record, answer: best?.content ?? "I don't know" };
    },
  };
}
const score = (answer: string, gold: string) => (answer.toLowerCase().includes(gold.toLowerCase()) ? 1 : 0);

interface EpisodeTrace {
  readonly decisions: PolicyDecision[];
  readonly results: (readonly OperationResult[])[];
  readonly operationIds: string[][];
  readonly chunkScores: number[];
  readonly finalView: MemoryView;
  readonly evidence: EvidenceRecord[];
  readonly store: MemoryStore;
}

// The same episode runs on the spec's test double and on @finemem/memory's real store: both
// implement the spec's MemoryStore, so every hand-computed number below must hold for each.
const STORES: readonly [string, () => MemoryStore][] = [
  ["the spec's store double", () => createInMemoryStoreDouble()],
  ["@finemem/memory's in-memory store", () => createInMemoryStore()],
];
let makeStore: () => MemoryStore = STORES[0]![1];

async function runEpisode(): Promise<EpisodeTrace> {
  const store = makeStore();
  const policy = createScriptedPolicy(script as never);
  const reader = createReader();
  const namespace = { run: "toy-run" };
  const trace: Omit<EpisodeTrace, "finalView" | "evidence"> = { decisions: [], results: [], operationIds: [], chunkScores: [], store };
  for (const [index, chunk] of instance.chunks.entries()) {
    const step = index + 1;
    const view = await store.view(namespace);
    const decision = await policy.decide({ step, chunk, view, instanceId: instance.instanceId });
    const operations = decision.operations.map((operation, position) => ({ operationId: `toy-run:0:${step}:${position}`, operation }));
    const results = await store.apply({ namespace, step, sourceChunkId: chunk.id, operations });
    // The chunk-level step reward: chunk t's questions answered from M_t, right after the step.
    const memory = memoryViewValidator.parse(await store.view(namespace));
    let correct = 0;
    for (const question of instance.chunkQuestions[index]!) {
      const record = await reader.answer({ question: { id: question.id, text: question.question }, memory });
      correct += score(record.answer, question.gold as string);
    }
    trace.decisions.push(decision);
    trace.results.push(results);
    trace.operationIds.push(operations.map((entry) => entry.operationId));
    trace.chunkScores.push(correct / instance.chunkQuestions[index]!.length);
  }
  const finalView = await store.view(namespace);
  const evidence: EvidenceRecord[] = [];
  for (const question of instance.questions) {
    const record = await reader.answer({ question: { id: question.id, text: question.question }, memory: finalView });
    evidence.push({ ...record, score: score(record.answer, question.gold as string) });
  }
  return { ...trace, finalView, evidence };
}

/** N_t and U from evidence records and φ (FINEMEM.md §3). */
async function attribute(trace: EpisodeTrace, records: readonly EvidenceRecord[], policy: ProvenancePolicy) {
  const steps = instance.chunks.length;
  const n = records.length;
  const evidenceShare = new Array<number>(steps + 1).fill(0);
  let global = 0;
  for (const record of records) {
    const s = record.score ?? 0;
    global += s / n;
    for (const item of record.retrieved) {
      const phi = await trace.store.provenance({ run: "toy-run" }, item.itemId, policy);
      for (const [step, weight] of Object.entries(phi)) evidenceShare[Number(step)]! += (weight * s) / (record.retrieved.length * n);
    }
  }
  const attributed = evidenceShare.reduce((total, value) => total + value, 0);
  return { global, unattributed: global - attributed, evidence: evidenceShare.slice(1) };
}

describe.each(STORES)("one episode on %s", (_name, factory) => {
  beforeEach(() => {
    makeStore = factory;
  });

  it("produces the hand-computed memory, evidence and step rewards, and feeds a trainer", async () => {
    const trace = await runEpisode();
    const weights = DEFAULT_REWARD_WEIGHTS;
    const T = instance.chunks.length;

    // Memory after the episode: m1 updated at step 2, m2 deleted at step 3, m3 inserted at step 3.
    expect(trace.finalView.items.map((item) => [item.id, item.content, item.step])).toEqual([
      ["m1", "Alice lives in Lyon.", 2],
      ["m3", "Carol owns a red bike.", 3],
    ]);
    expect(trace.results[2]!.map((result) => (result.status === "applied" ? "applied" : result.reason))).toEqual(["applied", "applied", "unknown_id"]);

    // Evidence: g1 ← m1; g2 and g3 have none; g4 ← m3 (two shared words) then m1.
    expect(trace.evidence.map((record) => [record.questionId, record.retrieved.map((item) => item.itemId), record.score])).toEqual([
      ["g1", ["m1"], 1],
      ["g2", [], 0],
      ["g3", [], 1],
      ["g4", ["m3", "m1"], 1],
    ]);

    // EARA with φ = last writer: N = {2: 1/4 + 1/8, 3: 1/8}; g3 scores without evidence, so U = 1/4.
    const { global, unattributed, evidence } = await attribute(trace, trace.evidence, "last-writer");
    expect(global).toBe(0.75);
    expect(evidence).toEqual([0, 0.375, 0.125, 0]);
    expect(unattributed).toBeCloseTo(0.25, 15);
    const eara = evidence.map((share) => ((1 - weights.beta) * global) / T + weights.beta * share);
    expect(eara).toEqual([0.09375, 0.28125, 0.15625, 0.09375]);
    // FINEMEM.md §3: Σ_t r_EARA(t) = r_global − β·U.
    expect(Math.abs(eara.reduce((a, b) => a + b, 0) - (global - weights.beta * unattributed))).toBeLessThan(1e-12);

    // Format: share of calls that parsed and executed (an explicit SKIP succeeds).
    const format = trace.decisions.map((decision, index) => {
      const ok = decision.parseOutcomes.filter((outcome) => outcome.status !== "failed" && trace.results[index]![outcome.operationIndex]!.status === "applied");
      return decision.parseOutcomes.length === 0 ? 0 : ok.length / decision.parseOutcomes.length;
    });
    expect(format).toEqual([1, 0.5, 2 / 3, 1]);
    expect(trace.chunkScores).toEqual([1, 0.5, 0.5, 0]);

    // Compression: 1 − L(M_T) / Σ L(c_t) = 1 − 9/23 in whitespace tokens.
    const counter = createWhitespaceTokenCounter();
    const memoryLength = trace.finalView.items.reduce((total, item) => total + counter.count(item.content), 0);
    const historyLength = instance.chunks.reduce((total, chunk) => total + counter.count(chunk.text), 0);
    const compression = 1 - memoryLength / historyLength;
    expect([memoryLength, historyLength]).toEqual([9, 23]);

    const records: StepRecord[] = instance.chunks.map((chunk, index) => {
      const rewards: StepRewardComponents = {
        format: format[index]!,
        chunk: trace.chunkScores[index]!,
        evidence: evidence[index]!,
        eara: eara[index]!,
        compression,
        content: null,
        total: eara[index]! + format[index]! + weights.chunk * trace.chunkScores[index]! + weights.compression * compression,
      };
      return {
        runId: "toy-run",
        instanceId: instance.instanceId,
        rollout: 0,
        step: index + 1,
        chunkId: chunk.id,
        operations: trace.decisions[index]!.operations.map((operation, position) => ({ operationId: trace.operationIds[index]![position]!, operation })),
        results: trace.results[index]!,
        parseOutcomes: trace.decisions[index]!.parseOutcomes,
        actionLogprob: trace.decisions[index]!.actionLogprob,
        rewards,
        memoryTokens: memoryLength,
      };
    });
    expect(records[1]!.rewards.total).toBeCloseTo(0.28125 + 0.5 + 0.25 + 0.05 * (14 / 23), 15);

    // The log survives a JSONL round trip through the validator, every component separate.
    const log = records.map(encodeJsonlLine).join("");
    expect(decodeJsonl(log, stepRecordValidator)).toEqual(records);

    // Trainer samples: one per step, with token ids and log-probabilities where the policy gave them.
    const samples: TrainingSample[] = records.map((record, index) => {
      const decision = trace.decisions[index]!;
      return trainingSampleValidator.parse({
        step: record.step,
        reward: record.rewards.total,
        rewards: record.rewards,
        actionLogprob: record.actionLogprob,
        ...(decision.responseTokenIds ? { responseTokenIds: decision.responseTokenIds, responseLogprobs: decision.responseLogprobs } : {}),
      });
    });
    const trainer = createRecordingTrainer();
    const metrics = await trainer.update({ grouping: "pooled", groups: [{ instanceId: instance.instanceId, rollouts: [{ rolloutId: "toy-run:0", seed: "0", samples }] }] });
    expect(metrics.samples).toBe(T);
    expect(metrics.meanReward).toBeCloseTo(samples.reduce((total, sample) => total + sample.reward, 0) / T, 15);
    expect(trainer.updates[0]!.groups[0]!.rollouts[0]!.samples[1]!.responseLogprobs).toHaveLength(7);
  });

  it("conserves r_global exactly when every question has evidence, under every φ policy", async () => {
    const trace = await runEpisode();
    const withEvidence = trace.evidence.filter((record) => record.retrieved.length > 0);
    for (const policy of ["last-writer", "creator", "shared"] as const) {
      const { global, unattributed, evidence } = await attribute(trace, withEvidence, policy);
      expect(Math.abs(unattributed)).toBeLessThan(1e-12);
      const eara = evidence.map((share) => ((1 - DEFAULT_REWARD_WEIGHTS.beta) * global) / evidence.length + DEFAULT_REWARD_WEIGHTS.beta * share);
      expect(Math.abs(eara.reduce((a, b) => a + b, 0) - global)).toBeLessThan(1e-12);
    }
    // φ = shared splits m1's credit between its writers, steps 1 and 2.
    const shared = await attribute(trace, withEvidence, "shared");
    expect(shared.evidence.map((value) => Number(value.toFixed(12)))).toEqual([0.375, 0.375, 0.25, 0].map((value) => Number(value.toFixed(12))));
  });
});
