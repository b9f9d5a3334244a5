// The files of one run directory (`<out>/<runId>/`) and the shape of their lines. The report, the
// results table and resumption all read these files, so this module is their single description.
import type { AggregateTable } from "@finemem/benchmarks";
import type { Competency, Gold, MetricProtocol, StepWeights } from "@finemem/spec";

/** File names inside a run directory. */
export const RUN_FILES = Object.freeze({
  /** spec `RunManifest` (seed, model ids, prompt hashes, dataset revisions, effective config) as JSON. */
  manifest: "manifest.json",
  /** spec `StepRecord` lines: every step's operations, their outcomes and every reward component. */
  steps: "steps.jsonl",
  /** {@link QuestionResultLine} lines: one per global question and rollout. */
  results: "results.jsonl",
  /** {@link EpisodeLine} lines: one per instance and rollout. */
  episodes: "episodes.jsonl",
  /** {@link RunSummary} as JSON. */
  summary: "summary.json",
  /** The self-contained HTML report. */
  report: "report.html",
  /** One resumption journal per episode (`<instanceId>.r<rollout>.jsonl`), appended as work finishes. */
  journal: "journal",
});

/** One retrieved item of a question's evidence, with the steps that wrote it. */
export interface EvidenceChainItem {
  readonly itemId: string;
  /** 1-based retrieval rank. */
  readonly rank: number;
  /** The question's credit share carried by this item (shares of one question sum to 1). */
  readonly share: number;
  /** The item's text in M_T, cut to {@link EVIDENCE_CONTENT_CHARS} characters. */
  readonly content: string;
  /** φ(item): the steps the item's credit goes to, with their weights. */
  readonly steps: StepWeights;
}

/** How much of an item's text a results line keeps. */
export const EVIDENCE_CONTENT_CHARS = 400;

/** One line of `results.jsonl`. Lines are sorted by instance, rollout, then the instance's question order. */
export interface QuestionResultLine {
  readonly instanceId: string;
  readonly rollout: number;
  readonly dataSource: string;
  readonly competency: Competency;
  readonly protocol: MetricProtocol;
  readonly questionId: string;
  readonly question: string;
  readonly gold: Gold;
  readonly answer: string;
  /** s_j ∈ [0, 1] under the data source's metric. */
  readonly score: number;
  /** The metric that gave `score`, e.g. `substring_exact_match` (MemoryAgentBench) or `memalpha:squad`. */
  readonly metric: string;
  /** Side figures the scorer reported (exact match, token F1, …). */
  readonly details?: { readonly [name: string]: number };
  /** The evidence M_j, best first. */
  readonly evidence: readonly EvidenceChainItem[];
}

/**
 * Counts of one episode's operations: every operation the policy emitted under its type, applied or
 * not, and `rejected` for those the store refused (the report's operation mix splits applied from
 * rejected instead).
 */
export interface OperationMix {
  readonly INSERT: number;
  readonly UPDATE: number;
  readonly DELETE: number;
  readonly SKIP: number;
  /** Operations the store rejected (any type). */
  readonly rejected: number;
}

/** One line of `episodes.jsonl`: an instance × rollout. Sorted by instance, then rollout. */
export interface EpisodeLine {
  readonly instanceId: string;
  readonly rollout: number;
  readonly dataSource: string;
  readonly competency: Competency;
  readonly protocol: MetricProtocol;
  readonly policyId: string;
  readonly reasonerId: string;
  /** T. */
  readonly steps: number;
  /** r_global. */
  readonly global: number;
  /** U, the share of r_global credited to no step. */
  readonly unattributed: number;
  /** r_comp. */
  readonly compression: number;
  readonly questionsScored: number;
  /** Mean r_chunk over the steps that had chunk questions; null when none had. */
  readonly chunkScore: number | null;
  /** o200k tokens of M_T, and of all chunks together. */
  readonly memoryTokens: number;
  readonly chunkTokens: number;
  readonly memoryItems: number;
  readonly operations: OperationMix;
}

/** `summary.json`: the run's tables, recomputable from `results.jsonl` and `episodes.jsonl`. */
export interface RunSummary {
  readonly runId: string;
  readonly policyId: string;
  readonly reasonerId: string;
  /** Per-question scores averaged per instance, data source, competency (benchmarks' `aggregateScores`; a rollout counts as an instance). */
  readonly table: AggregateTable;
  /** The metric each data source was scored with. */
  readonly metrics: { readonly [dataSource: string]: string };
  /** Mean memory length in o200k tokens per data source, over its episodes. */
  readonly memoryTokens: { readonly [dataSource: string]: number };
  readonly episodes: number;
  readonly questions: number;
}
