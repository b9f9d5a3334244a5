// runRollouts: G episodes of one instance, each on its own fork of one starting store, with the
// policy (or one per rollout), the caller's signal and a checkpoint per rollout. The two-chunk
// instance of test-support/two-chunk-episode.ts.
import { createInMemoryStore } from "@finemem/memory";
import { createScriptedPolicy, createWhitespaceTokenCounter } from "@finemem/spec/testing";
import { describe, expect, it, vi } from "vitest";
import { RunError } from "../run/run-error.js";
import { createMemoryCheckpoint, type EpisodeCheckpoint } from "./episode-checkpoint.js";
import { type RunRolloutsOptions, runRollouts } from "./run-rollouts.js";
import { createKeywordReasoner } from "./test-support/keyword-reasoner.js";
import {
  ADA,
  BO,
  CY,
  TWO_CHUNK_INSTANCE,
  TWO_CHUNK_KEYWORDS,
  twoChunkPolicy,
} from "./test-support/two-chunk-episode.js";

function rollouts(options: Partial<RunRolloutsOptions> & Pick<RunRolloutsOptions, "rollouts">) {
  return runRollouts({
    instance: TWO_CHUNK_INSTANCE,
    policy: twoChunkPolicy(),
    reasoner: createKeywordReasoner(TWO_CHUNK_KEYWORDS).reasoner,
    tokenCounter: createWhitespaceTokenCounter(),
    ...options,
  });
}

describe("runRollouts", () => {
  it.each([0, 1.5])("refuses rollouts = %s with invalid_option at [rollouts]", async (count) => {
    const refused = rollouts({ rollouts: count });
    await expect(refused).rejects.toBeInstanceOf(RunError);
    await expect(refused).rejects.toMatchObject({ code: "invalid_option", path: ["rollouts"] });
  });

  it("runs exactly G rollouts, numbered 0..G−1, one policy per rollout when given a function", async () => {
    const episodes = await rollouts({
      rollouts: 3,
      policy: (rollout) => ({ ...twoChunkPolicy(), policyId: `policy-${rollout}` }),
    });
    expect(episodes.map((episode) => [episode.rollout, episode.policyId])).toEqual([
      [0, "policy-0"],
      [1, "policy-1"],
      [2, "policy-2"],
    ]);
    for (const episode of episodes)
      expect(episode.stepRecords.every((record) => record.rollout === episode.rollout)).toBe(true);
    for (const episode of episodes) expect(episode.finalView.items.map((item) => item.content)).toEqual([ADA, BO, CY]);
  });

  it("the default starting store has the policy's layout", async () => {
    // A typed policy rewrites the core paragraph, which only a typed store accepts.
    const typed = createScriptedPolicy(
      () => [{ type: "UPDATE", id: "core", content: "The user is Ada.", memoryType: "core" }],
      { layout: "typed" },
    );
    const [episode] = await rollouts({ rollouts: 1, policy: typed });
    expect(episode!.finalView.layout).toBe("typed");
    expect(episode!.steps.map((step) => step.results.map((result) => result.status))).toEqual([
      ["applied"],
      ["applied"],
    ]);
  });

  it("forks the starting store with the caller's signal, and without one when none is given", async () => {
    const base = createInMemoryStore({ layout: "flat" });
    const fork = vi.spyOn(base, "fork");
    const { signal } = new AbortController();
    await rollouts({ rollouts: 2, store: base, signal });
    expect(fork.mock.calls).toEqual([[{ signal }], [{ signal }]]);
    fork.mockClear();
    await rollouts({ rollouts: 1, store: base });
    expect(fork.mock.calls).toEqual([[{}]]);
  });

  it("gives each rollout the checkpoint checkpointFor returns for it: a second run replays them all", async () => {
    const checkpoints = [createMemoryCheckpoint(), createMemoryCheckpoint()];
    const requested: number[] = [];
    const checkpointFor = (rollout: number): EpisodeCheckpoint => {
      requested.push(rollout);
      return checkpoints[rollout]!;
    };
    // Rollout 1 keeps only step 1's first INSERT: the two checkpoints differ.
    const policyFor = (rollout: number) =>
      rollout === 0
        ? twoChunkPolicy()
        : createScriptedPolicy((input) => (input.step === 1 ? [{ type: "INSERT", content: ADA }] : [{ type: "SKIP" }]));
    const first = await rollouts({ rollouts: 2, policy: policyFor, checkpointFor });
    expect(requested).toEqual([0, 1]);
    expect(checkpoints.map((checkpoint) => checkpoint.steps.get(1)!.decision.operations.length)).toEqual([2, 1]);

    const policies = [twoChunkPolicy(), twoChunkPolicy()];
    const again = await rollouts({ rollouts: 2, policy: (rollout) => policies[rollout]!, checkpointFor });
    expect(policies.map((policy) => policy.inputs.length)).toEqual([0, 0]);
    expect(again.map((episode) => episode.stepRecords)).toEqual(first.map((episode) => episode.stepRecords));
    expect(again[1]!.finalView.items.map((item) => item.content)).toEqual([ADA]);
  });
});
