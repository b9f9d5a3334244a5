import { cp, mkdtemp, readFile, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type FakeModelHub,
  rejection,
  startFakeModelHub,
  type TinySynonymModel,
  writeTinySynonymModel,
} from "@finemem/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { HubError } from "./hub-error.js";
import { checkTransformersModelFolder, resolveTransformersSnapshot } from "./transformers-model.js";

const REPO = "finemem/tiny-synonym-bert";
let work: string;
let model: TinySynonymModel;
let hub: FakeModelHub;

beforeAll(async () => {
  vi.spyOn(console, "debug").mockImplementation(() => undefined);
  work = await mkdtemp(join(tmpdir(), "finemem-transformers-model-"));
  model = await writeTinySynonymModel(join(work, "model"));
  const files = new Map<string, Uint8Array>();
  for (const file of model.files) files.set(file, await readFile(join(model.dir, ...file.split("/"))));
  hub = await startFakeModelHub(REPO, files);
});
afterAll(async () => {
  vi.restoreAllMocks();
  await hub?.close();
  await rm(work, { recursive: true, force: true });
});

describe("checkTransformersModelFolder", () => {
  it("accepts a folder with every file the dtype needs", async () => {
    await expect(checkTransformersModelFolder(model.dir, "fp32")).resolves.toBeUndefined();
  });

  it("names a missing folder, a missing config.json and the missing files of a dtype", async () => {
    expect(await rejection(checkTransformersModelFolder(join(work, "nowhere"), "fp32"))).toMatchObject({
      name: "HubError",
      code: "not_found",
      message: `no model folder at ${join(work, "nowhere")}`,
    });
    const broken = join(work, "broken");
    await cp(model.dir, broken, { recursive: true });
    await unlink(join(broken, "tokenizer.json"));
    expect(await rejection(checkTransformersModelFolder(broken, "fp32"))).toMatchObject({
      code: "not_found",
      message: `${broken} lacks tokenizer.json (needed for dtype fp32)`,
    });
    expect(await rejection(checkTransformersModelFolder(model.dir, "q8"))).toMatchObject({
      code: "not_found",
      message: expect.stringContaining("onnx/model_quantized.onnx"),
    });
    await writeFile(join(broken, "config.json"), "{not json");
    expect(await rejection(checkTransformersModelFolder(broken, "fp32"))).toMatchObject({ code: "invalid_model" });
    await unlink(join(broken, "config.json"));
    expect(await rejection(checkTransformersModelFolder(broken, "fp32"))).toMatchObject({
      code: "not_found",
      message: expect.stringContaining("is not a transformers.js model folder"),
    });
  });
});

describe("resolveTransformersSnapshot", () => {
  it("puts config.json and the files it calls for into one snapshot, skipping absent optional files", async () => {
    const cacheDir = await mkdtemp(join(work, "cache-"));
    const snapshot = await resolveTransformersSnapshot({
      repo: REPO,
      revision: "main",
      hubUrl: hub.url,
      cacheDir,
      offline: false,
      dtype: "fp32",
      optionalFiles: ["generation_config.json"],
    });
    expect(snapshot).toEqual({
      dir: join(cacheDir, "models--finemem--tiny-synonym-bert", "snapshots", hub.commit),
      commit: hub.commit,
    });
    await expect(checkTransformersModelFolder(snapshot.dir, "fp32")).resolves.toBeUndefined();
    // Offline, from refs/main, with no request; the absent optional file is skipped there too.
    hub.requests.length = 0;
    const offline = await resolveTransformersSnapshot({
      repo: REPO,
      revision: "main",
      cacheDir,
      offline: true,
      dtype: "fp32",
      optionalFiles: ["generation_config.json"],
    });
    expect(offline).toEqual(snapshot);
    expect(hub.requests).toEqual([]);
  });

  it("fails with the hub's codes, and with invalid_model for a config.json that is not JSON", async () => {
    const cacheDir = await mkdtemp(join(work, "cache-"));
    expect(
      await rejection(
        resolveTransformersSnapshot({ repo: REPO, revision: "main", cacheDir, offline: true, dtype: "fp32" }),
      ),
    ).toMatchObject({ code: "not_cached" });
    const error = await rejection(
      resolveTransformersSnapshot({
        repo: REPO,
        revision: "main",
        hubUrl: hub.url,
        cacheDir,
        offline: false,
        dtype: "q8",
      }),
    );
    expect(error).toBeInstanceOf(HubError);
    expect(error).toMatchObject({ code: "not_found", file: "onnx/model_quantized.onnx" });

    const broken = await startFakeModelHub(
      "finemem/broken",
      new Map([["config.json", new TextEncoder().encode("{not json")]]),
    );
    try {
      const invalid = await rejection(
        resolveTransformersSnapshot({
          repo: "finemem/broken",
          revision: "main",
          hubUrl: broken.url,
          cacheDir,
          offline: false,
          dtype: "fp32",
        }),
      );
      expect(invalid).toMatchObject({
        code: "invalid_model",
        message: `config.json of finemem/broken@${broken.commit} is not valid JSON`,
      });
    } finally {
      await broken.close();
    }
  });
});
