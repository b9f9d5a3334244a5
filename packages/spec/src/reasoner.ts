import { z } from "zod";
import type { CallOptions, SpecificationVersion } from "./call-options.js";
import { contentSchema, type Id, idSchema, unitIntervalSchema } from "./ids.js";
import type { MemoryView } from "./memory.js";
import { createValidator, issueCode } from "./validation.js";

/** A question put to the reasoning agent (a global question, or one of a chunk's questions). */
export interface Question {
  readonly id: Id;
  readonly text: string;
  /** The data source, for per-source instructions (e.g. the `\boxed{label}` prefix). */
  readonly dataSource?: string;
}

export const questionSchema = z.strictObject({
  id: idSchema,
  text: contentSchema,
  dataSource: z.string().min(1).max(256).exactOptional(),
});

/** One item the answer was grounded on: the exact version, with its retrieval rank and score. */
export interface EvidenceItem {
  readonly itemId: Id;
  readonly version: number;
  /** 1-based rank in the retrieved list. */
  readonly rank: number;
  readonly score: number;
}

/**
 * The record of one answered question: the retrieved set M_j (the paper's evidence), the ids the
 * agent cited when it cites any, the answer, and its score once a metric has scored it.
 */
export interface EvidenceRecord {
  readonly questionId: Id;
  readonly retrieved: readonly EvidenceItem[];
  readonly citedItemIds?: readonly Id[];
  readonly answer: string;
  /** s_j ∈ [0, 1] under the dataset's metric; `null` until scored. */
  readonly score: number | null;
}

export const evidenceItemSchema = z.strictObject({
  itemId: idSchema,
  version: z.number().int().min(1),
  rank: z.number().int().min(1),
  score: z.number().finite(),
});

export const evidenceRecordSchema = z
  .strictObject({
    questionId: idSchema,
    retrieved: z.array(evidenceItemSchema),
    citedItemIds: z.array(idSchema).exactOptional(),
    answer: z.string(),
    score: unitIntervalSchema.nullable(),
  })
  .superRefine((record, ctx) => {
    const seen = new Set<string>();
    record.retrieved.forEach((item, index) => {
      if (item.rank !== index + 1) {
        ctx.addIssue({
          code: "custom",
          path: ["retrieved", index, "rank"],
          message: `rank must be ${index + 1}`,
          ...issueCode("inconsistent"),
        });
      }
      if (seen.has(item.itemId)) {
        ctx.addIssue({
          code: "custom",
          path: ["retrieved", index, "itemId"],
          message: "an item is retrieved at most once",
          ...issueCode("inconsistent"),
        });
      }
      seen.add(item.itemId);
    });
  });

export interface ReasonerInput {
  readonly question: Question;
  /** M_T for global questions, M_t for a chunk's questions. */
  readonly memory: MemoryView;
}

/**
 * The frozen reasoning agent: question + memory → answer + evidence. It returns the record with
 * `score: null`; the evaluation scores it with the dataset's metric.
 */
export interface Reasoner {
  readonly specificationVersion: SpecificationVersion;
  readonly reasonerId: string;
  /**
   * Whether its records carry `citedItemIds` (possibly empty). `false` lets a caller that needs cited
   * evidence refuse it before any work; absent means unknown, checked record by record.
   */
  readonly cites?: boolean;
  answer(input: ReasonerInput, options?: CallOptions): Promise<EvidenceRecord>;
}

export const questionValidator = createValidator<Question>("Question", questionSchema);
export const evidenceRecordValidator = createValidator<EvidenceRecord>("EvidenceRecord", evidenceRecordSchema);
