import { generateSyntheticBenchmark } from "@finemem/benchmarks";
import { createExtractiveReader, createLlmMemoryPolicy } from "@finemem/policy";
import { type LanguageModel, SPECIFICATION_VERSION } from "@finemem/spec";
import { describe, expect, it } from "vitest";
import { runEpisode } from "../episode/run-episode.js";
import { createEpisodeEngine } from "./episode-engine.js";
import { createInMemoryEpisodeRepository } from "./episode-repository.js";
import { scriptedOutput } from "./test-support/scripted-client.js";

const [instance] = generateSyntheticBenchmark({ seed: "serve", instanceCount: 1, chunkCount: 3, questionsPerChunk: 2 });
const SETTINGS = { prompt: "flat", callStyle: "tools", rollout: 0, seed: "s" } as const;

describe("the episode engine", () => {
  it("gives the rewards runEpisode gives the same outputs in process, step by step over HTTP-shaped calls", async () => {
    const reasoner = createExtractiveReader();
    const engine = createEpisodeEngine({ repository: createInMemoryEpisodeRepository(), reasoner });
    const started = await engine.start(instance!, SETTINGS);
    expect(started).toMatchObject({ instanceId: instance!.instanceId, chunks: 3, next: { step: 1 } });
    let next = started.next;
    const applied = [];
    while (next !== null) {
      const result = await engine.step(
        started.episodeId,
        next.step,
        scriptedOutput(next, { step: next.step, limit: 3, tokens: true }),
        `key-${next.step}`,
      );
      applied.push(result);
      next = result.next;
    }
    expect(applied.map((result) => result.step)).toEqual([1, 2, 3]);
    const finalized = await engine.finalize(started.episodeId);

    // The oracle: the same outputs through runEpisode in this process.
    let step = 0;
    const model: LanguageModel = {
      specificationVersion: SPECIFICATION_VERSION,
      provider: "test",
      modelId: "client",
      async generate(request) {
        step += 1;
        return scriptedOutput(request, { step, limit: 3, tokens: true });
      },
    };
    const direct = await runEpisode({
      instance: instance!,
      policy: createLlmMemoryPolicy({ model, prompt: "flat", callStyle: "tools" }),
      reasoner,
      training: true,
      runId: "serve",
      seed: "s",
    });
    expect(finalized.steps.map((entry) => entry.rewards)).toEqual(direct.stepRecords.map((record) => record.rewards));
    expect(applied.map((result) => result.rewards.chunk)).toEqual(direct.steps.map((entry) => entry.chunkScore));
    expect(finalized.globalScore).toBe(direct.attribution.global);
    expect(finalized.samples).toHaveLength(3);
    expect(finalized.samples![0]!.llm!.responseLogprobs).toEqual([-0.5, -0.25, -0.125]);
    // Finalize again: the same answer from the journal.
    expect(await engine.finalize(started.episodeId)).toEqual(finalized);
  });

  it("answers a repeated key from the journal, and refuses another body under it, a step out of order, an early finalize", async () => {
    const engine = createEpisodeEngine({
      repository: createInMemoryEpisodeRepository(),
      reasoner: createExtractiveReader(),
    });
    const { episodeId, next } = await engine.start(instance!, SETTINGS);
    const first = await engine.step(episodeId, 1, scriptedOutput(next!, { step: 1, limit: 3, tokens: true }), "k1");
    const second = await engine.step(
      episodeId,
      2,
      scriptedOutput(first.next!, { step: 2, limit: 3, tokens: true }),
      "k2",
    );
    // k1 again after step 2: step 1's answer, with step 2's prompt as it was then.
    expect(await engine.step(episodeId, 1, scriptedOutput(next!, { step: 1, limit: 3, tokens: true }), "k1")).toEqual(
      first,
    );
    await expect(
      engine.step(episodeId, 1, { ...scriptedOutput(next!, { step: 1, limit: 3, tokens: true }), text: "other" }, "k1"),
    ).rejects.toMatchObject({
      code: "idempotency_conflict",
    });
    await expect(
      engine.step(episodeId, 2, scriptedOutput(first.next!, { step: 2, limit: 3, tokens: true }), "k-new"),
    ).rejects.toMatchObject({
      code: "step_order",
    });
    await expect(engine.finalize(episodeId)).rejects.toMatchObject({ code: "episode_not_finished" });
    // A fork continues from the same memory: its next prompt is step 3's, as the source's.
    const forked = await engine.fork(episodeId);
    expect(forked.next).toEqual(second.next);
    await engine.close(episodeId);
    await expect(
      engine.step(episodeId, 3, scriptedOutput(second.next!, { step: 3, limit: 3, tokens: true }), "k3"),
    ).rejects.toMatchObject({
      code: "unknown_episode",
    });
    // The fork is an episode of its own.
    const last = await engine.step(
      forked.episodeId,
      3,
      scriptedOutput(forked.next!, { step: 3, limit: 3, tokens: true }),
      "k3",
    );
    expect(last.next).toBeNull();
    await expect(
      engine.step(forked.episodeId, 4, scriptedOutput(forked.next!, { step: 3, limit: 3, tokens: true }), "k4"),
    ).rejects.toMatchObject({
      code: "episode_finished",
    });
  });
});
