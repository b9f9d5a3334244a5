// runEpisode's options and what it hands to its collaborators: defaults, validation, the policy's
// input, the step records, the content judge's input, the evidence checks, the reward options it
// passes through, a caller's metric and abort signals. A two-chunk instance
// (test-support/two-chunk-episode.ts), a scripted policy, the real in-memory store and a keyword
// reasoner (right exactly when the gold's item is in memory); every expected value is worked out by
// hand in the comment beside it.
import { createInMemoryStore } from "@finemem/memory";
import { AbortedError, type BenchmarkInstance, type Metric, type Reasoner, SPECIFICATION_VERSION } from "@finemem/spec";
import { createConstantReasoner, createScriptedPolicy, createWhitespaceTokenCounter } from "@finemem/spec/testing";
import { describe, expect, it, vi } from "vitest";
import { RunError } from "../run/run-error.js";
import { type RunEpisodeOptions, runEpisode } from "./run-episode.js";
import { createKeywordReasoner } from "./test-support/keyword-reasoner.js";
import {
  ADA,
  BO,
  CY,
  createRecordingJudge,
  TWO_CHUNK_INSTANCE,
  TWO_CHUNK_KEYWORDS,
  twoChunkPolicy,
} from "./test-support/two-chunk-episode.js";

const instance = TWO_CHUNK_INSTANCE;
const keywords = TWO_CHUNK_KEYWORDS;

function run(options: Partial<RunEpisodeOptions> = {}) {
  return runEpisode({
    instance,
    policy: twoChunkPolicy(),
    reasoner: createKeywordReasoner(keywords).reasoner,
    tokenCounter: createWhitespaceTokenCounter(),
    ...options,
  });
}

describe("runEpisode: defaults", () => {
  it("namespace { run: <instanceId> }, run id `episode`, rollout 0, every global question scored", async () => {
    const store = createInMemoryStore({ layout: "flat" });
    const episode = await run({ store });
    expect(episode.namespace).toEqual({ run: "tiny-0" });
    // The writes landed in that namespace of the caller's store.
    expect((await store.view({ run: "tiny-0" })).items.map((item) => item.content)).toEqual([ADA, BO, CY]);
    expect(episode.stepRecords.map((record) => [record.runId, record.rollout])).toEqual([
      ["episode", 0],
      ["episode", 0],
    ]);
    expect(episode.rollout).toBe(0);
    // questionFraction defaults to 1 (evaluation): both questions, in the instance's order.
    expect(episode.questions.map((question) => question.questionId)).toEqual(["g1", "g2"]);
  });

  it("the question sample's seed defaults to the run id", async () => {
    // Ten questions at fraction 0.2: two are asked. A run with runId r and no seed must ask what a
    // run with another runId and seed r asks.
    const many: BenchmarkInstance = {
      ...instance,
      questions: Array.from({ length: 10 }, (_, index) => ({
        id: `q${index}`,
        question: `Question ${index}?`,
        gold: "x",
      })),
    };
    const asked = async (ids: { runId: string; seed?: string }) =>
      (
        await runEpisode({
          instance: many,
          policy: twoChunkPolicy(),
          reasoner: createConstantReasoner({ answer: "x" }),
          tokenCounter: createWhitespaceTokenCounter(),
          rewards: { questionFraction: 0.2 },
          ...ids,
        })
      ).questions.map((question) => question.questionId);
    const byRunId = await asked({ runId: "iteration-7" });
    expect(byRunId).toHaveLength(2);
    expect(await asked({ runId: "other-run", seed: "iteration-7" })).toEqual(byRunId);
    // Not vacuous: this other run id alone draws another sample.
    expect(await asked({ runId: "other-run" })).not.toEqual(byRunId);
  });
});

