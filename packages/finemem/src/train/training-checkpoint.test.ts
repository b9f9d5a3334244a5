import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateSyntheticBenchmark } from "@finemem/benchmarks";
import { createExtractiveReader } from "@finemem/policy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLearnedTrainee } from "./learned-trainee.js";
import { loadLearnedPolicy } from "./load-learned-policy.js";
import { train } from "./train.js";
import { readTrainingCheckpoint, resolveCheckpointFolder, writeTrainingCheckpoint } from "./training-checkpoint.js";

let work: string;
let runDir: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "finemem-checkpoint-"));
  runDir = join(work, "run");
  await train({
    runId: "ckpt",
    runDir,
    seed: "c",
    updates: 2,
    rollouts: 2,
    instances: (update) =>
      generateSyntheticBenchmark({ seed: `ckpt/${update}`, instanceCount: 1, chunkCount: 2, questionsPerChunk: 2 }),
    trainee: createLearnedTrainee({ seed: "c", policy: { initSeed: "c", hidden: 8 } }),
    reasoner: createExtractiveReader(),
    checkpointEvery: 1,
  });
});
afterAll(async () => rm(work, { recursive: true, force: true }));

describe("training checkpoints", () => {
  it("a run folder names its latest checkpoint, whose learned policy loads with its configuration and parameters", async () => {
    expect(await resolveCheckpointFolder(runDir)).toBe(join(runDir, "checkpoints", "update-000002"));
    const loaded = await loadLearnedPolicy({ checkpoint: runDir });
    expect(loaded.policy.policyId).toBe("learned:ckpt@update-2");
    expect(loaded.policy.config.hidden).toBe(8);
    expect(loaded.description).toMatchObject({ runId: "ckpt", update: 2, seed: "c", hasTrainerState: true });
    // The start (update 0) and update 2 hold different parameters: the trainer moved them.
    const start = await loadLearnedPolicy({ checkpoint: join(runDir, "checkpoints", "update-000000") });
    const [before, after] = [await start.policy.parameterValues(), await loaded.policy.parameterValues()];
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    expect(Object.keys(after).some((name) => after[name]!.some((value, i) => value !== before[name]![i]))).toBe(true);
    start.policy.dispose();
    loaded.policy.dispose();
  });

  it("names what is wrong: no checkpoint, a checkpoint.json that is not JSON, a newer version, a missing trainer file", async () => {
    await expect(loadLearnedPolicy({ checkpoint: work })).rejects.toMatchObject({ code: "no_checkpoint" });
    const folder = join(work, "broken");
    await writeTrainingCheckpoint(
      folder,
      { runId: "b", update: 1, seed: "s", policy: { kind: "learned" }, evaluation: null, heldoutScore: null },
      new Uint8Array([1, 2, 3]),
    );
    const written = join(folder, "update-000001");
    const description = await readFile(join(written, "checkpoint.json"), "utf8");

    await writeFile(join(written, "checkpoint.json"), "{ torn");
    await expect(readTrainingCheckpoint(written)).rejects.toMatchObject({ code: "corrupt_checkpoint" });
    await writeFile(join(written, "checkpoint.json"), description.replace('"version": 1', '"version": 99'));
    const newer = (await readTrainingCheckpoint(written).catch((error: unknown) => error)) as Error;
    expect(newer).toMatchObject({ code: "newer_format" });
    expect(newer.message).toContain("version 99");
    expect(newer.message).toContain("upgrade finemem");
    await writeFile(join(written, "checkpoint.json"), description);
    await rm(join(written, "trainer.safetensors"));
    await expect(readTrainingCheckpoint(written)).rejects.toMatchObject({ code: "corrupt_checkpoint" });
    // An external engine's checkpoint has no parameters here: not a learned policy to load.
    const external = join(work, "external");
    await writeTrainingCheckpoint(
      external,
      { runId: "e", update: 1, seed: "s", policy: { kind: "llm" }, evaluation: null, heldoutScore: null },
      undefined,
    );
    await expect(loadLearnedPolicy({ checkpoint: join(external, "update-000001") })).rejects.toMatchObject({
      code: "no_checkpoint",
    });
  });
});
