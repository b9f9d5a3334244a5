import { generateSyntheticBenchmark } from "@finemem/benchmarks";
import { createExtractiveReader, createLlmMemoryPolicy } from "@finemem/policy";
import { type LanguageModel, type Reasoner, SPECIFICATION_VERSION } from "@finemem/spec";
import { describe, expect, it } from "vitest";
import { runEpisode } from "../episode/run-episode.js";
import { createEpisodeEngine, type EpisodeEngine, type StepApplied } from "./episode-engine.js";
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

describe("live episodes", () => {
  const [long] = generateSyntheticBenchmark({ seed: "live", instanceCount: 1, chunkCount: 6, questionsPerChunk: 2 });

  /** Runs the whole episode, the request for each step going to `engineFor(step)`; retries a failed step once. */
  const runThrough = async (engines: readonly EpisodeEngine[], engineFor: (step: number) => number) => {
    const started = await engines[0]!.start(long!, SETTINGS);
    const applied: StepApplied[] = [];
    const failures: string[] = [];
    let next = started.next;
    while (next !== null) {
      if (applied.length === 2 * long!.chunks.length)
        throw new Error(`the episode does not end: ${JSON.stringify(next)}`);
      const engine = engines[engineFor(next.step)]!;
      const output = scriptedOutput(next, { step: next.step, limit: 2, tokens: true });
      const result = await engine
        .step(started.episodeId, next.step, output, `key-${next.step}`)
        .catch(async (error: Error) => {
          failures.push(`${next!.step}: ${error.message}`);
          return engine.step(started.episodeId, next!.step, output, `key-${next!.step}`);
        });
      applied.push(result);
      next = result.next;
    }
    const finalized = await engines[engineFor(7)]!.finalize(started.episodeId);
    const strip = <T extends { episodeId: string }>({ episodeId: _, ...rest }: T) => rest;
    return { applied: applied.map(strip), finalized: strip(finalized), failures };
  };

  it("answers as a replay of the journal does, in one process or in two sharing the repository, whatever it keeps", async () => {
    const reasoner = createExtractiveReader();
    const engine = (liveEpisodes?: number, repository = createInMemoryEpisodeRepository()) =>
      createEpisodeEngine({ repository, reasoner, ...(liveEpisodes === undefined ? {} : { liveEpisodes }) });
    const replayed = await runThrough([engine(0)], () => 0);
    expect(replayed.applied.map((entry) => entry.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await runThrough([engine()], () => 0)).toEqual(replayed);
    // Two processes over one repository, taking turns: each one's live run is a step behind the journal.
    const shared = createInMemoryEpisodeRepository();
    expect(await runThrough([engine(undefined, shared), engine(undefined, shared)], (step) => step % 2)).toEqual(
      replayed,
    );
    // Runs of two episodes interleaved in a process that keeps one live.
    const one = engine(1);
    const [a, b] = await Promise.all([runThrough([one], () => 0), runThrough([one], () => 0)]);
    expect(a).toEqual(replayed);
    expect(b).toEqual(replayed);
  });

  it("after a step fails in a live run, the same request again applies it once, as a replay would", async () => {
    const reader = createExtractiveReader();
    let calls = 0;
    const flaky: Reasoner = {
      ...reader,
      async answer(input, callOptions) {
        calls += 1;
        // Step 3's chunk questions: the first two steps asked two each.
        if (calls === 5) throw new Error("reasoner unreachable");
        return reader.answer(input, callOptions);
      },
    };
    const repository = createInMemoryEpisodeRepository();
    const result = await runThrough([createEpisodeEngine({ repository, reasoner: flaky })], () => 0);
    expect(result.failures).toEqual(["3: reasoner unreachable"]);
    const clean = await runThrough(
      [createEpisodeEngine({ repository: createInMemoryEpisodeRepository(), reasoner: reader, liveEpisodes: 0 })],
      () => 0,
    );
    expect(result.applied).toEqual(clean.applied);
    expect(result.finalized).toEqual(clean.finalized);
  });
});
