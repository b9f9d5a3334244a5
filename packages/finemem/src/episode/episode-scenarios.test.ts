// Scenario tests of runEpisode's wiring: a scripted policy, the real store, and a reasoner that is right
// exactly when the gold's item is in the memory it is shown (test-support/keyword-reasoner.ts). Every
// expected reward below is worked out by hand from docs/method.md §5–§14 in the comments next to it; no
// reward package is asked for an expected value.
import {
  type BenchmarkInstance,
  DEFAULT_REWARD_WEIGHTS,
  type MemoryOperation,
  type PolicyDecision,
  type PolicyInput,
} from "@finemem/spec";
import { createScriptedLanguageModel, createScriptedPolicy, createWhitespaceTokenCounter } from "@finemem/spec/testing";
import { createContentValidityJudge } from "@finemem/step-reward";
import { describe, expect, it } from "vitest";
import { RunError } from "../run/run-error.js";
import { type RunEpisodeOptions, runEpisode } from "./run-episode.js";
import { createKeywordReasoner } from "./test-support/keyword-reasoner.js";

/** A synthetic-source instance scored by substring exact match (MemoryAgentBench's route for it). */
const scenarioInstance = (
  instanceId: string,
  content: Pick<BenchmarkInstance, "chunks" | "chunkQuestions" | "questions">,
): BenchmarkInstance => ({
  instanceId,
  dataSource: "synthetic",
  competency: "CR",
  protocol: "memoryagentbench",
  source: { repo: "scenario", revision: "v1", file: "scenario", sha256: null },
  metadata: {},
  ...content,
});

// Chunk lengths in whitespace words: c1 7, c2 4, c3 8, c4 4 → Σ_t L(c_t) = 23.
const instance = scenarioInstance("scenario-0", {
  chunks: [
    { id: "c1", text: "Ada lives in Paris. Bo plays chess." },
    { id: "c2", text: "Ada moved to Lyon." },
    { id: "c3", text: "Cy owns a red bike. Bo quit chess." },
    { id: "c4", text: "Di drinks green tea." },
  ],
  chunkQuestions: [
    [
      { id: "c1.q0", question: "Where does Ada live?", gold: "Paris" },
      { id: "c1.q1", question: "Which game does Bo play?", gold: "chess" },
    ],
    [{ id: "c2.q0", question: "Where does Ada live now?", gold: "Lyon" }],
    [
      { id: "c3.q0", question: "Who owns a red bike?", gold: "Cy" },
      { id: "c3.q1", question: "Did Bo quit chess?", gold: "quit" },
    ],
    [{ id: "c4.q0", question: "What does Di drink?", gold: "green tea" }],
  ],
  questions: [
    { id: "g1", question: "Where does Ada live now?", gold: "Lyon" },
    { id: "g2", question: "Which game does Bo play?", gold: "chess" },
    { id: "g3", question: "What does Erin collect?", gold: "unknown" },
    { id: "g4", question: "What does the friend of Ada own?", gold: "bike" },
  ],
});

const keywords = {
  "c1.q0": ["Ada"],
  "c1.q1": ["Bo"],
  "c2.q0": ["Ada"],
  "c3.q0": ["bike"],
  "c3.q1": ["Bo"],
  "c4.q0": ["Di"],
  g1: ["Ada"],
  g2: ["Bo"],
  g3: ["Erin"],
  g4: ["Ada", "Cy"],
};

/** The id of the current item holding `content` in the view the policy was shown. */
function idOf(input: PolicyInput, content: string): string {
  const item = input.view.items.find((candidate) => candidate.content === content);
  if (item === undefined) throw new Error(`no item "${content}" in the view of step ${input.step}`);
  return item.id;
}

const parsedAll = (operations: readonly MemoryOperation[]): PolicyDecision["parseOutcomes"] =>
  operations.map((_, operationIndex) => ({
    fragment: operationIndex,
    status: "parsed" as const,
    operationIndex,
    repairs: [],
  }));

/**
 * Step 1 inserts two facts; step 2 UPDATEs Ada's item (a version chain: v1 by step 1, v2 by step 2)
 * and its reply held a second call that did not parse; step 3 inserts Cy's bike and DELETEs Bo's
 * item, which global question g2 needs later; step 4 inserts Di's tea.
 */
