import { createHash } from "node:crypto";
import { mkdtemp, readFile, readlink, realpath, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AbortedError } from "@finemem/spec";
import { deadEndpoint, type FakeModelHub, rejection, startFakeModelHub } from "@finemem/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { HubError } from "./hub-error.js";
import { type HubRepoOptions, isCommitHash, isHubOffline, openHubRepo } from "./hub-repo.js";

const REPO = "finemem/tiny-files";
const WEIGHTS = new Uint8Array(Array.from({ length: 300 }, (_, index) => index % 251));
const FILES = new Map<string, Uint8Array>([
  ["config.json", new TextEncoder().encode('{"model_type": "bert"}')],
  ["onnx/model.onnx", WEIGHTS],
]);
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

let hub: FakeModelHub;
let work: string;

beforeAll(async () => {
  // @huggingface/hub announces each download on console.debug.
  vi.spyOn(console, "debug").mockImplementation(() => undefined);
  hub = await startFakeModelHub(REPO, FILES);
  work = await mkdtemp(join(tmpdir(), "finemem-hub-repo-"));
});
afterAll(async () => {
  vi.restoreAllMocks();
  await hub?.close();
  await rm(work, { recursive: true, force: true });
});

const newCache = () => mkdtemp(join(work, "hf-cache-"));
const open = (cacheDir: string, options: Partial<HubRepoOptions> = {}) =>
  openHubRepo({ repo: REPO, type: "model", revision: "main", hubUrl: `${hub.url}/`, cacheDir, ...options });
const storage = (cacheDir: string) => join(cacheDir, "models--finemem--tiny-files");

describe("a pinned commit", () => {
  it("is downloaded into the standard cache layout, then served with no request", async () => {
    const cacheDir = await newCache();
    const repo = open(cacheDir, { revision: hub.commit });
    hub.requests.length = 0;
    expect(await repo.resolveCommit()).toBe(hub.commit);
    expect(hub.requests).toEqual([]);
    const file = await repo.fetchFile("onnx/model.onnx");
    expect(file).toEqual({
      path: "onnx/model.onnx",
      commit: hub.commit,
      localPath: join(storage(cacheDir), "snapshots", hub.commit, "onnx", "model.onnx"),
      sha256: null,
    });
    expect(hub.requests.length).toBeGreaterThan(0);
    // huggingface_hub's layout: the snapshot entry links to a blob named by the LFS sha256.
    expect(await readlink(file.localPath)).toMatch(new RegExp(`blobs/${sha256(WEIGHTS)}$`));
    expect(new Uint8Array(await readFile(file.localPath))).toEqual(WEIGHTS);
    expect(await repo.snapshotDir(hub.commit)).toBe(join(storage(cacheDir), "snapshots", hub.commit));

    hub.requests.length = 0;
    const again = open(cacheDir, { revision: hub.commit });
    expect(await again.fetchFile("onnx/model.onnx", { sha256: true })).toMatchObject({ sha256: sha256(WEIGHTS) });
    expect(hub.requests).toEqual([]);
  });

  it("lists what the cached snapshot holds once it is complete", async () => {
    const cacheDir = await newCache();
    const repo = open(cacheDir, { revision: hub.commit });
    await repo.fetchFile("config.json");
    hub.requests.length = 0;
    expect(await repo.listFiles("", (path) => path.endsWith(".json"))).toEqual(["config.json"]);
    expect(hub.requests).toEqual([]);
    // Offline, a folder the snapshot lacks is not cached.
    await expect(
      open(cacheDir, { revision: hub.commit, cache: "offline" }).listFiles("data", () => true),
    ).rejects.toMatchObject({ name: "HubError", code: "not_cached" });
  });
});

describe("a branch", () => {
  it("is resolved to its commit once, recorded in refs/<branch>, and every file is fetched at that commit", async () => {
    const cacheDir = await newCache();
    const repo = open(cacheDir);
    hub.requests.length = 0;
    const [first, second] = await Promise.all([repo.resolveCommit(), repo.resolveCommit()]);
    expect([first, second]).toEqual([hub.commit, hub.commit]);
    expect(hub.requests).toEqual([
      { method: "GET", url: expect.stringMatching(new RegExp(`^/api/models/${REPO}/revision/main`)) },
    ]);
    expect((await readFile(join(storage(cacheDir), "refs", "main"), "utf8")).trim()).toBe(hub.commit);
    const file = await repo.fetchFile("config.json");
    expect(file.localPath).toBe(join(storage(cacheDir), "snapshots", hub.commit, "config.json"));
  });

  it("costs one request by default, none in cache-first and offline modes once resolved", async () => {
    const cacheDir = await newCache();
    await open(cacheDir).fetchFile("config.json");
    hub.requests.length = 0;
    await open(cacheDir).fetchFile("config.json");
    expect(hub.requests.map((request) => request.method)).toEqual(["GET"]);
    for (const cache of ["cache-first", "offline"] as const) {
      hub.requests.length = 0;
      expect(await open(cacheDir, { cache }).fetchFile("config.json")).toMatchObject({ commit: hub.commit });
      expect(hub.requests).toEqual([]);
    }
  });

  it("offline, a branch never resolved and a file never downloaded are not_cached, with no request", async () => {
    const cacheDir = await newCache();
    hub.requests.length = 0;
    const branch = await rejection(open(cacheDir, { cache: "offline" }).resolveCommit());
    expect(branch).toBeInstanceOf(HubError);
    expect(branch).toMatchObject({
      code: "not_cached",
      file: join(storage(cacheDir), "refs", "main"),
      message: expect.stringContaining(`${REPO}@main`),
    });
    const file = await rejection(open(cacheDir, { cache: "offline", revision: hub.commit }).fetchFile("config.json"));
    expect(file).toMatchObject({
      code: "not_cached",
      file: join(storage(cacheDir), "snapshots", hub.commit, "config.json"),
    });
    expect(hub.requests).toEqual([]);
  });

  it("cache-first resolves a branch on the hub when the cache has no ref yet", async () => {
    const cacheDir = await newCache();
    hub.requests.length = 0;
    expect(await open(cacheDir, { cache: "cache-first" }).resolveCommit()).toBe(hub.commit);
    expect(hub.requests).toHaveLength(1);
  });
});

