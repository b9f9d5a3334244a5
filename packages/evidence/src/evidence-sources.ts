import type { EvidenceRecord } from "@finemem/spec";
import { AttributionError } from "./attribution-error.js";
import { equalShares, type QuestionEvidence } from "./question-evidence.js";

/**
 * Which items of an answered question count as its evidence M_j.
 * - `retrieved` (the paper's): every item retrieved for the question, equal shares.
 * - `cited`: the ids the reasoning agent cited, equal shares; a question whose agent cited nothing has
 *   no evidence (its score goes to U), so U shows how often the agent leaves its answer unanchored.
 * Leave-one-out needs the agent again: see `leaveOneOutEvidence`.
 */
export type RecordEvidenceSource = "retrieved" | "cited";

/** The evidence of scored records under `source`. @throws {AttributionError} `unscored_record` for a record not yet scored. */
export function evidenceFromRecords(
  records: readonly EvidenceRecord[],
  source: RecordEvidenceSource = "retrieved",
): QuestionEvidence[] {
  return records.map((record, index) => {
    if (record.score === null) {
      throw new AttributionError(
        "unscored_record",
        `record of question "${record.questionId}" has no score: score it with the dataset's metric first`,
        [index, "score"],
      );
    }
    const ids = source === "retrieved" ? record.retrieved.map((item) => item.itemId) : (record.citedItemIds ?? []);
    return { questionId: record.questionId, score: record.score, items: equalShares(ids) };
  });
}