function scenarioPolicy() {
  return createScriptedPolicy((input): PolicyDecision | MemoryOperation[] => {
    switch (input.step) {
      case 1:
        return [
          { type: "INSERT", content: "Ada lives in Paris." },
          { type: "INSERT", content: "Bo plays chess." },
        ];
      case 2: {
        const operations: MemoryOperation[] = [
          { type: "UPDATE", id: idOf(input, "Ada lives in Paris."), content: "Ada lives in Lyon." },
        ];
        return {
          operations,
          parseOutcomes: [
            ...parsedAll(operations),
            { fragment: 1, status: "failed", reason: "malformed_json", message: "unexpected end of input" },
          ],
          rawOutput: "scripted",
          actionLogprob: null,
        };
      }
      case 3:
        return [
          { type: "INSERT", content: "Cy owns a red bike." },
          { type: "DELETE", id: idOf(input, "Bo plays chess.") },
        ];
      default:
        return [{ type: "INSERT", content: "Di drinks green tea." }];
    }
  });
}

function run(options: Partial<RunEpisodeOptions> = {}) {
  const { reasoner, asked } = createKeywordReasoner(keywords);
  const episode = runEpisode({
    instance,
    policy: scenarioPolicy(),
    reasoner,
    tokenCounter: createWhitespaceTokenCounter(),
    runId: "scenario",
    ...options,
  });
  return { episode, asked };
}

// r_comp: M_T holds "Ada lives in Lyon." (4), "Cy owns a red bike." (5), "Di drinks green tea." (4)
// = 13 words, so r_comp = 1 − 13/23 = 10/23, and w_comp · r_comp = 0.05 · 10/23 = 1/46.
const COMPRESSION = 10 / 23;

