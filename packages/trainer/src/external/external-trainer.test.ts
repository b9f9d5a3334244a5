// The external backend end to end: the files it writes (JSONL fields; parquet read back with hyparquet
// equal to the JSONL rows), its numbering and resume, its metrics, and its typed errors.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SPECIFICATION_VERSION, type TrainerUpdateRequest, trainerMetricsValidator } from "@finemem/spec";
import { rejection } from "@finemem/testing";
import { decodeJsonl } from "@finemem/utils";
import { parquetMetadata, parquetReadObjects } from "hyparquet";
import { describe, expect, it } from "vitest";
import { TrainerError } from "../trainer-error.js";
import type { ExportedTrainingSample } from "./export-schema.js";
import { createExternalTrainer } from "./external-trainer.js";
import { mixedRequest } from "./test-support/export-fixtures.js";

function freshDirectory(): string {
  return join(mkdtempSync(join(tmpdir(), "finemem-external-")), "export");
}

function readRows(directory: string, update = 1): ExportedTrainingSample[] {
  const name = `samples-${String(update).padStart(6, "0")}.jsonl`;
  return decodeJsonl(readFileSync(join(directory, name), "utf8")) as ExportedTrainingSample[];
}

async function readParquet(directory: string, update = 1): Promise<Record<string, unknown>[]> {
  const bytes = readFileSync(join(directory, `samples-${String(update).padStart(6, "0")}.parquet`));
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return (await parquetReadObjects({ file })) as Record<string, unknown>[];
}

