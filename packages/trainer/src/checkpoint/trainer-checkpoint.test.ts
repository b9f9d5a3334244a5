import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkService, probePython, pythonPath } from "@finemem/testing";
import { afterAll, describe, expect, it } from "vitest";
import { createLocalTrainer } from "../local/local-trainer.js";
import { banditGroup, createBanditPolicy } from "../test-support/bandit-policy.js";
import { encodeSafetensors } from "./safetensors.js";
import {
  decodeTrainerCheckpoint,
  encodeTrainerCheckpoint,
  readTrainerCheckpoint,
  TRAINER_CHECKPOINT_FORMAT,
  writeTrainerCheckpoint,
} from "./trainer-checkpoint.js";

const python = await checkService("python", () => probePython(["numpy"]));
const folder = mkdtempSync(join(tmpdir(), "trainer-checkpoint-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const bits = (values: ArrayLike<number>) => [...new Uint32Array(Float32Array.from(values).buffer)];

async function trainedState(updates: number, seed = "c") {
  const policy = createBanditPolicy();
  const trainer = await createLocalTrainer({ policy, seed, config: { klCoefficient: 0.05, minibatches: 2 } });
  for (let update = 0; update < updates; update++)
    await trainer.update({ groups: [await banditGroup(policy, { seed: `u${update}` })], grouping: "per-step" });
  return { policy, trainer };
}

describe("trainer checkpoints", () => {
  it("resume from a file bit-identically", async () => {
    const straight = await trainedState(4);
    const expected = await straight.trainer.state();

    const first = await trainedState(2);
    const path = join(folder, "update-2.safetensors");
    await writeTrainerCheckpoint(path, { state: await first.trainer.state(), policy: { arms: 3 } });
    const { state, policy: policyConfig } = await readTrainerCheckpoint(path);
    expect(policyConfig).toEqual({ arms: 3 });
    expect(state.updateStep).toBe(2);
    const policy = createBanditPolicy([...state.parameters.logits!]);
    const trainer = await createLocalTrainer({ policy, resumeFrom: state });
    for (let update = 2; update < 4; update++)
      await trainer.update({ groups: [await banditGroup(policy, { seed: `u${update}` })], grouping: "per-step" });
    const resumed = await trainer.state();
    expect(bits(resumed.parameters.logits!)).toEqual(bits(expected.parameters.logits!));
    expect(bits(resumed.optimizer.moments.logits!.m)).toEqual(bits(expected.optimizer.moments.logits!.m));
    expect(bits(resumed.optimizer.moments.logits!.v)).toEqual(bits(expected.optimizer.moments.logits!.v));
    expect(resumed.reference).toEqual(expected.reference);
  });

  it.skipIf(!python.available)("open with a standard-library + numpy safetensors reader", async () => {
    const { trainer } = await trainedState(1);
    const state = await trainer.state();
    const path = join(folder, "for-python.safetensors");
    await writeTrainerCheckpoint(path, { state, policy: null });
    const run = spawnSync(pythonPath(), [join(import.meta.dirname, "../../python/read_safetensors.py"), path], {
      encoding: "utf8",
    });
    expect(run.stderr).toBe("");
    const read = JSON.parse(run.stdout) as {
      metadata: Record<string, string>;
      tensors: Record<string, { dtype: string; shape: number[]; values: number[] }>;
    };
    expect(read.metadata.format).toBe(TRAINER_CHECKPOINT_FORMAT);
    expect(read.metadata.update_step).toBe("1");
    expect(JSON.parse(read.metadata.config!)).toEqual(state.config);
    expect(Object.keys(read.tensors).sort()).toEqual([
      "adam.m/logits",
      "adam.v/logits",
      "param/logits",
      "reference/logits",
    ]);
    expect(read.tensors["param/logits"]).toMatchObject({ dtype: "F32", shape: [3] });
    expect(bits(read.tensors["param/logits"]!.values)).toEqual(bits(state.parameters.logits!));
  });
});

describe("bad checkpoints", () => {
  const valid = async () =>
    encodeTrainerCheckpoint({ state: await (await trainedState(1)).trainer.state(), policy: null });

  it("an unwritable path is write_failed, and leaves no temporary file", async () => {
    const path = join(folder, "no-such-folder", "c.safetensors");
    await expect(
      writeTrainerCheckpoint(path, { state: await (await trainedState(1)).trainer.state(), policy: null }),
    ).rejects.toMatchObject({
      code: "write_failed",
    });
  });

  it("a missing file is missing_file", async () => {
    await expect(readTrainerCheckpoint(join(folder, "nowhere.safetensors"))).rejects.toMatchObject({
      code: "missing_file",
    });
  });

  it("a truncated file is corrupt_checkpoint", async () => {
    const bytes = await valid();
    const path = join(folder, "truncated.safetensors");
    writeFileSync(path, bytes.subarray(0, bytes.length - 5));
    await expect(readTrainerCheckpoint(path)).rejects.toMatchObject({ code: "corrupt_checkpoint" });
  });

  it("a safetensors file of something else is corrupt_checkpoint naming the format", () => {
    const other = encodeSafetensors({ w: { dtype: "F32", shape: [1], data: new Float32Array([1]) } }, { format: "pt" });
    expect(() => decodeTrainerCheckpoint(other)).toThrow(
      expect.objectContaining({ code: "corrupt_checkpoint", path: ["metadata", "format"] }),
    );
  });

  it("a newer version is newer_format, naming both versions", () => {
    const newer = encodeSafetensors(
      { "param/w": { dtype: "F32", shape: [1], data: new Float32Array([1]) } },
      { format: TRAINER_CHECKPOINT_FORMAT, format_version: "7" },
    );
    expect(() => decodeTrainerCheckpoint(newer)).toThrow(
      expect.objectContaining({ code: "newer_format", message: expect.stringMatching(/version 7.*reads up to 1/) }),
    );
  });

  it("broken metadata and unknown tensors are corrupt_checkpoint with their path", async () => {
    const base = {
      format: TRAINER_CHECKPOINT_FORMAT,
      format_version: "1",
      update_step: "1",
      adam_step: "1",
      seed: "s",
      config: "{}",
      policy: "null",
    };
    const w = { dtype: "F32" as const, shape: [1], data: new Float32Array([1]) };
    expect(() => decodeTrainerCheckpoint(encodeSafetensors({ "param/w": w }, { ...base, update_step: "-1" }))).toThrow(
      expect.objectContaining({ code: "corrupt_checkpoint", path: ["metadata", "update_step"] }),
    );
    expect(() => decodeTrainerCheckpoint(encodeSafetensors({ "param/w": w }, { ...base, config: "{" }))).toThrow(
      expect.objectContaining({ code: "corrupt_checkpoint", path: ["metadata", "config"] }),
    );
    expect(() => decodeTrainerCheckpoint(encodeSafetensors({ "grad/w": w }, base))).toThrow(
      expect.objectContaining({ code: "corrupt_checkpoint", path: ["tensors", "grad/w"] }),
    );
    expect(() => decodeTrainerCheckpoint(encodeSafetensors({ "param/w": w, "adam.m/w": w }, base))).toThrow(
      expect.objectContaining({ code: "corrupt_checkpoint" }),
    );
  });
});
