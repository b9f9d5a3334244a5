// runEpisode with a checkpoint: recorded steps are replayed through the store (no policy call),
// recorded questions are reused (no reasoner call), a replay the store or the instance contradicts is
// a resume_mismatch, a step recorded without r_content is judged on replay, and every finished unit
// of work is reported as a progress event. The two-chunk instance of test-support/two-chunk-episode.ts.
import { createWhitespaceTokenCounter } from "@finemem/spec/testing";
import { describe, expect, it } from "vitest";
import { RunError } from "../run/run-error.js";
import { createMemoryCheckpoint, type EpisodeCheckpoint } from "./episode-checkpoint.js";
import { type EpisodeProgress, type RunEpisodeOptions, runEpisode } from "./run-episode.js";
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

function run(options: Partial<RunEpisodeOptions> = {}) {
  const policy = twoChunkPolicy();
  const { reasoner, asked } = createKeywordReasoner(TWO_CHUNK_KEYWORDS);
  const events: EpisodeProgress[] = [];
  const episode = runEpisode({
    instance: TWO_CHUNK_INSTANCE,
    policy,
    reasoner,
    tokenCounter: createWhitespaceTokenCounter(),
    onProgress: (event) => events.push(event),
    ...options,
  });
  return { episode, policy, asked, events };
}

/** A checkpoint holding the finished steps numbered in `steps` of `from`, and none of its questions. */
async function withSteps(from: EpisodeCheckpoint, steps: readonly number[]): Promise<EpisodeCheckpoint> {
  const partial = createMemoryCheckpoint();
  for (const step of steps) await partial.recordStep(from.steps.get(step)!);
  return partial;
}

const step = (resumed: boolean): EpisodeProgress => ({ kind: "step", resumed });
const question = (resumed: boolean): EpisodeProgress => ({ kind: "question", resumed });

describe("runEpisode: progress events", () => {
  it("a fresh episode reports each step, then each global question, none resumed", async () => {
    const { episode, events } = run();
    await episode;
    expect(events).toEqual([step(false), step(false), question(false), question(false)]);
  });

  it("a replay from a full checkpoint reports every unit as resumed and calls neither model", async () => {
    const checkpoint = createMemoryCheckpoint();
    const first = await run({ checkpoint }).episode;
    expect([...checkpoint.steps.keys()]).toEqual([1, 2]);
    expect([...checkpoint.questions.keys()].sort()).toEqual(["g1", "g2"]);
    const again = run({ checkpoint });
    const replayed = await again.episode;
    expect(again.events).toEqual([step(true), step(true), question(true), question(true)]);
    expect(again.policy.inputs).toHaveLength(0);
    expect(again.asked).toHaveLength(0);
    // The replayed steps are the recorded ones, with nothing added (no judge: no contentScore).
    expect(replayed.steps).toEqual(first.steps);
    for (const recorded of replayed.steps) expect(recorded).not.toHaveProperty("contentScore");
    expect(replayed.questions).toEqual(first.questions);
    expect(replayed.stepRecords).toEqual(first.stepRecords);
    expect(replayed.finalView.items.map((item) => item.content)).toEqual([ADA, BO, CY]);
  });

  it("a checkpoint holding step 1 alone: step 1 is replayed, step 2 and the questions are computed", async () => {
    const full = createMemoryCheckpoint();
    const first = await run({ checkpoint: full }).episode;
    const partial = await withSteps(full, [1]);
    const again = run({ checkpoint: partial });
    const resumed = await again.episode;
    expect(again.events).toEqual([step(true), step(false), question(false), question(false)]);
    // The policy was asked for step 2 only, on M_1 rebuilt by the replay.
    expect(again.policy.inputs.map((input) => [input.step, input.view.items.map((item) => item.content)])).toEqual([
      [2, [ADA, BO]],
    ]);
    // Only step 2's chunk question and the global questions were asked.
    expect(again.asked.map((entry) => entry.questionId)).toEqual(["c2.q0", "g1", "g2"]);
    expect(resumed.stepRecords).toEqual(first.stepRecords);
    // What was computed is recorded.
    expect([...partial.steps.keys()]).toEqual([1, 2]);
  });
});