describe("the external backend", () => {
  it("is a spec TrainerBackend that writes one JSONL line per sample", async () => {
    const directory = freshDirectory();
    const trainer = await createExternalTrainer({ directory });
    expect(trainer.specificationVersion).toBe(SPECIFICATION_VERSION);
    expect(trainer.backendId).toBe("external");
    expect(trainer.updateStep).toBe(0);
    const metrics = await trainer.update(mixedRequest("per-step"));
    expect(trainerMetricsValidator.validate(metrics).ok).toBe(true);
    expect(trainer.updateStep).toBe(1);
    expect(readdirSync(directory).sort()).toEqual(["samples-000001.jsonl", "samples-000001.parquet"]);

    const rows = readRows(directory);
    expect(rows).toHaveLength(9);
    for (const row of rows) {
      expect(row).toMatchObject({
        schemaVersion: 1,
        updateStep: 1,
        grouping: "per-step",
        normalizeByStd: true,
        epsilon: 1e-6,
      });
    }
    // inst-a, rollout 1, step 2 (an LLM sample): step 2's group is {0, 0.5}, so +0.25 / (√0.125 + 1e-6).
    expect(rows[3]).toMatchObject({
      instanceId: "inst-a",
      rollout: 1,
      step: 2,
      groupId: "0:inst-a:step-2",
      kind: "llm",
      reward: 0.5,
      rewardFormat: 1,
      rewardChunk: 0.5,
      rewardEvidence: null,
      rewardEara: null,
      rewardCompression: 0.25,
      rewardContent: null,
      advantage: expect.closeTo(0.25 / (Math.sqrt(0.125) + 1e-6), 12),
      actionLogprob: -1.25,
      promptTokenIds: [151644, 8948, 198, 102, 201],
      responseTokenIds: [151657, 43, 151645],
      behaviourLogprobs: [-0.5, -0.75, 0],
      finishReason: "length",
      truncated: true,
      decisionLogprobs: null,
      replay: null,
    });
    // inst-b has one step per rollout: per-step, each group is the three rollouts' step 1.
    expect(rows.slice(4, 7).map((row) => row.groupId)).toEqual([
      "1:inst-b:step-1",
      "1:inst-b:step-1",
      "1:inst-b:step-1",
    ]);
    // inst-c has one rollout: each step is a singleton group (mean 0, std 1), so r / (1 + 1e-6).
    expect(rows.slice(7).map((row) => row.advantage)).toEqual([
      expect.closeTo(0.3 / (1 + 1e-6), 15),
      expect.closeTo(0.9 / (1 + 1e-6), 15),
    ]);

    const rewards = [1, 0, 0, 0.5, 0.2, 0.8, 0.5, 0.3, 0.9];
    expect(metrics.updateStep).toBe(1);
    expect(metrics.samples).toBe(9);
    expect(metrics.meanReward).toBeCloseTo(rewards.reduce((a, b) => a + b, 0) / 9, 15);
    const advantages = rows.map((row) => row.advantage);
    const mean = advantages.reduce((a, b) => a + b, 0) / 9;
    expect(metrics.extra.advantageMean).toBeCloseTo(mean, 15);
    expect(metrics.extra.advantageStd).toBeCloseTo(
      Math.sqrt(advantages.reduce((a, b) => a + (b - mean) ** 2, 0) / 9),
      15,
    );
    expect(metrics.extra["reward/format"]).toBe(1);
    expect(metrics.extra["reward/chunk"]).toBe(0.5);
    // compression is 0.25 · rollout: (0 + 0 + 0.25 + 0.25) + (0 + 0.25 + 0.5) + (0 + 0) over 9.
    expect(metrics.extra["reward/compression"]).toBeCloseTo(1.25 / 9, 15);
    expect(metrics.extra).not.toHaveProperty("reward/evidence");
    expect(metrics.extra).not.toHaveProperty("reward/content");
  });

  it("writes parquet rows equal to the JSONL rows, with list columns and the schema version", async () => {
    const directory = freshDirectory();
    const trainer = await createExternalTrainer({ directory, normalizeByStd: false, epsilon: 1e-4 });
    await trainer.update(mixedRequest("pooled"));
    const jsonl = readRows(directory);
    const parquet = await readParquet(directory);
    // hyparquet returns a null LIST column value as undefined, every other null as null.
    const lists = ["promptTokenIds", "responseTokenIds", "behaviourLogprobs", "decisionLogprobs"];
    const normalised = parquet.map((row) =>
      Object.fromEntries(
        Object.entries(row).map(([key, value]) => [key, lists.includes(key) && value === undefined ? null : value]),
      ),
    );
    expect(normalised).toStrictEqual(jsonl.map((row) => ({ ...row })));
    expect(Object.keys(parquet[0]!)).toEqual(Object.keys(jsonl[0]!));
    const bytes = readFileSync(join(directory, "samples-000001.parquet"));
    const metadata = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    expect(metadata.key_value_metadata).toContainEqual({ key: "finemem.exportSchemaVersion", value: "1" });
    expect(metadata.schema.find((element) => element.name === "promptTokenIds")).toMatchObject({
      converted_type: "LIST",
    });
    expect(metadata.schema.find((element) => element.name === "replay")).toMatchObject({ converted_type: "JSON" });
  });

  it("groups pooled and per-step advantages as asked", async () => {
    const directory = freshDirectory();
    const trainer = await createExternalTrainer({ directory, formats: ["jsonl"] });
    await trainer.update(mixedRequest("pooled"));
    await trainer.update(mixedRequest("per-step"));
    expect(readdirSync(directory).sort()).toEqual(["samples-000001.jsonl", "samples-000002.jsonl"]);
    const pooled = readRows(directory, 1);
    const perStep = readRows(directory, 2);
    expect(new Set(pooled.map((row) => row.groupId))).toEqual(new Set(["0:inst-a", "1:inst-b", "2:inst-c"]));
    expect(new Set(perStep.map((row) => row.groupId)).size).toBe(2 + 1 + 2);
    // Pooled, GRPO advantages of one group sum to 0 (every group here has more than one member).
    for (const id of ["0:inst-a", "1:inst-b", "2:inst-c"]) {
      const sum = pooled.filter((row) => row.groupId === id).reduce((total, row) => total + row.advantage, 0);
      expect(sum).toBeCloseTo(0, 12);
    }
    expect(perStep.every((row) => row.updateStep === 2 && row.grouping === "per-step")).toBe(true);
  });

  it("continues numbering after the highest update already in the directory", async () => {
    const directory = freshDirectory();
    await (await createExternalTrainer({ directory, formats: ["jsonl"] })).update(mixedRequest("pooled"));
    writeFileSync(join(directory, "samples-000007.parquet"), "");
    writeFileSync(join(directory, "notes.txt"), "");
    const resumed = await createExternalTrainer({ directory });
    expect(resumed.updateStep).toBe(7);
    const metrics = await resumed.update(mixedRequest("pooled"));
    expect(metrics.updateStep).toBe(8);
    expect(readRows(directory, 8)[0]!.updateStep).toBe(8);
    // Two updates at once take distinct numbers.
    const both = await Promise.all([resumed.update(mixedRequest("pooled")), resumed.update(mixedRequest("per-step"))]);
    expect(both.map((entry) => entry.updateStep)).toEqual([9, 10]);
    expect(readdirSync(directory).filter((name) => name.startsWith("."))).toEqual([]);
  });

  it("refuses a bad request with invalid_request naming the path, and writes nothing", async () => {
    const directory = freshDirectory();
    const trainer = await createExternalTrainer({ directory });
    const request = mixedRequest("pooled");
    const group = request.groups[0]!;
    const bad = {
      ...request,
      groups: [
        {
          ...group,
          rollouts: [{ ...group.rollouts[0]!, samples: [{ ...group.rollouts[0]!.samples[0]!, reward: 7 }] }],
        },
      ],
    } as TrainerUpdateRequest;
    const error = await rejection(trainer.update(bad));
    expect(error).toBeInstanceOf(TrainerError);
    expect(error).toMatchObject({
      code: "invalid_request",
      path: ["groups", 0, "rollouts", 0, "samples", 0, "reward"],
    });
    expect((error as Error).message).toMatch(
      /groups\[0\]\.rollouts\[0\]\.samples\[0\]\.reward: reward must equal rewards\.total/,
    );
    expect(await rejection(trainer.update({ grouping: "sideways", groups: request.groups } as never))).toMatchObject({
      code: "invalid_request",
      path: ["grouping"],
    });
    expect(readdirSync(directory)).toEqual([]);
    expect(trainer.updateStep).toBe(0);
  });

  it("refuses a directory that is a file, and bad options, with invalid_option", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "finemem-external-")), "a-file");
    writeFileSync(file, "not a directory");
    const error = await rejection(createExternalTrainer({ directory: file }));
    expect(error).toBeInstanceOf(TrainerError);
    expect(error).toMatchObject({ code: "invalid_option", path: ["directory"] });
    expect((error as Error).message).toMatch(/the export directory .*a-file cannot be used .*name a directory/);
    expect(await rejection(createExternalTrainer({ directory: join(file, "below") }))).toMatchObject({
      code: "invalid_option",
    });
    for (const [options, path] of [
      [{ formats: [] }, "formats"],
      [{ formats: ["jsonl", "jsonl"] }, "formats"],
      [{ formats: ["csv"] }, "formats"],
      [{ epsilon: 0 }, "epsilon"],
      [{ epsilon: Number.NaN }, "epsilon"],
      [{ normalizeByStd: "yes" }, "normalizeByStd"],
      [{ directory: "" }, "directory"],
    ] as const) {
      expect(
        await rejection(createExternalTrainer({ directory: freshDirectory(), ...options } as never)),
      ).toMatchObject({
        code: "invalid_option",
        path: [path],
      });
    }

    // A directory replaced by a file after creation: the next update says so and writes nothing.
    const directory = freshDirectory();
    const trainer = await createExternalTrainer({ directory });
    rmSync(directory, { recursive: true });
    writeFileSync(directory, "");
    expect(await rejection(trainer.update(mixedRequest("pooled")))).toMatchObject({
      code: "invalid_option",
      path: ["directory"],
    });
  });

  it("honours an aborted signal and leaves no file, not even a temporary one", async () => {
    const directory = freshDirectory();
    const trainer = await createExternalTrainer({ directory });
    const controller = new AbortController();
    controller.abort();
    expect(await rejection(trainer.update(mixedRequest("pooled"), { signal: controller.signal }))).toMatchObject({
      code: "aborted",
    });
    const stopped = await createExternalTrainer({ directory, signal: controller.signal }).catch(
      (caught: unknown) => caught,
    );
    expect(stopped).toMatchObject({ code: "aborted" });
    expect(readdirSync(directory)).toEqual([]);
    // The trainer still works after a cancelled update.
    expect((await trainer.update(mixedRequest("pooled"))).updateStep).toBe(1);
  });
});