describe("an episode's per-step rewards, worked by hand", () => {
  it("answers chunk t's questions on M_t: r_chunk = [1, 1, 1/2, 1]", async () => {
    // M_1 = {Ada·Paris, Bo·chess}: c1.q0 Paris ✓, c1.q1 chess ✓ → 1.
    // M_2 = {Ada·Lyon, Bo·chess}: c2.q0 Lyon ✓ → 1. (On M_1 it would read Paris: 0.)
    // M_3 = {Ada·Lyon, Cy·bike}: c3.q0 Cy ✓; c3.q1 finds no Bo item (deleted) → "unknown" ✗ → 1/2.
    // M_4 adds Di·tea: c4.q0 ✓ → 1.
    // On M_{t−1} every step would score 0; on M_T step 1 would score 0 (Paris and Bo are gone).
    const { episode, asked } = run();
    const { stepRecords } = await episode;
    expect(stepRecords.map((record) => record.rewards.chunk)).toEqual([1, 1, 0.5, 1]);
    const chunkViews = asked
      .filter((entry) => entry.questionId.startsWith("c"))
      .map((entry) => [entry.questionId, entry.viewStep]);
    expect(chunkViews).toEqual([
      ["c1.q0", 1],
      ["c1.q1", 1],
      ["c2.q0", 2],
      ["c3.q0", 3],
      ["c3.q1", 3],
      ["c4.q0", 4],
    ]);
    // Chunk questions reach the reader without a data source, so no per-source instruction is added.
    expect(
      asked.filter((entry) => entry.questionId.startsWith("c")).every((entry) => entry.dataSource === undefined),
    ).toBe(true);
    expect(
      asked
        .filter((entry) => entry.questionId.startsWith("g"))
        .every((entry) => entry.viewStep === 4 && entry.dataSource === "synthetic"),
    ).toBe(true);
  });

  it("β = 0.5 (default), last writer: N = [0, 3/8, 1/8, 0], U = 1/4, r_EARA and totals", async () => {
    // Global questions on M_T, n = 4:
    //   g1 Ada → {Ada·Lyon (v2, written by step 2)} says Lyon ✓: s = 1, step 2 gets 1/(1·4) = 1/4.
    //   g2 Bo → nothing (deleted at step 3) → "unknown" ✗: s = 0, no evidence.
    //   g3 Erin → nothing → "unknown" = gold ✓: s = 1 with no evidence → U = 1/4.
    //   g4 Ada, Cy → {Ada·Lyon (step 2), Cy·bike (step 3)} holds "bike" ✓: s = 1, each 1/(2·4) = 1/8.
    // r_global = 3/4; N_1 = 0 (its Ada version was overwritten, its Bo item deleted), N_2 = 1/4 + 1/8 = 3/8,
    // N_3 = 1/8, N_4 = 0; Σ N = 1/2 = r_global − U.
    // r_EARA(t) = (1 − 0.5)·(3/4)/4 + 0.5·N_t = 3/32 + N_t/2 → [3/32, 9/32, 5/32, 3/32].
    // r_format = [1, 1/2 (one of two calls failed to parse), 1, 1].
    // r(t) = r_EARA + r_format + 0.5·r_chunk + 1/46:
    //   t1: 3/32 + 1 + 1/2 + 1/46; t2: 9/32 + 1/2 + 1/2 + 1/46; t3: 5/32 + 1 + 1/4 + 1/46; t4: 3/32 + 1 + 1/2 + 1/46.
    const { episode } = run();
    const result = await episode;
    const rewards = result.stepRecords.map((record) => record.rewards);
    expect(rewards.map((reward) => reward.evidence)).toEqual([0, 3 / 8, 1 / 8, 0]);
    expect(rewards.map((reward) => reward.eara)).toEqual([3 / 32, 9 / 32, 5 / 32, 3 / 32]);
    expect(rewards.map((reward) => reward.format)).toEqual([1, 0.5, 1, 1]);
    expect(result.attribution.global).toBe(3 / 4);
    expect(result.attribution.unattributed).toBe(1 / 4);
    expect(result.compression).toBeCloseTo(COMPRESSION, 15);
    for (const reward of rewards) expect(reward.compression).toBeCloseTo(COMPRESSION, 15);
    const expectedTotals = [
      3 / 32 + 1 + 1 / 2 + 1 / 46,
      9 / 32 + 1 / 2 + 1 / 2 + 1 / 46,
      5 / 32 + 1 + 1 / 4 + 1 / 46,
      3 / 32 + 1 + 1 / 2 + 1 / 46,
    ];
    rewards.forEach((reward, index) => {
      expect(reward.total).toBeCloseTo(expectedTotals[index]!, 12);
    });
    expect(rewards.map((reward) => reward.content)).toEqual([null, null, null, null]);
    expect(result.memoryTokens).toBe(13);
    expect(result.chunkTokens).toBe(23);
  });

  it("β = 0: r_EARA is r_global / T on every step, whatever the evidence", async () => {
    // r_EARA(t) = (1 − 0)·(3/4)/4 + 0·N_t = 3/16. Totals: 3/16 + r_format + 0.5·r_chunk + 1/46.
    const { episode } = run({ rewards: { weights: { beta: 0 } } });
    const rewards = (await episode).stepRecords.map((record) => record.rewards);
    expect(rewards.map((reward) => reward.eara)).toEqual([3 / 16, 3 / 16, 3 / 16, 3 / 16]);
    expect(rewards.map((reward) => reward.evidence)).toEqual([0, 3 / 8, 1 / 8, 0]);
    const expectedTotals = [3 / 16 + 1 + 1 / 2, 3 / 16 + 1 / 2 + 1 / 2, 3 / 16 + 1 + 1 / 4, 3 / 16 + 1 + 1 / 2].map(
      (total) => total + 1 / 46,
    );
    rewards.forEach((reward, index) => {
      expect(reward.total).toBeCloseTo(expectedTotals[index]!, 12);
    });
  });

  it("β = 1: r_EARA is N_t alone; the unattributed share is lost to every step", async () => {
    // r_EARA(t) = N_t = [0, 3/8, 1/8, 0]; Σ = 1/2 = r_global − 1·U.
    const { episode } = run({ rewards: { weights: { beta: 1 } } });
    const rewards = (await episode).stepRecords.map((record) => record.rewards);
    expect(rewards.map((reward) => reward.eara)).toEqual([0, 3 / 8, 1 / 8, 0]);
    const expectedTotals = [0 + 1 + 1 / 2, 3 / 8 + 1 / 2 + 1 / 2, 1 / 8 + 1 + 1 / 4, 0 + 1 + 1 / 2].map(
      (total) => total + 1 / 46,
    );
    rewards.forEach((reward, index) => {
      expect(reward.total).toBeCloseTo(expectedTotals[index]!, 12);
    });
  });

  it("the UPDATE chain under creator provenance credits the step that created the item", async () => {
    // φ(Ada's item) = step 1 (its INSERT), so g1's 1/4 and g4's 1/8 for it go to step 1:
    // N = [3/8, 0, 1/8, 0]; r_EARA = 3/32 + N_t/2 = [9/32, 3/32, 5/32, 3/32].
    const { episode } = run({ rewards: { provenance: "creator" } });
    const rewards = (await episode).stepRecords.map((record) => record.rewards);
    expect(rewards.map((reward) => reward.evidence)).toEqual([3 / 8, 0, 1 / 8, 0]);
    expect(rewards.map((reward) => reward.eara)).toEqual([9 / 32, 3 / 32, 5 / 32, 3 / 32]);
  });

  it("other weights reach the total: w_chunk = 0, w_comp = 1", async () => {
    // r(t) = r_EARA + r_format + 0·r_chunk + 1·10/23.
    const { episode } = run({ rewards: { weights: { chunk: 0, compression: 1 } } });
    const rewards = (await episode).stepRecords.map((record) => record.rewards);
    const expectedTotals = [3 / 32 + 1, 9 / 32 + 1 / 2, 5 / 32 + 1, 3 / 32 + 1].map((total) => total + 10 / 23);
    rewards.forEach((reward, index) => {
      expect(reward.total).toBeCloseTo(expectedTotals[index]!, 12);
    });
    expect(rewards.map((reward) => reward.chunk)).toEqual([1, 1, 0.5, 1]);
  });

  it("cited evidence credits only the cited item: g4 cites Ada's item alone", async () => {
    // The keyword reasoner cites its first hit. g1 cites Ada·Lyon (step 2): 1/4; g4 cites Ada·Lyon: 1/4
    // (one cited item takes the whole share); g3 cites nothing: U = 1/4. N = [0, 1/2, 0, 0].
    const { episode } = run({ rewards: { evidence: "cited" } });
    const rewards = (await episode).stepRecords.map((record) => record.rewards);
    expect(rewards.map((reward) => reward.evidence)).toEqual([0, 1 / 2, 0, 0]);
    expect(rewards.map((reward) => reward.eara)).toEqual([3 / 32, 11 / 32, 3 / 32, 3 / 32]);
  });
});

