// The one evaluation path every memory manager goes through in these tests: chunks → policy → store,
// each chunk's questions answered right after its step, the global questions on the final memory, all
// scored by the benchmark's metric router. A trained manager, the heuristic and every baseline are
// measured the same way: through finemem's episode runner, reduced to the figures these tests compare.
import { createInMemoryStore, type MemoryBackend } from "@finemem/memory";
import type { BenchmarkInstance, MemoryPolicy, PolicyDecision, Reasoner } from "@finemem/spec";
import { runEpisode } from "finemem";

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

const mean = (values: readonly number[]) =>
  values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;

export async function evaluatePolicy(
  instance: BenchmarkInstance,
  policy: MemoryPolicy,
  reasoner: Reasoner,
  openStore: () => Promise<MemoryBackend> | MemoryBackend = () => createInMemoryStore({ layout: policy.layout }),
): Promise<PolicyEvaluation> {
  const store = await openStore();
  try {
    const episode = await runEpisode({ instance, policy, reasoner, store });
    const results = episode.steps.flatMap((step) => step.results);
    const kinds = new Map(instance.questions.map((question) => [question.id, question.metadata?.kind]));
    return {
      policyId: policy.policyId,
      reasonerId: reasoner.reasonerId,
      decisions: episode.steps.map((step) => step.decision),
      applied: results.filter((result) => result.status === "applied").length,
      rejected: results.filter((result) => result.status === "rejected").length,
      chunkScores: episode.steps.map((step) => step.chunkScore ?? 0),
      questions: episode.questions.map(({ questionId, record }) => {
        const kind = kinds.get(questionId);
        return {
          id: questionId,
          kind: typeof kind === "string" ? kind : undefined,
          answer: record.answer,
          score: record.score,
        };
      }),
      score: episode.attribution.global,
      memoryTokens: episode.memoryTokens,
    };
  } finally {
    await store.close();
  }
}

export function meanScore(evaluations: readonly PolicyEvaluation[], kind?: string): number {
  return mean(
    evaluations.flatMap((evaluation) =>
      evaluation.questions
        .filter((question) => kind === undefined || question.kind === kind)
        .map((question) => question.score),
    ),
  );
}

export function meanChunkScore(evaluations: readonly PolicyEvaluation[]): number {
  return mean(evaluations.flatMap((evaluation) => evaluation.chunkScores));
}
