import type { EvidenceRecord, OperationResult, PolicyDecision } from "@finemem/spec";
import type { ChunkAnswer } from "@finemem/step-reward";

/** A finished step, as much as a restart needs to skip it: no policy or reasoner call is repeated. */
export interface RecordedStep {
  readonly step: number;
  readonly chunkId: string;
  readonly decision: PolicyDecision;
  /** The store's outcome of each operation; replaying the operations must give the same outcomes. */
  readonly results: readonly OperationResult[];
  /** r_chunk(t), null when the chunk has no questions. */
  readonly chunkScore: number | null;
  readonly chunkAnswers: readonly ChunkAnswer[];
  /** r_content(t) when the content-validity judge ran (null: the step wrote nothing to judge). */
  readonly contentScore?: number | null;
  /** o200k tokens of M_t. */
  readonly memoryTokens: number;
}

/** A scored global question. */
export interface RecordedQuestion {
  readonly questionId: string;
  /** The reasoner's record with its score filled in. */
  readonly record: EvidenceRecord & { readonly score: number };
  readonly details?: { readonly [name: string]: number };
}

/**
 * Where an episode keeps finished work. The evaluation runner backs it with a journal file per
 * episode so a killed run resumes; in-process callers can keep it in memory or pass none.
 */
export interface EpisodeCheckpoint {
  readonly steps: ReadonlyMap<number, RecordedStep>;
  readonly questions: ReadonlyMap<string, RecordedQuestion>;
  recordStep(step: RecordedStep): Promise<void>;
  recordQuestion(question: RecordedQuestion): Promise<void>;
}

/** A checkpoint held in memory (the default): a second `runEpisode` with it replays instead of calling models. */
export function createMemoryCheckpoint(): EpisodeCheckpoint {
  const steps = new Map<number, RecordedStep>();
  const questions = new Map<string, RecordedQuestion>();
  return {
    steps,
    questions,
    async recordStep(step) {
      steps.set(step.step, step);
    },
    async recordQuestion(question) {
      questions.set(question.questionId, question);
    },
  };
}
