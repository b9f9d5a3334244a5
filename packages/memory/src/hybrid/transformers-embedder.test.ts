import { cp, mkdtemp, readFile, readlink, rm, stat, unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import {
  deadEndpoint,
  type FakeModelHub,
  startFakeModelHub,
  type TinySynonymModel,
  writeTinySynonymModel,
} from "@finemem/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTransformersEmbedder, type TransformersEmbedder } from "./transformers-embedder.js";

let work: string;
let model: TinySynonymModel;
let local: TransformersEmbedder;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "finemem-embedder-"));
  model = await writeTinySynonymModel(join(work, "tiny-synonym-bert"));
  local = await createTransformersEmbedder({ model: model.dir, threads: 1 });
});

afterAll(async () => {
  await local?.dispose();
  await rm(work, { recursive: true, force: true });
});

const cosine = (a: Float32Array, b: Float32Array) => a.reduce((sum, value, index) => sum + value * b[index]!, 0);

describe("createTransformersEmbedder with a local folder", () => {
  it("loads by absolute path and reads dimensions from a first embedding", () => {
    expect(local.dimensions).toBe(model.dimensions);
    expect(local.modelId).toBe(model.dir);
    expect(local.modelPath).toBe(model.dir);
    expect(local.revision).toBeNull();
    expect(local.specificationVersion).toBe("v1");
  });

  it("makes no network request while loading", async () => {
    const { env } = await import("@huggingface/transformers");
    const original = env.fetch;
    const originalGlobal = globalThis.fetch;
    const fetched: string[] = [];
    const blocked = async (input: unknown): Promise<never> => {
      fetched.push(String(input));
      throw new Error("no network in this test");
    };
    env.fetch = blocked;
    globalThis.fetch = blocked;
    try {
      const embedder = await createTransformersEmbedder({ model: model.dir, threads: 1 });
      await embedder.embed(["hello world"]);
      await embedder.dispose();
    } finally {
      env.fetch = original;
      globalThis.fetch = originalGlobal;
    }
    expect(fetched).toEqual([]);
  });

  it("gives synonym sentences identical vectors and other sentences different ones", async () => {
    const [bought, purchased, physician, doctor, violin] = await local.embed([
      "Ada bought an automobile.",
      "Ada purchased a car.",
      "The physician works at the hospital.",
      "The doctor works at the hospital.",
      "Carol plays the violin.",
    ]);
    expect(bought).toHaveLength(model.dimensions);
    expect(Array.from(purchased!)).toEqual(Array.from(bought!));
    expect(Array.from(doctor!)).toEqual(Array.from(physician!));
    expect(cosine(bought!, bought!)).toBeCloseTo(1, 5); // normalised
    expect(cosine(bought!, violin!)).toBeLessThan(0.05);
    expect(cosine(bought!, physician!)).toBeLessThan(0.05);
    // Sharing one content word of three ("ada") lands in between.
    const [adaSold] = await local.embed(["Ada sold a lamp."]);
    expect(cosine(bought!, adaSold!)).toBeGreaterThan(0.2);
    expect(cosine(bought!, adaSold!)).toBeLessThan(0.5);
  });

  it("returns one vector per text in order, whatever the batch size", async () => {
    const texts = ["Ada bought an automobile.", "Bob plays chess.", "hello world", "", "Dan likes tea."];
    const small = await createTransformersEmbedder({ model: model.dir, batchSize: 2, threads: 1 });
    try {
      const [batched, whole] = [await small.embed(texts), await local.embed(texts)];
      expect(batched).toHaveLength(5);
      batched.forEach((vector, index) => {
        expect(Array.from(vector)).toEqual(Array.from(whole[index]!));
      });
      expect(await small.embed([])).toEqual([]);
    } finally {
      await small.dispose();
    }
  });

  it("accepts a relative path starting with ./ or ../ and resolves it", async () => {
    const fromCwd = relative(process.cwd(), model.dir);
    const path = fromCwd.startsWith("..") ? fromCwd : `./${fromCwd}`;
    const embedder = await createTransformersEmbedder({ model: path, threads: 1, modelId: "tiny" });
    expect(embedder.modelPath).toBe(model.dir);
    expect(embedder.modelId).toBe("tiny");
    await embedder.dispose();
  });

  it("fails with model_not_found for a missing folder or a folder lacking a file", async () => {
    await expect(createTransformersEmbedder({ model: join(work, "no-such-model") })).rejects.toMatchObject({
      name: "EmbedderError",
      code: "model_not_found",
    });
    const broken = join(work, "broken");
    await cp(model.dir, broken, { recursive: true });
    await unlink(join(broken, "tokenizer.json"));
    await expect(createTransformersEmbedder({ model: broken })).rejects.toMatchObject({
      code: "model_not_found",
      message: expect.stringContaining("tokenizer.json"),
    });
    // q8 weights would be onnx/model_quantized.onnx, which the folder does not have.
    await expect(createTransformersEmbedder({ model: model.dir, dtype: "q8" })).rejects.toMatchObject({
      code: "model_not_found",
      message: expect.stringContaining("onnx/model_quantized.onnx"),
    });
  });

  it("rejects bad options with HybridOptionsError naming the option", async () => {
    for (const [options, key] of [
      [{ model: "" }, "model"],
      [{ model: "not a repo id" }, "model"],
      [{ model: model.dir, revision: "main" }, "revision"],
      [{ model: model.dir, batchSize: 0 }, "batchSize"],
      [{ model: model.dir, dtype: "fp64" }, "dtype"],
      [{ model: model.dir, cache: "never" }, "cache"],
      [{ model: "owner/name", hubUrl: "ftp://example.com" }, "hubUrl"],
      [{ model: "owner/name", accessToken: "secret" }, "accessToken"],
      [{ model: model.dir, cacheDirectory: "/tmp" }, "cacheDirectory"],
    ] as const) {
      await expect(createTransformersEmbedder(options as never)).rejects.toMatchObject({
        name: "HybridOptionsError",
        code: "invalid_option",
        path: [key],
      });
    }
  });

  it("honours an aborted signal, and refuses to embed once disposed", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(createTransformersEmbedder({ model: model.dir }, { signal: controller.signal })).rejects.toMatchObject(
      { code: "aborted" },
    );
    await expect(local.embed(["hello"], { signal: controller.signal })).rejects.toMatchObject({ code: "aborted" });
    const embedder = await createTransformersEmbedder({ model: model.dir, threads: 1 });
    await embedder.dispose();
    await expect(embedder.embed(["hello"])).rejects.toMatchObject({ code: "disposed" });
  });
});

