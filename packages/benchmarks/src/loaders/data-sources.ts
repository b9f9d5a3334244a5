import type { Competency } from "@finemem/spec";

/**
 * The competency of each data source, for tables per competency. MemoryAgentBench rows take theirs
 * from the split file they are in; this table serves Memalpha's files, which mix sources. Order
 * matters: the first matching rule wins.
 */
const COMPETENCY_RULES: readonly (readonly [RegExp, Competency])[] = [
  [/^(squad|hotpotqa|perltqa|lme_train)$/, "AR"],
  [/^(ruler_qa|ruler_niah|infbench_qa|infbench_choice|longmemeval|eventqa|detectiveqa)/, "AR"],
  [/^(pubmed-rct|icl_|recsys)/, "TTL"],
  [/^(booksum|infbench_sum)/, "LRU"],
  [/^factconsolidation/, "CR"],
  [/^synthetic/, "CR"],
];

/** The competency of a data source, or `null` when no rule knows it. */
export function competencyOf(dataSource: string): Competency | null {
  for (const [pattern, competency] of COMPETENCY_RULES) if (pattern.test(dataSource)) return competency;
  return null;
}

/** MemoryAgentBench's four split files and their competencies. */
export const MEMORY_AGENT_BENCH_SPLITS = {
  Accurate_Retrieval: "AR",
  Test_Time_Learning: "TTL",
  Long_Range_Understanding: "LRU",
  Conflict_Resolution: "CR",
} as const satisfies { readonly [split: string]: Competency };

export type MemoryAgentBenchSplit = keyof typeof MEMORY_AGENT_BENCH_SPLITS;
export const MEMORY_AGENT_BENCH_SPLIT_NAMES = Object.keys(MEMORY_AGENT_BENCH_SPLITS) as MemoryAgentBenchSplit[];

const ID_UNSAFE = /[^A-Za-z0-9._:-]/g;

/** Turns a dataset's identifier into one that fits spec's id pattern (letters, digits, `._:-`). */
export function safeId(raw: string, fallback: string): string {
  const cleaned = raw
    .replace(ID_UNSAFE, "_")
    .replace(/^[^A-Za-z0-9]+/, "")
    .slice(0, 128);
  return cleaned === "" ? fallback : cleaned;
}