describe("runEpisode: concurrency", () => {
  it.each([0, -1, 2.5])(
    "refuses concurrency %s with invalid_option at [concurrency], before any policy call",
    async (concurrency) => {
      const policy = twoChunkPolicy();
      const refused = runEpisode({ instance, policy, reasoner: createKeywordReasoner(keywords).reasoner, concurrency });
      await expect(refused).rejects.toBeInstanceOf(RunError);
      await expect(refused).rejects.toMatchObject({
        code: "invalid_option",
        path: ["concurrency"],
        message: expect.stringContaining(`concurrency must be an integer ≥ 1, got ${concurrency}`),
      });
      expect(policy.inputs).toHaveLength(0);
    },
  );

  it("bounds the reasoner calls in flight: at most `concurrency`; the default (8) has room for four", async () => {
    // One chunk, no chunk question, four global questions answered on M_T: with room for 8 all four
    // are in flight at once; with 2, two; with 1, one.
    const four: BenchmarkInstance = {
      ...instance,
      chunks: [instance.chunks[0]!],
      chunkQuestions: [[]],
      questions: ["a", "b", "c", "d"].map((id) => ({ id, question: `${id}?`, gold: "x" })),
    };
    const maxInFlight = async (concurrency?: number) => {
      let inFlight = 0;
      let max = 0;
      const reasoner: Reasoner = {
        specificationVersion: SPECIFICATION_VERSION,
        reasonerId: "slow",
        async answer({ question }) {
          inFlight += 1;
          max = Math.max(max, inFlight);
          await new Promise((resolve) => setTimeout(resolve, 2));
          inFlight -= 1;
          return { questionId: question.id, retrieved: [], answer: "x", score: null };
        },
      };
      await runEpisode({
        instance: four,
        policy: createScriptedPolicy([[{ type: "SKIP" }]]),
        reasoner,
        tokenCounter: createWhitespaceTokenCounter(),
        ...(concurrency === undefined ? {} : { concurrency }),
      });
      return max;
    };
    expect(await maxInFlight()).toBe(4);
    expect(await maxInFlight(2)).toBe(2);
    expect(await maxInFlight(1)).toBe(1);
  });
});

describe("runEpisode: what the policy sees and what each step records", () => {
  it("the policy gets step t, chunk c_t, M_{t−1} and the instance id; `training` only when it is true", async () => {
    for (const training of [undefined, false]) {
      const policy = twoChunkPolicy();
      await run({ policy, ...(training === undefined ? {} : { training }) });
      expect(policy.inputs.map((input) => [input.step, input.chunk.id, input.instanceId])).toEqual([
        [1, "c1", "tiny-0"],
        [2, "c2", "tiny-0"],
      ]);
      // M_0 is empty; M_1 holds step 1's two inserts.
      expect(policy.inputs.map((input) => input.view.items.map((item) => item.content))).toEqual([[], [ADA, BO]]);
      for (const input of policy.inputs) expect(input).not.toHaveProperty("training");
    }
    const trained = twoChunkPolicy();
    await run({ policy: trained, training: true });
    expect(trained.inputs.map((input) => input.training)).toEqual([true, true]);
  });

  it("records operation ids s<step>.<position>, the store's outcomes, the parse outcomes, the action log-probability and |M_t|", async () => {
    const episode = await run({ runId: "records", rollout: 3 });
    const [first, second] = episode.stepRecords;
    expect(first).toMatchObject({ runId: "records", instanceId: "tiny-0", rollout: 3, step: 1, chunkId: "c1" });
    expect(second).toMatchObject({ runId: "records", instanceId: "tiny-0", rollout: 3, step: 2, chunkId: "c2" });
    expect(first!.operations).toEqual([
      { operationId: "s1.0", operation: { type: "INSERT", content: ADA } },
      { operationId: "s1.1", operation: { type: "INSERT", content: BO } },
    ]);
    expect(second!.operations).toEqual([{ operationId: "s2.0", operation: { type: "INSERT", content: CY } }]);
    // The store answers under the ids runEpisode gave it.
    expect(first!.results.map((result) => [result.operationId, result.status])).toEqual([
      ["s1.0", "applied"],
      ["s1.1", "applied"],
    ]);
    expect(second!.results.map((result) => [result.operationId, result.status])).toEqual([["s2.0", "applied"]]);
    // The scripted policy parses every operation and reports log(1/2) per operation from `decisions`.
    expect(first!.parseOutcomes).toEqual([
      { fragment: 0, status: "parsed", operationIndex: 0, repairs: [] },
      { fragment: 1, status: "parsed", operationIndex: 1, repairs: [] },
    ]);
    expect(first!.actionLogprob).toEqual({ value: 2 * Math.log(0.5), source: "decisions", count: 2 });
    expect(second!.actionLogprob).toEqual({ value: Math.log(0.5), source: "decisions", count: 1 });
    // Whitespace words: M_1 = "Ada lives in Paris." (4) + "Bo plays chess." (3) = 7; M_2 adds "Cy owns a bike." (4) = 11.
    expect(episode.stepRecords.map((record) => record.memoryTokens)).toEqual([7, 11]);
    expect(episode.steps.map((step) => step.memoryTokens)).toEqual([7, 11]);
    // Chunks: 7 + 4 = 11 words, M_T = 11 words → r_comp = 1 − 11/11 = 0.
    expect(episode.chunkTokens).toBe(11);
    expect(episode.compression).toBe(0);
  });

  it("a step whose chunk has no question list scores r_chunk = null", async () => {
    // The instance lists questions for chunk 1 only: step 2 has none to answer.
    const episode = await run({ instance: { ...instance, chunkQuestions: [instance.chunkQuestions[0]!] } });
    expect(episode.stepRecords.map((record) => record.rewards.chunk)).toEqual([1, null]);
    expect(episode.steps[1]!.chunkAnswers).toEqual([]);
  });
});

