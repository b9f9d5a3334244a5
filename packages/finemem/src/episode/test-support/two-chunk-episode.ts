import type { BenchmarkInstance, MemoryOperation } from "@finemem/spec";
import { createScriptedPolicy, type ScriptedStep } from "@finemem/spec/testing";
import type { ContentValidityJudge } from "@finemem/step-reward";

/**
 * A two-chunk instance for tests of runEpisode's wiring, with one chunk question per chunk and two
 * global questions, all scored by substring exact match (MemoryAgentBench's route for `synthetic`).
 * With {@link twoChunkPolicy} and a keyword reasoner given {@link TWO_CHUNK_KEYWORDS}, every answer is
 * right: M_1 = {Ada, Bo}, M_2 = {Ada, Bo, Cy}.
 */
export const TWO_CHUNK_INSTANCE: BenchmarkInstance = {
  instanceId: "tiny-0",
  dataSource: "synthetic",
  competency: "AR",
  protocol: "memoryagentbench",
  source: { repo: "test", revision: "v1", file: "tiny", sha256: null },
  metadata: {},
  chunks: [
    { id: "c1", text: "Ada lives in Paris. Bo plays chess." },
    { id: "c2", text: "Cy owns a bike." },
  ],
  chunkQuestions: [
    [{ id: "c1.q0", question: "Where does Ada live?", gold: "Paris" }],
    [{ id: "c2.q0", question: "What does Cy own?", gold: "bike" }],
  ],
  questions: [
    { id: "g1", question: "Where does Ada live?", gold: "Paris" },
    { id: "g2", question: "What does Cy own?", gold: "bike" },
  ],
};

export const TWO_CHUNK_KEYWORDS = { "c1.q0": ["Ada"], "c2.q0": ["Cy"], g1: ["Ada"], g2: ["Cy"] };

export const ADA = "Ada lives in Paris.";
export const BO = "Bo plays chess.";
export const CY = "Cy owns a bike.";

/** Step 1 inserts Ada and Bo, step 2 inserts Cy (or runs `second` instead); keyed by the input's step, so a resumed run gets step 2's script. */
export function twoChunkPolicy(second: ScriptedStep = [{ type: "INSERT", content: CY }]) {
  return createScriptedPolicy((input) =>
    input.step === 1
      ? [
          { type: "INSERT", content: ADA },
          { type: "INSERT", content: BO },
        ]
      : second,
  );
}

/** A content-validity judge that records the operations it was shown and says `score` for every step. */
export function createRecordingJudge(score: number) {
  const shown: MemoryOperation[][] = [];
  const judge: ContentValidityJudge = {
    promptHash: "recording-judge",
    async judge({ operations }) {
      shown.push([...operations]);
      return { score, verdicts: [], judge: { modelId: "recording", promptHash: "recording-judge", ownPrompt: true } };
    },
  };
  return { judge, shown };
}
