import type { EvidenceRecord, GlobalQuestion, Id, MemoryView, Metric, Reasoner } from "@finemem/spec";
import { mapWithConcurrency } from "@finemem/utils";
import { AttributionError } from "./attribution-error.js";
import { evidenceFromRecords, type RecordEvidenceSource } from "./evidence-sources.js";
import type { QuestionEvidence } from "./question-evidence.js";

export interface LeaveOneOutOptions {
  /** The frozen reasoning agent that produced `records`. */
  readonly reasoner: Reasoner;
  /** The dataset's metric (the one that scored `records`). */
  readonly metric: Metric;
  /** M_T, the memory the records were answered from. */
  readonly memory: MemoryView;
  readonly dataSource: string;
  /** The questions of `records`, matched by id. */
  readonly questions: readonly GlobalQuestion[];
  /** The scored answers on the full memory (s_j). */
  readonly records: readonly EvidenceRecord[];
  /** Which items to try removing: the retrieved set (default) or the cited ids. */
  readonly candidates?: RecordEvidenceSource;
  /**
   * How the credit splits over the items whose removal lowered the score: `equal` (default, as the
   * paper splits the retrieved set) or in proportion to how much each removal lowered it.
   */
  readonly shares?: "equal" | "drop";
  /** Re-answers in flight at once. Default 4. */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
}

/** One re-answer: question j without item m. */
export interface Removal {
  readonly questionId: Id;
  readonly itemId: Id;
  readonly scoreWithout: number;
  /** s_j − s_j without m, floored at 0. */
  readonly drop: number;
}

export interface LeaveOneOutResult {
  /** Per question: the items whose removal lowered its score. None (U) when no single removal did. */
  readonly questions: readonly QuestionEvidence[];
  readonly removals: readonly Removal[];
  /** Reasoner calls made (one per candidate item of each question that scored above 0). */
  readonly calls: number;
}

/**
 * Leave-one-out evidence: for each question and each candidate item, re-answer on M_T without that
 * item and re-score; the items whose removal lowers the score are the evidence. A question that
 * scored 0 cannot be lowered and is not re-answered. It costs one reasoner call per (question,
 * candidate), so it suits evaluation and analysis more than every training step.
 *
 * @throws {AttributionError} `unscored_record` for an unscored record, `missing_question` for a record
 *   whose question is not in `questions`
 */
export async function leaveOneOutEvidence(options: LeaveOneOutOptions): Promise<LeaveOneOutResult> {
  const candidates = evidenceFromRecords(options.records, options.candidates ?? "retrieved");
  const byId = new Map(options.questions.map((question) => [question.id, question]));
  const tasks = candidates.flatMap((evidence, index) => {
    const question = byId.get(evidence.questionId);
    if (question === undefined) {
      throw new AttributionError(
        "missing_question",
        `record of question "${evidence.questionId}" has no matching question`,
        ["records", index, "questionId"],
      );
    }
    return evidence.score === 0 ? [] : evidence.items.map((item) => ({ evidence, question, itemId: item.itemId }));
  });
  const removals = await mapWithConcurrency(
    tasks,
    options.concurrency ?? 4,
    async ({ evidence, question, itemId }): Promise<Removal> => {
      const memory: MemoryView = {
        ...options.memory,
        items: options.memory.items.filter((item) => item.id !== itemId),
      };
      const callOptions = options.signal === undefined ? {} : { signal: options.signal };
      const record = await options.reasoner.answer(
        { question: { id: question.id, text: question.question, dataSource: options.dataSource }, memory },
        callOptions,
      );
      const { score } = await options.metric.score(
        { prediction: record.answer, gold: question.gold, dataSource: options.dataSource, question: question.question },
        callOptions,
      );
      return { questionId: question.id, itemId, scoreWithout: score, drop: Math.max(0, evidence.score - score) };
    },
    options.signal,
  );
  const dropsOf = new Map<Id, Removal[]>();
  for (const removal of removals) {
    if (removal.drop <= 0) continue;
    const list = dropsOf.get(removal.questionId) ?? [];
    list.push(removal);
    dropsOf.set(removal.questionId, list);
  }
  const proportional = options.shares === "drop";
  return {
    questions: candidates.map((evidence) => {
      const lowered = dropsOf.get(evidence.questionId) ?? [];
      const total = lowered.reduce((sum, removal) => sum + removal.drop, 0);
      return {
        questionId: evidence.questionId,
        score: evidence.score,
        items: lowered.map((removal) => ({
          itemId: removal.itemId,
          share: proportional ? removal.drop / total : 1 / lowered.length,
        })),
      };
    }),
    removals,
    calls: tasks.length,
  };
}
