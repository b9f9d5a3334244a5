// Chunk questions are factoids about the chunk: they are scored by the metric their pairs were
// verified with (substring exact match unless a question records another), never by the instance's
// data source, and no judge is ever needed for them.
import {
  type BenchmarkInstance,
  type ChunkQuestion,
  METRIC_PROTOCOLS,
  type Reasoner,
  SPECIFICATION_VERSION,
} from "@finemem/spec";
import { createScriptedPolicy } from "@finemem/spec/testing";
import { describe, expect, it } from "vitest";
import { runEpisode } from "./run-episode.js";

// Every route of the metric router (docs/method.md §17): MemoryAgentBench's sub-datasets, Memalpha's
// sources (lme_train and the literal longmemeval_s* are judged there), and the synthetic benchmark.
const DATA_SOURCES = [
  "squad",
  "hotpotqa",
  "perltqa",
  "lme_train",
  "pubmed-rct",
  "icl_banking77_5900shot_balance",
  "icl_trec_coarse_6600shot_balance",
  "booksum",
  "recsys_redial_full",
  "ruler_qa1_197K",
  "ruler_niah_mq_197K",
  "infbench_qa_eng",
  "infbench_choice_eng",
  "infbench_sum_eng_shots2",
  "longmemeval_s",
  "longmemeval_s*",
  "eventqa_full",
  "detectiveqa",
  "factconsolidation_sh_6k",
  "factconsolidation_mh_262k",
  "synthetic",
] as const;

/** A reader that always gives the same answer, with no evidence. */
function answering(answer: string): Reasoner {
  return {
    specificationVersion: SPECIFICATION_VERSION,
    reasonerId: `says:${answer}`,
    async answer({ question }) {
      return { questionId: question.id, retrieved: [], answer, score: null };
    },
  };
}

function instanceOf(
  dataSource: string,
  protocol: BenchmarkInstance["protocol"],
  question: ChunkQuestion,
): BenchmarkInstance {
  return {
    instanceId: "metric-0",
    dataSource,
    competency: "AR",
    protocol,
    source: { repo: "test", revision: "v1", file: "test", sha256: null },
    metadata: {},
    chunks: [{ id: "c1", text: "Ada moved to Lyon." }],
    chunkQuestions: [[question]],
    // No global question: this file is about r_chunk, and judged sources would need a judge for them.
    questions: [],
  };
}

async function chunkReward(
  dataSource: string,
  protocol: BenchmarkInstance["protocol"],
  answer: string,
  question: ChunkQuestion,
): Promise<number | null> {
  const episode = await runEpisode({
    instance: instanceOf(dataSource, protocol, question),
    policy: createScriptedPolicy([[{ type: "SKIP" }]]),
    reasoner: answering(answer),
  });
  return episode.stepRecords[0]!.rewards.chunk;
}

const lyon: ChunkQuestion = { id: "c1.q0", question: "Where does Ada live?", gold: "Lyon" };

describe("a chunk question's score", () => {
  for (const protocol of METRIC_PROTOCOLS) {
    for (const dataSource of DATA_SOURCES) {
      it(`${protocol} / ${dataSource}: a right sentence scores 1, a wrong one 0, with no judge`, async () => {
        // Substring exact match: "lyon" is inside "ada lives in lyon", not inside "ada lives in paris".
        expect(await chunkReward(dataSource, protocol, "Ada lives in Lyon.", lyon)).toBe(1);
        expect(await chunkReward(dataSource, protocol, "Ada lives in Paris.", lyon)).toBe(0);
      });
    }
  }

  it("follows the metric a question records: exact match of the parsed output under an icl route", async () => {
    // MemoryAgentBench scores icl_* by exact match: "Ada lives in Lyon." is not "Lyon", "Lyon" is.
    const recorded: ChunkQuestion = {
      ...lyon,
      metric: { protocol: "memoryagentbench", dataSource: "icl_trec_coarse_6600shot_balance" },
    };
    expect(await chunkReward("squad", "memalpha", "Ada lives in Lyon.", recorded)).toBe(0);
    expect(await chunkReward("squad", "memalpha", "Lyon", recorded)).toBe(1);
  });
});