describe("runEpisode: the content-validity judge", () => {
  it("is shown only the operations the store applied", async () => {
    // Step 1 inserts Ada, Ada again (a duplicate: rejected) and UPDATEs an id the store never gave
    // (rejected); step 2 inserts Cy. The judge sees [INSERT Ada] and [INSERT Cy].
    const policy = createScriptedPolicy([
      [
        { type: "INSERT", content: ADA },
        { type: "INSERT", content: ADA },
        { type: "UPDATE", id: "nowhere", content: "Ada lives in Rome." },
      ],
      [{ type: "INSERT", content: CY }],
    ]);
    const { judge, shown } = createRecordingJudge(0.75);
    const episode = await run({ policy, rewards: { weights: { content: 0.1 }, contentJudge: judge } });
    expect(episode.stepRecords[0]!.results.map((result) => result.status)).toEqual(["applied", "rejected", "rejected"]);
    expect(shown).toEqual([[{ type: "INSERT", content: ADA }], [{ type: "INSERT", content: CY }]]);
    expect(episode.steps.map((step) => step.contentScore)).toEqual([0.75, 0.75]);
    expect(episode.stepRecords.map((record) => record.rewards.content)).toEqual([0.75, 0.75]);
  });

  it("without a judge the steps carry no contentScore, and r_content is null", async () => {
    const episode = await run();
    for (const step of episode.steps) expect(step).not.toHaveProperty("contentScore");
    expect(episode.stepRecords.map((record) => record.rewards.content)).toEqual([null, null]);
  });

  it("a weight above 0 without a judge is refused, naming the weight and the option", async () => {
    const refused = run({ rewards: { weights: { content: 0.25 } } });
    await expect(refused).rejects.toMatchObject({ code: "content_judge_required", path: ["rewards", "contentJudge"] });
    await expect(refused).rejects.toThrow(
      /rewards\.weights\.content is 0\.25, but no content-validity judge was given: pass rewards\.contentJudge/u,
    );
  });
});

describe("runEpisode: cited evidence", () => {
  it("a reasoner that says it does not cite is fine for retrieved evidence", async () => {
    const { reasoner } = createKeywordReasoner(keywords, { cites: false, citeIds: false });
    // g1 retrieves Ada's item (written by step 1), g2 Cy's (step 2); both right: N = [1/2, 1/2].
    const episode = await run({ reasoner });
    expect(episode.attribution.evidence).toEqual([1 / 2, 1 / 2]);
  });

  it("refusing a reasoner that says it does not cite names the reasoner", async () => {
    const { reasoner } = createKeywordReasoner(keywords, { cites: false });
    await expect(run({ reasoner, rewards: { evidence: "cited" } })).rejects.toThrow(
      /rewards\.evidence is "cited", but reasoner keyword-reasoner does not cite/u,
    );
  });

  it("a record without citedItemIds is refused at [rewards, evidence], naming the question", async () => {
    const { reasoner } = createKeywordReasoner(keywords, { citeIds: false });
    const policy = twoChunkPolicy();
    const refused = run({ reasoner, policy, rewards: { evidence: "cited" } });
    await expect(refused).rejects.toMatchObject({ code: "evidence_not_cited", path: ["rewards", "evidence"] });
    await expect(refused).rejects.toThrow(/reasoner keyword-reasoner answered question g1 without citedItemIds/u);
    // It got that far: both steps ran.
    expect(policy.inputs).toHaveLength(2);
  });
});

