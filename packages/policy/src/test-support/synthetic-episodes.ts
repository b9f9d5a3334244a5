// Test-only: synthetic episodes for the tests that run a whole episode on a local model, frozen from
// @finemem/benchmarks' seeded generator (the options are named on each), so this package's tests need
// no dependency on @finemem/benchmarks. The chunks are all a policy sees of an instance.
import type { BenchmarkInstance } from "@finemem/spec";

export type SyntheticEpisode = Pick<BenchmarkInstance, "instanceId" | "chunks">;

/** `generateSyntheticBenchmark({ seed: 3, instanceCount: 1, chunkCount: 3, factsPerChunk: 2, questionsPerChunk: 1 })[0]`: 3 chunks. */
export const SEED_3_EPISODE: SyntheticEpisode = {
  instanceId: "synthetic-8ecd160a4301-0",
  chunks: [
    {
      id: "synthetic-8ecd160a4301-0:chunk-1",
      text: "Elowen Farrowby's favourite colour is amber. Elowen Farrowby's job title is dentist.",
    },
    {
      id: "synthetic-8ecd160a4301-0:chunk-2",
      text: "Ottile Farrowby's favourite colour is cerulean. Elowen Farrowby changed job title to tailor.",
    },
    {
      id: "synthetic-8ecd160a4301-0:chunk-3",
      text: "Elowen Farrowby's employer is the company Vexadyne. Ottile Farrowby's employer is the company Solvane.",
    },
  ],
};

/** `generateSyntheticBenchmark({ seed: 2, instanceCount: 1, chunkCount: 3, factsPerChunk: 2, questionsPerChunk: 1, changedShare: 0 })[0]`: 3 chunks. */
export const SEED_2_UNCHANGED_EPISODE: SyntheticEpisode = {
  instanceId: "synthetic-93ffc06ac35e-0",
  chunks: [
    {
      id: "synthetic-93ffc06ac35e-0:chunk-1",
      text: "Ulvena Quarrington's favourite colour is periwinkle. Ulvena Quarrington's employer is the company Ellwood.",
    },
    {
      id: "synthetic-93ffc06ac35e-0:chunk-2",
      text: "Ulvena Quarrington's city of residence is Tallinn. Brisca Quarrington's age is 39 years.",
    },
    {
      id: "synthetic-93ffc06ac35e-0:chunk-3",
      text: "Ulvena Quarrington's age is 53 years. Ulvena Quarrington's job title is librarian.",
    },
  ],
};
