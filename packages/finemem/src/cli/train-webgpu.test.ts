// `finemem train --backend webgpu`: the learned policy's parameters and the trainer's updates on
// WebGPU (Dawn on a Vulkan driver; lavapipe in CI). Its first update samples from the same initial
// parameters as the CPU run, so it sees the same rollouts and rewards; its checkpoint loads on the CPU.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkService, probeVulkanDriver } from "@finemem/testing";
import { afterAll, describe, expect, it } from "vitest";
import { loadLearnedPolicy } from "../train/load-learned-policy.js";
import { runCliCaptured } from "./test-support/run-cli-captured.js";
import { SMALL_TRAINING_FLAGS } from "./test-support/small-training.js";

const webgpu = await checkService("webgpu", () => probeVulkanDriver());
const work = mkdtempSync(join(tmpdir(), "finemem-train-webgpu-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const ARGS = [
  "train",
  "--updates",
  "2",
  ...SMALL_TRAINING_FLAGS,
  "--set",
  "train.baselines=[]",
  "--run-id",
  "gpu",
  "--quiet",
];

const lines = (path: string) =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as { update: number; rewards: Record<string, number | null>; loss: number });

describe.skipIf(!webgpu.available)("finemem train --backend webgpu", () => {
  it("trains with the CPU run's first rollouts and rewards, and writes a checkpoint the CPU loads", {
    timeout: 120_000,
  }, async () => {
    const cpu = await runCliCaptured([...ARGS, "--out", join(work, "cpu")], { cwd: work });
    expect(cpu.code, cpu.stderr).toBe(0);
    const gpu = await runCliCaptured([...ARGS, "--backend", "webgpu", "--out", join(work, "gpu")], { cwd: work });
    expect(gpu.code, gpu.stderr).toBe(0);
    expect(gpu.stdout).toContain("backend webgpu");
    const onCpu = lines(join(work, "cpu", "gpu", "updates.jsonl"));
    const onGpu = lines(join(work, "gpu", "gpu", "updates.jsonl"));
    expect(onGpu).toHaveLength(2);
    expect(onGpu[0]!.rewards).toEqual(onCpu[0]!.rewards);
    expect(onGpu[0]!.loss).toBeCloseTo(onCpu[0]!.loss, 4);
    const loaded = await loadLearnedPolicy({ checkpoint: join(work, "gpu", "gpu") });
    expect(loaded.description.update).toBe(2);
    loaded.policy.dispose();
  });
});