describe("the typed layout", () => {
  // Step 1 writes the core paragraph and a semantic fact; step 2 rewrites the fact and adds an event.
  const typed = scenarioInstance("typed-0", {
    chunks: [
      { id: "t1", text: "The user is Ada. Ada lives in Paris." },
      { id: "t2", text: "On Monday Ada moved to Lyon." },
    ],
    chunkQuestions: [
      [{ id: "t1.q0", question: "Where does Ada live?", gold: "Paris" }],
      [{ id: "t2.q0", question: "When did Ada move?", gold: "Monday" }],
    ],
    questions: [{ id: "h1", question: "Where does Ada live now?", gold: "Lyon" }],
  });
  const policy = () =>
    createScriptedPolicy(
      (input): MemoryOperation[] =>
        input.step === 1
          ? [
              { type: "UPDATE", id: "core", content: "The user is Ada.", memoryType: "core" },
              { type: "INSERT", content: "Ada lives in Paris.", memoryType: "semantic" },
            ]
          : [
              {
                type: "UPDATE",
                id: idOf(input, "Ada lives in Paris."),
                content: "Ada lives in Lyon.",
                memoryType: "semantic",
              },
              { type: "INSERT", content: "Ada moved on Monday.", memoryType: "episodic", timestamp: "Monday" },
            ],
      { layout: "typed" },
    );

  it("scores every memory type's items, with the core paragraph credited to the step that wrote it", async () => {
    // r_chunk: M_1 = {core "The user is Ada.", Ada·Paris} → "… Paris." ✓ 1; M_2 adds "Ada moved on Monday." → ✓ 1.
    // h1 Ada → {core (step 1), Ada·Lyon (step 2), Monday event (step 2)} holds Lyon ✓: s = 1, each 1/3.
    // r_global = 1, T = 2, U = 0: N = [1/3, 2/3]; r_EARA = (1/2)·1/2 + N_t/2 = [1/4 + 1/6, 1/4 + 1/3] = [5/12, 7/12].
    // Lengths: chunks 8 + 6 = 14 words; M_T 4 + 4 + 4 = 12 → r_comp = 1 − 12/14 = 1/7.
    const { reasoner } = createKeywordReasoner({ "t1.q0": ["Ada"], "t2.q0": ["Ada"], h1: ["Ada"] });
    const result = await runEpisode({
      instance: typed,
      policy: policy(),
      reasoner,
      tokenCounter: createWhitespaceTokenCounter(),
    });
    expect(result.finalView.layout).toBe("typed");
    expect(result.finalView.items.map((item) => item.memoryType).sort()).toEqual(["core", "episodic", "semantic"]);
    const rewards = result.stepRecords.map((record) => record.rewards);
    expect(rewards.map((reward) => reward.chunk)).toEqual([1, 1]);
    expect(rewards[0]!.evidence).toBeCloseTo(1 / 3, 15);
    expect(rewards[1]!.evidence).toBeCloseTo(2 / 3, 15);
    expect(rewards[0]!.eara).toBeCloseTo(5 / 12, 15);
    expect(rewards[1]!.eara).toBeCloseTo(7 / 12, 15);
    expect(result.compression).toBeCloseTo(1 / 7, 15);
    expect(rewards[0]!.total).toBeCloseTo(5 / 12 + 1 + 1 / 2 + 0.05 / 7, 12);
    expect(rewards[1]!.total).toBeCloseTo(7 / 12 + 1 + 1 / 2 + 0.05 / 7, 12);
  });
});

