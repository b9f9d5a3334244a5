// integrations/verl against the real `finemem serve` (issue #15, acceptance 3): the Python package's
// agent loop, on its documented stand-in of verl v0.9.0's classes, runs G rollouts of one instance
// through the server with a scripted generator. Each per-step sample's reward must equal the server's
// record of that step, and its advantage (finemem_grpo, computed in Python) must equal
// @finemem/trainer's for the same groups within 1e-9·(1 + |a|).
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { generateSyntheticBenchmark } from "@finemem/benchmarks";
import { createExtractiveReader } from "@finemem/policy";
import type { RolloutGroup, TrainingSample } from "@finemem/spec";
import { checkService, probePython, pythonPath } from "@finemem/testing";
import { computeStepAdvantages } from "@finemem/trainer";
import {
  createEpisodeEngine,
  createInMemoryEpisodeRepository,
  createServeApp,
  type RunningServer,
  startServer,
} from "finemem/serve";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const python = await checkService("python", () => probePython([]));
const SCRIPT = resolve(import.meta.dirname, "../../../integrations/verl/scripts/run_standin_rollouts.py");
const TOKEN = "verl-token";
const G = 3;

interface ScriptOutput {
  readonly rollouts: readonly {
    readonly rollout: number;
    readonly episodeId: string;
    readonly steps: readonly {
      readonly step: number;
      readonly reward_score: number;
      readonly rewards: Record<string, number | null>;
      readonly advantage: number;
    }[];
  }[];
}

describe.skipIf(!python.available)("integrations/verl's stand-in loop against finemem serve", () => {
  let server: RunningServer;
  let work: string;
  let instanceFile: string;
  const [instance] = generateSyntheticBenchmark({
    seed: "verl",
    instanceCount: 1,
    chunkCount: 4,
    questionsPerChunk: 2,
  });
  beforeAll(async () => {
    const serveApp = createServeApp({
      engine: createEpisodeEngine({
        repository: createInMemoryEpisodeRepository(),
        reasoner: createExtractiveReader(),
      }),
      token: TOKEN,
    });
    server = await startServer({ serveApp });
    work = mkdtempSync(join(tmpdir(), "finemem-verl-"));
    instanceFile = join(work, "instance.json");
    writeFileSync(instanceFile, JSON.stringify(instance));
  });
  afterAll(async () => {
    await server.close();
    rmSync(work, { recursive: true, force: true });
  });

  it.each(["pooled", "per-step"] as const)(
    "%s groups: rewards are the server's, advantages the trainer's",
    async (grouping) => {
      const { stdout } = await promisify(execFile)(
        pythonPath(),
        [
          SCRIPT,
          "--url",
          server.url,
          "--token",
          TOKEN,
          "--instance",
          instanceFile,
          "--rollouts",
          String(G),
          "--grouping",
          grouping,
        ],
        { encoding: "utf8", timeout: 60_000 },
      );
      const output = JSON.parse(stdout) as ScriptOutput;
      expect(output.rollouts.map((rollout) => rollout.rollout)).toEqual([0, 1, 2]);

      const samples: { rollout: number; samples: readonly TrainingSample[] }[] = [];
      for (const rollout of output.rollouts) {
        const response = await fetch(`${server.url}/v1/episodes/${rollout.episodeId}/finalize`, {
          method: "POST",
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        const finalized = (await response.json()) as {
          steps: { step: number; rewards: Record<string, number | null> }[];
          samples: TrainingSample[];
        };
        expect(rollout.steps.map((step) => step.step)).toEqual(finalized.steps.map((step) => step.step));
        for (const [index, step] of rollout.steps.entries()) {
          expect(step.rewards).toEqual(finalized.steps[index]!.rewards);
          expect(step.reward_score).toBe(finalized.steps[index]!.rewards.total);
        }
        samples.push({ rollout: rollout.rollout, samples: finalized.samples });
      }

      const group: RolloutGroup = {
        instanceId: instance!.instanceId,
        rollouts: samples.map(({ rollout, samples: own }) => ({
          rolloutId: `${instance!.instanceId}:r${rollout}`,
          rollout,
          seed: `verl/${rollout}`,
          samples: own,
        })),
      };
      const expected = await computeStepAdvantages([group], { grouping });
      // Not all equal: the scripted generator varies its operations per rollout, so the test can fail.
      expect(new Set(expected.map((entry) => entry.reward.toFixed(9))).size).toBeGreaterThan(1);
      for (const rollout of output.rollouts)
        for (const step of rollout.steps) {
          const trainer = expected.find((entry) => entry.rollout === rollout.rollout && entry.step === step.step)!;
          expect(Math.abs(step.advantage - trainer.advantage)).toBeLessThanOrEqual(
            1e-9 * (1 + Math.abs(trainer.advantage)),
          );
        }
    },
  );
});