describe("runEpisode: resume_mismatch", () => {
  it("a recorded step of another chunk id is refused at [steps, <step>], even when the store's outcomes agree", async () => {
    const checkpoint = createMemoryCheckpoint();
    await run({ checkpoint }).episode;
    // The same texts under another id for chunk 2: replaying step 2 gives the recorded outcomes.
    const renamed = {
      ...TWO_CHUNK_INSTANCE,
      chunks: [TWO_CHUNK_INSTANCE.chunks[0]!, { ...TWO_CHUNK_INSTANCE.chunks[1]!, id: "c2-renamed" }],
    };
    const again = run({ instance: renamed, checkpoint, rollout: 4 });
    await expect(again.episode).rejects.toBeInstanceOf(RunError);
    await expect(again.episode).rejects.toMatchObject({ code: "resume_mismatch", path: ["steps", 2] });
    await expect(again.episode).rejects.toThrow(
      /^instance tiny-0 rollout 4 step 2: replaying the recorded operations gave other outcomes than recorded/u,
    );
    expect(again.policy.inputs).toHaveLength(0);
  });

  it("a recorded step whose outcomes the store does not give again is refused", async () => {
    const checkpoint = createMemoryCheckpoint();
    await run({ checkpoint }).episode;
    // Step 1 recorded as if its second INSERT had been rejected: the store applies it.
    const recorded = checkpoint.steps.get(1)!;
    await checkpoint.recordStep({
      ...recorded,
      results: [
        recorded.results[0]!,
        { operationId: "s1.1", status: "rejected", reason: "duplicate_insert", message: "tampered" },
      ],
    });
    await expect(run({ checkpoint }).episode).rejects.toMatchObject({ code: "resume_mismatch", path: ["steps", 1] });
  });
});

describe("runEpisode: r_content on replay", () => {
  it("a step recorded without contentScore is judged on replay when the judge is on", async () => {
    // The journal was written with the judge off. Replayed with it on: each step's applied operations
    // are judged (step 1: the two INSERTs; step 2: Cy's), the judge's 0.5 is r_content, and
    // r(t) gains 0.1 · 0.5 = 0.05 over the run without it.
    const checkpoint = createMemoryCheckpoint();
    const unjudged = await run({ checkpoint }).episode;
    const { judge, shown } = createRecordingJudge(0.5);
    const again = run({ checkpoint, rewards: { weights: { content: 0.1 }, contentJudge: judge } });
    const judged = await again.episode;
    expect(again.policy.inputs).toHaveLength(0);
    expect(shown).toEqual([
      [
        { type: "INSERT", content: ADA },
        { type: "INSERT", content: BO },
      ],
      [{ type: "INSERT", content: CY }],
    ]);
    expect(judged.steps.map((recorded) => recorded.contentScore)).toEqual([0.5, 0.5]);
    expect(judged.stepRecords.map((record) => record.rewards.content)).toEqual([0.5, 0.5]);
    judged.stepRecords.forEach((record, index) => {
      expect(record.rewards.total).toBeCloseTo(unjudged.stepRecords[index]!.rewards.total + 0.05, 12);
    });
  });

  it("a step recorded with its contentScore is not judged again", async () => {
    const checkpoint = createMemoryCheckpoint();
    const { judge: first } = createRecordingJudge(0.5);
    await run({ checkpoint, rewards: { weights: { content: 0.1 }, contentJudge: first } }).episode;
    expect([...checkpoint.steps.values()].map((recorded) => recorded.contentScore)).toEqual([0.5, 0.5]);
    // A second judge that would say otherwise is never asked: the recorded 0.5 stands.
    const { judge: second, shown } = createRecordingJudge(1);
    const replayed = await run({ checkpoint, rewards: { weights: { content: 0.1 }, contentJudge: second } }).episode;
    expect(shown).toHaveLength(0);
    expect(replayed.stepRecords.map((record) => record.rewards.content)).toEqual([0.5, 0.5]);
  });
});