describe("createTransformersEmbedder with a hub repository", () => {
  const repo = "finemem/tiny-synonym-bert";
  let hub: FakeModelHub;

  beforeAll(async () => {
    // @huggingface/hub announces each download on console.debug.
    vi.spyOn(console, "debug").mockImplementation(() => undefined);
    const files = new Map<string, Uint8Array>();
    for (const file of model.files) files.set(file, await readFile(join(model.dir, ...file.split("/"))));
    hub = await startFakeModelHub(repo, files);
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await hub?.close();
  });

  const newCache = () => mkdtemp(join(work, "hf-cache-"));
  const snapshotOf = (cacheDir: string) =>
    join(cacheDir, "models--finemem--tiny-synonym-bert", "snapshots", hub.commit);

  it("downloads a pinned commit into the standard cache, then loads it again with no request", async () => {
    const cacheDir = await newCache();
    hub.requests.length = 0;
    const first = await createTransformersEmbedder({
      model: repo,
      revision: hub.commit,
      hubUrl: hub.url,
      cacheDir,
      threads: 1,
    });
    expect(hub.requests.length).toBeGreaterThan(0);
    expect(first.modelPath).toBe(snapshotOf(cacheDir));
    expect(first.revision).toBe(hub.commit);
    expect(first.modelId).toBe(`${repo}@${hub.commit}`);
    expect(first.dimensions).toBe(model.dimensions);
    // huggingface_hub's layout: snapshot entries are links into blobs/ named by etag (sha256 for LFS).
    for (const file of model.files) {
      expect((await stat(join(first.modelPath, ...file.split("/")))).isFile()).toBe(true);
      expect(await readlink(join(first.modelPath, ...file.split("/")))).toMatch(/blobs\/[0-9a-f]{40,64}$/);
    }
    const [fromHub] = await first.embed(["Ada bought an automobile."]);
    const [fromFolder] = await local.embed(["Ada bought an automobile."]);
    expect(Array.from(fromHub!)).toEqual(Array.from(fromFolder!));
    await first.dispose();

    hub.requests.length = 0;
    const second = await createTransformersEmbedder({
      model: repo,
      revision: hub.commit,
      hubUrl: hub.url,
      cacheDir,
      threads: 1,
    });
    expect(hub.requests).toEqual([]);
    await second.dispose();
  });

  it("resolves a branch to its commit, keeps every file in one snapshot and records refs/<branch>", async () => {
    const cacheDir = await newCache();
    hub.requests.length = 0;
    const first = await createTransformersEmbedder({ model: repo, hubUrl: hub.url, cacheDir, threads: 1 });
    expect(hub.requests[0]).toMatchObject({
      method: "GET",
      url: expect.stringMatching(new RegExp(`^/api/models/${repo}/revision/main`)),
    });
    expect(first.revision).toBe(hub.commit);
    expect(first.modelPath).toBe(snapshotOf(cacheDir));
    expect((await readFile(join(cacheDir, "models--finemem--tiny-synonym-bert", "refs", "main"), "utf8")).trim()).toBe(
      hub.commit,
    );
    await first.dispose();

    // Online, a branch costs one request (its commit may have moved); offline costs none.
    hub.requests.length = 0;
    const online = await createTransformersEmbedder({ model: repo, hubUrl: hub.url, cacheDir, threads: 1 });
    expect(hub.requests.map((request) => request.method)).toEqual(["GET"]);
    await online.dispose();
    hub.requests.length = 0;
    const offline = await createTransformersEmbedder({
      model: repo,
      hubUrl: hub.url,
      cacheDir,
      cache: "offline",
      threads: 1,
    });
    expect(hub.requests).toEqual([]);
    expect(offline.modelPath).toBe(snapshotOf(cacheDir));
    await offline.dispose();
  });

  it("fails with not_cached offline when the cache lacks the model", async () => {
    const cacheDir = await newCache();
    hub.requests.length = 0;
    await expect(
      createTransformersEmbedder({ model: repo, hubUrl: hub.url, cacheDir, cache: "offline" }),
    ).rejects.toMatchObject({ name: "EmbedderError", code: "not_cached" });
    await expect(
      createTransformersEmbedder({ model: repo, revision: hub.commit, hubUrl: hub.url, cacheDir, cache: "offline" }),
    ).rejects.toMatchObject({ code: "not_cached" });
    expect(hub.requests).toEqual([]);
  });

  it("fails with model_not_found for an unknown repository or revision", async () => {
    const cacheDir = await newCache();
    await expect(
      createTransformersEmbedder({ model: "finemem/no-such-model", hubUrl: hub.url, cacheDir }),
    ).rejects.toMatchObject({ code: "model_not_found" });
    await expect(
      createTransformersEmbedder({ model: repo, revision: "v9", hubUrl: hub.url, cacheDir }),
    ).rejects.toMatchObject({ code: "model_not_found" });
    await expect(
      createTransformersEmbedder({ model: repo, revision: "0".repeat(40), hubUrl: hub.url, cacheDir }),
    ).rejects.toMatchObject({ code: "model_not_found" });
  });

  it("fails with download_failed when the hub cannot be reached", async () => {
    const cacheDir = await newCache();
    const url = await deadEndpoint();
    const error = await createTransformersEmbedder({ model: repo, hubUrl: url, cacheDir }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ name: "EmbedderError", code: "download_failed" });
    expect((error as Error).message).toContain(url);
    await expect(
      createTransformersEmbedder({ model: repo, revision: hub.commit, hubUrl: url, cacheDir }),
    ).rejects.toMatchObject({ code: "download_failed" });
  });
});
