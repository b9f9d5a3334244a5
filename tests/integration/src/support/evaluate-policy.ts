// The one evaluation path every memory manager goes through in these tests: chunks → policy → store,
// each chunk's questions answered right after its step, the global questions on the final memory, all
// scored by the benchmark's metric router. A trained manager, the heuristic and every baseline are
// measured the same way (the `finemem` package will own the full runner).
import { scoreAnswer } from "@finemem/benchmarks";
import { createInMemoryStore, createO200kTokenCounter, type MemoryBackend } from "@finemem/memory";
import type { BenchmarkInstance, MemoryPolicy, PolicyDecision, Reasoner } from "@finemem/spec";
import { createChunkStepScorer } from "@finemem/step-reward";

export interface QuestionResult {
  readonly id: string;
  readonly kind: string | undefined;
  readonly answer: string;
  readonly score: number;
}

export interface PolicyEvaluation {
  readonly policyId: string;
  readonly reasonerId: string;
  readonly decisions: readonly PolicyDecision[];
  /** Operations the store applied and rejected over the episode. */
  readonly applied: number;
  readonly rejected: number;
  /** Per step: the share of that chunk's questions answered right from the memory after the step. */
  readonly chunkScores: readonly number[];
  readonly questions: readonly QuestionResult[];
  /** Mean over global questions. */
  readonly score: number;
  /** o200k tokens of the final memory. */
  readonly memoryTokens: number;
}

const mean = (values: readonly number[]) => (values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length);

export async function evaluatePolicy(
  instance: BenchmarkInstance,
  policy: MemoryPolicy,
  reasoner: Reasoner,
  openStore: () => Promise<MemoryBackend> | MemoryBackend = () => createInMemoryStore({ layout: policy.layout }),
): Promise<PolicyEvaluation> {
  const store = await openStore();
  const namespace = { run: instance.instanceId };
  const score = async (prediction: string, gold: BenchmarkInstance["questions"][number]["gold"]) =>
    (await scoreAnswer({ protocol: instance.protocol, dataSource: instance.dataSource, prediction, gold })).score;
  const stepScorer = createChunkStepScorer({ reasoner });
  const decisions: PolicyDecision[] = [];
  const chunkScores: number[] = [];
  let applied = 0;
  let rejected = 0;
  for (const [index, chunk] of instance.chunks.entries()) {
    const step = index + 1;
    const decision = await policy.decide({ step, chunk, view: await store.view(namespace), instanceId: instance.instanceId });
    decisions.push(decision);
    const results = await store.apply({
      namespace,
      step,
      sourceChunkId: chunk.id,
      operations: decision.operations.map((operation, position) => ({ operationId: `s${step}.${position}`, operation })),
    });
    for (const result of results) result.status === "applied" ? (applied += 1) : (rejected += 1);
    const memory = await store.view(namespace);
    const { score: chunkScore } = await stepScorer.scoreStep({ step, questions: instance.chunkQuestions[index] ?? [], memory, dataSource: instance.dataSource, protocol: instance.protocol });
    chunkScores.push(chunkScore ?? 0);
  }
  const finalView = await store.view(namespace);
  const questions: QuestionResult[] = [];
  for (const question of instance.questions) {
    const record = await reasoner.answer({ question: { id: question.id, text: question.question, dataSource: instance.dataSource }, memory: finalView });
    const kind = question.metadata?.["kind"];
    questions.push({ id: question.id, kind: typeof kind === "string" ? kind : undefined, answer: record.answer, score: await score(record.answer, question.gold) });
  }
  await store.close();
  const counter = createO200kTokenCounter();
  return {
    policyId: policy.policyId,
    reasonerId: reasoner.reasonerId,
    decisions,
    applied,
    rejected,
    chunkScores,
    questions,
    score: mean(questions.map((question) => question.score)),
    memoryTokens: finalView.items.reduce((total, item) => total + counter.count(item.content), 0),
  };
}

export function meanScore(evaluations: readonly PolicyEvaluation[], kind?: string): number {
  return mean(evaluations.flatMap((evaluation) => evaluation.questions.filter((question) => kind === undefined || question.kind === kind).map((question) => question.score)));
}

export function meanChunkScore(evaluations: readonly PolicyEvaluation[]): number {
  return mean(evaluations.flatMap((evaluation) => evaluation.chunkScores));
}