describe("failures", () => {
  it("an unknown revision (a branch or a commit), repository or file", async () => {
    const cacheDir = await newCache();
    const branch = await rejection(open(cacheDir, { revision: "v9" }).resolveCommit());
    expect(branch).toMatchObject({
      name: "HubError",
      code: "unknown_revision",
      message: expect.stringContaining("v9"),
    });
    expect(await rejection(open(cacheDir, { revision: "0".repeat(40) }).fetchFile("config.json"))).toMatchObject({
      code: "unknown_revision",
      file: "config.json",
    });
    expect(await rejection(open(cacheDir, { repo: "finemem/no-such-repo" }).resolveCommit())).toMatchObject({
      code: "not_found",
    });
    expect(await rejection(open(cacheDir, { revision: hub.commit }).fetchFile("no/such.file"))).toMatchObject({
      code: "not_found",
      file: "no/such.file",
    });
  });

  it("a hub that cannot be reached is download_failed, naming its URL", async () => {
    const url = await deadEndpoint();
    const error = await rejection(
      openHubRepo({
        repo: REPO,
        type: "model",
        revision: "main",
        hubUrl: url,
        cacheDir: await newCache(),
      }).resolveCommit(),
    );
    expect(error).toMatchObject({ name: "HubError", code: "download_failed", message: expect.stringContaining(url) });
    // A failed resolution is not remembered: the next call asks again.
    const repo = openHubRepo({ repo: REPO, type: "model", revision: "main", hubUrl: url, cacheDir: await newCache() });
    await expect(repo.resolveCommit()).rejects.toMatchObject({ code: "download_failed" });
    await expect(repo.resolveCommit()).rejects.toMatchObject({ code: "download_failed" });
  });

  it("bytes that do not hash to their LFS name are removed, blob and link, and refetched next time", async () => {
    const cacheDir = await newCache();
    const repo = open(cacheDir, { revision: hub.commit });
    const file = await repo.fetchFile("onnx/model.onnx");
    const blob = await realpath(file.localPath);
    await writeFile(blob, "tampered");
    const error = await rejection(repo.fetchFile("onnx/model.onnx", { sha256: true }));
    expect(error).toMatchObject({
      code: "checksum_mismatch",
      file: "onnx/model.onnx",
      message: expect.stringContaining(sha256(WEIGHTS)),
    });
    await expect(stat(blob)).rejects.toThrow();
    await expect(stat(file.localPath)).rejects.toThrow();
    hub.requests.length = 0;
    expect(await repo.fetchFile("onnx/model.onnx", { sha256: true })).toMatchObject({ sha256: sha256(WEIGHTS) });
    expect(hub.requests.length).toBeGreaterThan(0);
  });

  it("an aborted signal stops before any request, and aborts a download under way", async () => {
    const controller = new AbortController();
    controller.abort();
    const cacheDir = await newCache();
    hub.requests.length = 0;
    expect(await rejection(open(cacheDir).resolveCommit({ signal: controller.signal }))).toBeInstanceOf(AbortedError);
    expect(
      await rejection(open(cacheDir, { revision: hub.commit }).fetchFile("config.json", { signal: controller.signal })),
    ).toBeInstanceOf(AbortedError);
    expect(hub.requests).toEqual([]);
    const during = new AbortController();
    const slowFetch: typeof fetch = async (input, init) => {
      during.abort();
      return fetch(input, init);
    };
    expect(
      await rejection(open(cacheDir, { fetch: slowFetch }).resolveCommit({ signal: during.signal })),
    ).toBeInstanceOf(AbortedError);
  });
});

describe("revisions and the environment", () => {
  it("a commit is 40 lowercase hex digits", () => {
    expect(isCommitHash("a".repeat(40))).toBe(true);
    expect(isCommitHash("A".repeat(40))).toBe(false);
    expect(isCommitHash("a".repeat(39))).toBe(false);
    expect(isCommitHash("main")).toBe(false);
  });

  it("HF_HUB_OFFLINE is read as huggingface_hub reads it", () => {
    for (const value of ["1", "true", "YES", " on "]) expect(isHubOffline({ HF_HUB_OFFLINE: value }), value).toBe(true);
    for (const value of [undefined, "", "0", "false", "no", "2"])
      expect(isHubOffline({ HF_HUB_OFFLINE: value }), String(value)).toBe(false);
  });
});
