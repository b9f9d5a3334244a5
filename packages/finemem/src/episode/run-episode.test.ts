import { generateSyntheticBenchmark } from "@finemem/benchmarks";
import { createInMemoryStore } from "@finemem/memory";
import { createExtractiveReader, createHeuristicPolicy } from "@finemem/policy";
import { describe, expect, it } from "vitest";
import { createMemoryCheckpoint } from "./episode-checkpoint.js";
import { runEpisode } from "./run-episode.js";
import { runRollouts } from "./run-rollouts.js";
import { countPolicy, countReasoner } from "./test-support/counting-doubles.js";

const [instance] = generateSyntheticBenchmark({
  seed: 11,
  instanceCount: 1,
  chunkCount: 4,
  factsPerChunk: 4,
  questionsPerChunk: 2,
});

describe("runEpisode", () => {
  it("logs every step with its operations, outcomes and every reward component; Σ r_EARA = r_global − β·U", async () => {
    const episode = await runEpisode({
      instance: instance!,
      policy: createHeuristicPolicy(),
      reasoner: createExtractiveReader(),
      runId: "run-a",
    });
    expect(episode.stepRecords).toHaveLength(4);
    for (const [index, record] of episode.stepRecords.entries()) {
      expect(record).toMatchObject({
        runId: "run-a",
        instanceId: instance!.instanceId,
        rollout: 0,
        step: index + 1,
        chunkId: instance!.chunks[index]!.id,
      });
      expect(record.results.map((result) => result.operationId)).toEqual(
        record.operations.map((operation) => operation.operationId),
      );
      const { format, chunk, evidence, eara, compression, total } = record.rewards;
      expect(chunk).not.toBeNull();
      expect(total).toBeCloseTo(eara! + format! + 0.5 * chunk! + 0.05 * compression!, 12);
      expect(evidence).toBe(episode.attribution.evidence[index]);
      expect(record.memoryTokens).toBeGreaterThan(0);
      // The record holds the step's own objects, not copies of them (the episode keeps both until it ends).
      const step = episode.steps[index]!;
      expect(record.results).toBe(step.results);
      expect(record.parseOutcomes).toBe(step.decision.parseOutcomes);
      expect(record.operations.map(({ operation }) => operation)).toEqual(step.decision.operations);
      record.operations.forEach(({ operation }, position) => {
        expect(operation).toBe(step.decision.operations[position]);
      });
    }
    const sum = episode.attribution.eara.reduce((total, value) => total + value, 0);
    expect(sum).toBeCloseTo(
      episode.attribution.global - episode.attribution.beta * episode.attribution.unattributed,
      12,
    );
    expect(episode.questions.map((question) => question.questionId)).toEqual(
      instance!.questions.map((question) => question.id),
    );
    expect(episode.memoryTokens).toBe(episode.stepRecords.at(-1)!.memoryTokens);
  });

  it("replays a checkpoint without asking the policy or the reasoner, and gives the same records", async () => {
    const checkpoint = createMemoryCheckpoint();
    const first = await runEpisode({
      instance: instance!,
      policy: createHeuristicPolicy(),
      reasoner: createExtractiveReader(),
      checkpoint,
    });
    const policy = countPolicy(createHeuristicPolicy());
    const reasoner = countReasoner(createExtractiveReader());
    const events: boolean[] = [];
    const again = await runEpisode({
      instance: instance!,
      policy: policy.value,
      reasoner: reasoner.value,
      checkpoint,
      onProgress: (event) => events.push(event.resumed),
    });
    expect(policy.calls()).toBe(0);
    expect(reasoner.calls()).toBe(0);
    expect(events.every(Boolean)).toBe(true);
    expect(events).toHaveLength(4 + instance!.questions.length);
    expect(again.stepRecords).toEqual(first.stepRecords);
    expect(again.finalView).toEqual(first.finalView);
  });

  it("refuses a checkpoint whose replay the store answers differently", async () => {
    const checkpoint = createMemoryCheckpoint();
    await runEpisode({
      instance: instance!,
      policy: createHeuristicPolicy(),
      reasoner: createExtractiveReader(),
      checkpoint,
    });
    const step = checkpoint.steps.get(2)!;
    await checkpoint.recordStep({
      ...step,
      results: step.results.map((result) => ({
        operationId: result.operationId,
        status: "rejected" as const,
        reason: "unknown_id" as const,
        message: "tampered",
      })),
    });
    await expect(
      runEpisode({
        instance: instance!,
        policy: createHeuristicPolicy(),
        reasoner: createExtractiveReader(),
        checkpoint,
      }),
    ).rejects.toMatchObject({ code: "resume_mismatch", path: ["steps", 2] });
  });

  it("a subsample of the global questions is scored when questionFraction < 1", async () => {
    const episode = await runEpisode({
      instance: instance!,
      policy: createHeuristicPolicy(),
      reasoner: createExtractiveReader(),
      rewards: { questionFraction: 0.2 },
      seed: "s",
    });
    expect(episode.questions).toHaveLength(Math.max(1, Math.round(instance!.questions.length * 0.2)));
    expect(episode.attribution.questionsScored).toBe(episode.questions.length);
  });
});