describe("runEpisode: reward options", () => {
  it("rewards.skipSucceeds reaches r_format: a SKIP-only step scores 1 by default and 0 under skipSucceeds: false", async () => {
    // Step 1: two applied INSERTs → 2/2 = 1. Step 2: one SKIP → 1/1 by default, 0/1 when a SKIP is not a success.
    const skipping = () => twoChunkPolicy([{ type: "SKIP" }]);
    const lenient = await run({ policy: skipping() });
    expect(lenient.stepRecords.map((record) => record.rewards.format)).toEqual([1, 1]);
    const strict = await run({ policy: skipping(), rewards: { skipSucceeds: false } });
    expect(strict.stepRecords.map((record) => record.rewards.format)).toEqual([1, 0]);
  });

  it("a caller's metric scores the global questions (keeping its details), not the chunk questions", async () => {
    // The metric gives every global answer 1/4 with an `em` detail. The chunk questions stay on
    // substring exact match: both are right → r_chunk = [1, 1].
    const inputs: unknown[] = [];
    const metric: Metric = {
      specificationVersion: SPECIFICATION_VERSION,
      name: "quarter",
      protocol: "memoryagentbench",
      judged: false,
      async score(input) {
        inputs.push(input);
        return { score: 0.25, details: { em: 1 } };
      },
    };
    const episode = await run({ metric });
    expect(episode.questions.map((question) => [question.questionId, question.record.score, question.details])).toEqual(
      [
        ["g1", 0.25, { em: 1 }],
        ["g2", 0.25, { em: 1 }],
      ],
    );
    expect(inputs).toEqual([
      { prediction: ADA, gold: "Paris", dataSource: "synthetic", question: "Where does Ada live?" },
      { prediction: CY, gold: "bike", dataSource: "synthetic", question: "What does Cy own?" },
    ]);
    expect(episode.attribution.global).toBe(0.25);
    expect(episode.stepRecords.map((record) => record.rewards.chunk)).toEqual([1, 1]);
  });
});

describe("runEpisode: abort signals", () => {
  it("an aborted signal stops the episode with AbortedError before any policy call", async () => {
    const policy = twoChunkPolicy();
    const controller = new AbortController();
    controller.abort();
    const refused = run({ policy, signal: controller.signal });
    await expect(refused).rejects.toBeInstanceOf(AbortedError);
    await expect(refused).rejects.toMatchObject({ code: "aborted" });
    expect(policy.inputs).toHaveLength(0);
  });

  it("a signal aborted after step 1 stops the episode before step 2", async () => {
    const policy = twoChunkPolicy();
    const controller = new AbortController();
    const refused = run({ policy, signal: controller.signal, onProgress: () => controller.abort() });
    await expect(refused).rejects.toMatchObject({ code: "aborted" });
    expect(policy.inputs.map((input) => input.step)).toEqual([1]);
  });

  it("a live signal reaches the policy, the store, the reasoner, the metric and the judge", async () => {
    const { signal } = new AbortController();
    const policy = twoChunkPolicy();
    const store = createInMemoryStore({ layout: "flat" });
    const { reasoner } = createKeywordReasoner(keywords);
    const { judge } = createRecordingJudge(1);
    const metric: Metric = {
      specificationVersion: SPECIFICATION_VERSION,
      name: "right",
      protocol: "memoryagentbench",
      judged: false,
      score: async () => ({ score: 1 }),
    };
    const spies = [
      vi.spyOn(policy, "decide"),
      vi.spyOn(store, "apply"),
      vi.spyOn(store, "view"),
      vi.spyOn(reasoner, "answer"),
      vi.spyOn(metric, "score"),
      vi.spyOn(judge, "judge"),
    ];
    await run({ policy, store, reasoner, metric, signal, rewards: { weights: { content: 0.1 }, contentJudge: judge } });
    for (const spy of spies) {
      expect(spy).toHaveBeenCalled();
      for (const call of spy.mock.calls) expect((call as unknown[]).at(-1)).toEqual({ signal });
    }
    // The global questions went through their own call (with the data source) and got it too.
    const global = vi.mocked(reasoner.answer).mock.calls.filter(([input]) => input.question.dataSource !== undefined);
    expect(global.map(([input, options]) => [input.question.id, options?.signal])).toEqual([
      ["g1", signal],
      ["g2", signal],
    ]);
  });
});
