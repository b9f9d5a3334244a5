import {
  DEFAULT_PROVENANCE_POLICY,
  type EvidenceRecord,
  type MemoryStore,
  type Namespace,
  type ProvenancePolicy,
} from "@finemem/spec";
import { type Attribution, attributeEvidence } from "./attribute-evidence.js";
import type { AttributionInput, UnknownItemPolicy } from "./contributions.js";
import { evidenceFromRecords, type RecordEvidenceSource } from "./evidence-sources.js";
import type { QuestionEvidence } from "./question-evidence.js";
import { collectStepWeights } from "./store-step-weights.js";

export interface AttributeEpisodeOptions {
  readonly store: MemoryStore;
  readonly namespace: Namespace;
  /** T. */
  readonly steps: number;
  /** The scored records of the global questions answered on M_T, or evidence already built (leave-one-out). */
  readonly evidence: readonly EvidenceRecord[] | { readonly questions: readonly QuestionEvidence[] };
  /** For records: which of their items are the evidence. Default `retrieved` (the paper's). */
  readonly source?: RecordEvidenceSource;
  /** φ: default `last-writer`. */
  readonly provenance?: ProvenancePolicy;
  readonly beta?: number;
  readonly unknownItems?: UnknownItemPolicy;
  readonly signal?: AbortSignal;
}

export interface EpisodeAttribution extends Attribution {
  /** The exact input the attribution was computed from: hand it to `explainCredit` for a report. */
  readonly input: AttributionInput;
}

/** Evidence from the records, φ from the store, then {@link attributeEvidence}: one call per episode. */
export async function attributeEpisode(options: AttributeEpisodeOptions): Promise<EpisodeAttribution> {
  const questions =
    "questions" in options.evidence
      ? options.evidence.questions
      : evidenceFromRecords(options.evidence, options.source);
  const stepWeights = await collectStepWeights(
    options.store,
    options.namespace,
    questions,
    options.provenance ?? DEFAULT_PROVENANCE_POLICY,
    {
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    },
  );
  const input: AttributionInput = {
    steps: options.steps,
    questions,
    stepWeights,
    ...(options.beta === undefined ? {} : { beta: options.beta }),
    ...(options.unknownItems === undefined ? {} : { unknownItems: options.unknownItems }),
  };
  return { ...attributeEvidence(input), input };
}