describe("runRollouts", () => {
  it("runs G rollouts from one state, each on its own fork", async () => {
    const base = createInMemoryStore({ layout: "flat" });
    const everyOther = (rollout: number) => {
      const heuristic = createHeuristicPolicy();
      if (rollout === 0) return heuristic;
      // The second rollout keeps only the first operation of each step: a different policy from the same state.
      return {
        ...heuristic,
        policyId: "first-only",
        decide: async (input: Parameters<typeof heuristic.decide>[0]) => {
          const decision = await heuristic.decide(input);
          return {
            ...decision,
            operations: decision.operations.slice(0, 1),
            parseOutcomes: decision.parseOutcomes.slice(0, 1),
          };
        },
      };
    };
    const [full, partial] = await runRollouts({
      instance: instance!,
      rollouts: 2,
      store: base,
      policy: everyOther,
      reasoner: createExtractiveReader(),
    });
    expect(full!.rollout).toBe(0);
    expect(partial!.rollout).toBe(1);
    expect(partial!.finalView.items.length).toBeLessThan(full!.finalView.items.length);
    expect(partial!.stepRecords.every((record) => record.rollout === 1)).toBe(true);
    expect((await base.view({ run: instance!.instanceId })).items).toEqual([]);
    await expect(
      runRollouts({
        instance: instance!,
        rollouts: 0,
        policy: createHeuristicPolicy(),
        reasoner: createExtractiveReader(),
      }),
    ).rejects.toMatchObject({ code: "invalid_option", path: ["rollouts"] });
  });

  it("the G rollouts of an instance answer the same sampled questions; instances and seeds get their own samples", async () => {
    // 20 questions at fraction 0.2: 4 asked per rollout. The same question ids under a second
    // instance id must not simply repeat the first instance's sample.
    const [many] = generateSyntheticBenchmark({
      seed: 5,
      instanceCount: 1,
      chunkCount: 4,
      factsPerChunk: 10,
      questionsPerChunk: 10,
    });
    expect(many!.questions.length).toBe(20);
    const twin = { ...many!, instanceId: `${many!.instanceId}-twin` };
    const sampled = async (of: typeof many, seed: string) =>
      (
        await runRollouts({
          instance: of!,
          rollouts: 4,
          policy: createHeuristicPolicy(),
          reasoner: createExtractiveReader(),
          rewards: { questionFraction: 0.2 },
          seed,
        })
      ).map((episode) => episode.questions.map((question) => question.questionId));
    const group = await sampled(many, "iteration-1");
    expect(group[0]).toHaveLength(4);
    for (const rollout of group) expect(rollout).toEqual(group[0]);
    const twinGroup = await sampled(twin, "iteration-1");
    for (const rollout of twinGroup) expect(rollout).toEqual(twinGroup[0]);
    expect(twinGroup[0]).not.toEqual(group[0]);
    const nextIteration = await sampled(many, "iteration-2");
    expect(nextIteration[0]).not.toEqual(group[0]);
  });
});