describe("the content-validity term", () => {
  it("runs the judge per step when its weight is above 0 and adds w_content·r_content", async () => {
    // The judge says yes to every entry but "Bo plays chess.". Applied writes per step:
    // step 1 INSERT Ada·Paris ✓, INSERT Bo·chess ✗ → 1/2; step 2 UPDATE Ada·Lyon ✓ → 1;
    // step 3 INSERT Cy·bike ✓ (the DELETE writes no content) → 1; step 4 INSERT Di·tea ✓ → 1.
    // r(t) gains 0.1·r_content: [0.05, 0.1, 0.1, 0.1] over the β = 0.5 totals above.
    const judged: string[] = [];
    const judge = createContentValidityJudge({
      model: createScriptedLanguageModel((request) => {
        const prompt = String(request.messages.at(-1)?.content ?? "");
        const entry = /Memory entry:\n(.*)\n/u.exec(prompt)?.[1] ?? "";
        judged.push(entry);
        return entry === "Bo plays chess." ? "no" : "yes";
      }),
    });
    const { episode } = run({ rewards: { weights: { content: 0.1 }, contentJudge: judge } });
    const rewards = (await episode).stepRecords.map((record) => record.rewards);
    expect(rewards.map((reward) => reward.content)).toEqual([0.5, 1, 1, 1]);
    const base = [3 / 32 + 1 + 1 / 2, 9 / 32 + 1 / 2 + 1 / 2, 5 / 32 + 1 + 1 / 4, 3 / 32 + 1 + 1 / 2].map(
      (total) => total + 1 / 46,
    );
    const bonus = [0.05, 0.1, 0.1, 0.1];
    rewards.forEach((reward, index) => {
      expect(reward.total).toBeCloseTo(base[index]! + bonus[index]!, 12);
    });
    expect(judged.sort()).toEqual([
      "Ada lives in Lyon.",
      "Ada lives in Paris.",
      "Bo plays chess.",
      "Cy owns a red bike.",
      "Di drinks green tea.",
    ]);
  });

  it("does not call a judge at weight 0, and refuses a weight above 0 without one", async () => {
    const model = createScriptedLanguageModel(() => "yes");
    const { episode } = run({ rewards: { contentJudge: createContentValidityJudge({ model }) } });
    expect((await episode).stepRecords.every((record) => record.rewards.content === null)).toBe(true);
    expect(model.calls).toHaveLength(0);
    const refused = run({ rewards: { weights: { content: 0.1 } } }).episode;
    await expect(refused).rejects.toBeInstanceOf(RunError);
    await expect(refused).rejects.toMatchObject({ code: "content_judge_required", path: ["rewards", "contentJudge"] });
  });
});

describe("cited evidence with a reasoner that does not cite", () => {
  it("is refused before any step when the reasoner says it does not cite", async () => {
    const { reasoner } = createKeywordReasoner(keywords, { cites: false, citeIds: false });
    const policy = scenarioPolicy();
    const refused = runEpisode({ instance, policy, reasoner, rewards: { evidence: "cited" } });
    await expect(refused).rejects.toMatchObject({ code: "evidence_not_cited", path: ["rewards", "evidence"] });
    expect(policy.inputs).toHaveLength(0);
  });

  it("is refused at the first uncited record when the reasoner does not say", async () => {
    const { reasoner } = createKeywordReasoner(keywords, { citeIds: false });
    const refused = runEpisode({ instance, policy: scenarioPolicy(), reasoner, rewards: { evidence: "cited" } });
    await expect(refused).rejects.toBeInstanceOf(RunError);
    await expect(refused).rejects.toMatchObject({ code: "evidence_not_cited" });
    // Retrieved evidence needs no citation.
    const { reasoner: plain } = createKeywordReasoner(keywords, { citeIds: false });
    await expect(runEpisode({ instance, policy: scenarioPolicy(), reasoner: plain })).resolves.toBeDefined();
  });
});

describe("defaults", () => {
  it("the paper's weights are the defaults this file's arithmetic assumes", () => {
    expect(DEFAULT_REWARD_WEIGHTS).toEqual({ beta: 0.5, chunk: 0.5, compression: 0.05, content: 0 });
  });
});
