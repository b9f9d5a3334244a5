// Reference figures printed in the Mem-α paper (Wang et al., "Mem-α: Learning Memory Construction via
// Reinforcement Learning", arXiv 2509.25911, main results; Qwen3-32B reasoning agent), as quoted in
// docs/method.md §18. These are the printed values, deliberately not recomputed: some printed averages are
// not the mean of their own columns (Mem-α's Memalpha row prints 0.642, its columns average 0.619),
// which is why this project's own averages are always recomputed from its columns and the report shows
// the printed ones beside them, marked as printed.

/** The benchmarks the paper prints averages for. */
export type PublishedBenchmark = "Memalpha" | "MemoryAgentBench";

/** The methods of the paper's average columns, in the paper's order. */
export const PUBLISHED_METHODS = ["Long-Context", "RAG-Top2", "MemAgent", "MEM1", "Mem-α"] as const;
export type PublishedMethod = (typeof PUBLISHED_METHODS)[number];

export interface PublishedFigures {
  /** Where the numbers come from, shown in the report. */
  readonly citation: string;
  readonly reasoner: string;
  /** Mem-α's printed per-source scores on Memalpha (validation), keyed by this project's data-source names. */
  readonly memAlphaBySource: { readonly [dataSource: string]: { readonly label: string; readonly value: number } };
  /** Printed averages per benchmark and method. */
  readonly averages: { readonly [benchmark in PublishedBenchmark]: { readonly [method in PublishedMethod]: number } };
}

export const PUBLISHED_FIGURES: PublishedFigures = Object.freeze({
  citation:
    "Mem-α paper (arXiv 2509.25911, its main results table), Qwen3-32B reasoning agent; printed values, quoted as printed",
  reasoner: "Qwen3-32B",
  memAlphaBySource: Object.freeze({
    squad: { label: "SQuAD", value: 0.786 },
    hotpotqa: { label: "HotpotQA", value: 0.832 },
    perltqa: { label: "PerLTQA", value: 0.659 },
    icl_trec_coarse_6600shot_balance: { label: "TREC-C", value: 0.666 },
    icl_nlu_8296shot_balance: { label: "NLU", value: 0.658 },
    "pubmed-rct": { label: "PubMed", value: 0.545 },
    booksum: { label: "BookSum", value: 0.187 },
  }),
  averages: Object.freeze({
    Memalpha: Object.freeze({ "Long-Context": 0.588, "RAG-Top2": 0.567, MemAgent: 0.236, MEM1: 0.111, "Mem-α": 0.642 }),
    MemoryAgentBench: Object.freeze({
      "Long-Context": 0.461,
      "RAG-Top2": 0.502,
      MemAgent: 0.198,
      MEM1: 0.071,
      "Mem-α": 0.592,
    }),
  }),
});

/** Dataset repos whose runs the printed averages of a benchmark describe. */
const BENCHMARK_REPOS: { readonly [repo: string]: PublishedBenchmark } = {
  "YuWangX/Memalpha": "Memalpha",
  "YuWangX/Memalpha-Memoryagentbench": "MemoryAgentBench",
  "ai-hyz/MemoryAgentBench": "MemoryAgentBench",
};

/**
 * The one published benchmark a run's datasets belong to, or `null` when they belong to none
 * (synthetic, local files) or to both: a mixed run's average compares with neither printed average.
 */
export function publishedBenchmarkOf(repos: readonly string[]): PublishedBenchmark | null {
  const found = new Set<PublishedBenchmark>();
  for (const repo of repos) {
    const benchmark = BENCHMARK_REPOS[repo];
    if (benchmark === undefined) return null;
    found.add(benchmark);
  }
  return found.size === 1 ? [...found][0]! : null;
}
