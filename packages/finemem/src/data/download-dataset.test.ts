// The real @huggingface/hub client (inside @finemem/benchmarks' hub source) against a local server
// that speaks the hub protocol, and against an endpoint where nothing listens.
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatasetError, MEMORY_AGENT_BENCH_REPO, PINNED_REVISIONS } from "@finemem/benchmarks";
import { type FakeHub, startFakeHub } from "@finemem/benchmarks/testing";
import { deadEndpoint } from "@finemem/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataCommandError } from "./data-command-error.js";
import { type DownloadProgress, downloadDataset, formatDownload } from "./download-dataset.js";

const MAB_COMMIT = PINNED_REVISIONS[MEMORY_AGENT_BENCH_REPO]!;
const MEMALPHA_COMMIT = "0123456789abcdef0123456789abcdef01234567";
const bytes = (text: string) => new TextEncoder().encode(text);
const CR = bytes("conflict resolution split bytes");
const AR = bytes("accurate retrieval split bytes, a little longer");
const TRAIN = bytes("memalpha train");
const TEST = bytes("memalpha test");
const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

describe("downloadDataset", () => {
  let hub: FakeHub;
  let cacheDir: string;
  beforeAll(async () => {
    hub = await startFakeHub({
      repos: {
        [MEMORY_AGENT_BENCH_REPO]: {
          commit: MAB_COMMIT,
          files: {
            "data/Conflict_Resolution-00000-of-00001.parquet": CR,
            "data/Accurate_Retrieval-00000-of-00001.parquet": AR,
            "README.md": bytes("# card"),
          },
        },
        "YuWangX/Memalpha": {
          commit: MEMALPHA_COMMIT,
          refs: ["main"],
          // train_preview is no part of the train split: only train.parquet (or train-* shards) is.
          files: { "train.parquet": TRAIN, "test.parquet": TEST, "train_preview.parquet": bytes("preview") },
        },
      },
    });
    cacheDir = mkdtempSync(join(tmpdir(), "finemem-data-download-"));
  });
  afterAll(async () => {
    await hub.close();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it("fetches a MemoryAgentBench split into the HF cache at the pinned commit, then serves it with zero requests", async () => {
    const events: DownloadProgress[] = [];
    const first = await downloadDataset({
      dataset: "memoryagentbench",
      splits: ["Conflict_Resolution"],
      hub: { hubUrl: hub.url, cacheDir },
      onProgress: (event) => events.push(event),
    });
    expect(first).toMatchObject({
      dataset: "memoryagentbench",
      repo: MEMORY_AGENT_BENCH_REPO,
      generated: false,
      requestedRevision: MAB_COMMIT,
      revision: MAB_COMMIT,
      splits: ["Conflict_Resolution"],
      totalBytes: CR.length,
      warnings: [],
    });
    const [file] = first.files;
    expect(file).toEqual({
      path: "data/Conflict_Resolution-00000-of-00001.parquet",
      localPath: join(
        cacheDir,
        "datasets--ai-hyz--MemoryAgentBench",
        "snapshots",
        MAB_COMMIT,
        "data",
        "Conflict_Resolution-00000-of-00001.parquet",
      ),
      revision: MAB_COMMIT,
      sha256: sha256(CR),
      bytes: CR.length,
      split: "Conflict_Resolution",
    });
    expect(readFileSync(file!.localPath)).toEqual(Buffer.from(CR));
    expect(events).toEqual([
      { kind: "listed", repo: MEMORY_AGENT_BENCH_REPO, files: ["data/Conflict_Resolution-00000-of-00001.parquet"] },
      { kind: "file", file, done: 1, total: 1 },
    ]);

    const requests = hub.requests.length;
    const again = await downloadDataset({
      dataset: "ai-hyz/MemoryAgentBench",
      splits: ["Conflict_Resolution"],
      hub: { hubUrl: hub.url, cacheDir },
    });
    expect(hub.requests.length).toBe(requests);
    expect(again.files).toEqual(first.files);
    expect(formatDownload(again)).toContain(
      `data/Conflict_Resolution-00000-of-00001.parquet  ${CR.length} B  sha256 ${sha256(CR).slice(0, 12)}…`,
    );
  });

  it("downloads several splits, in the order asked", async () => {
    const all = await downloadDataset({
      dataset: "memoryagentbench",
      hub: { hubUrl: hub.url, cacheDir },
      splits: ["Accurate_Retrieval", "Conflict_Resolution"],
    });
    expect(all.files.map((file) => [file.split, file.sha256])).toEqual([
      ["Accurate_Retrieval", sha256(AR)],
      ["Conflict_Resolution", sha256(CR)],
    ]);
    expect(all.totalBytes).toBe(AR.length + CR.length);
  });

  it("reads an unpinned Memalpha repo at the commit main points to, and says it is unpinned", async () => {
    const warnings: string[] = [];
    const download = await downloadDataset({
      dataset: "memalpha",
      hub: { hubUrl: hub.url, cacheDir },
      onWarning: (warning) => warnings.push(warning),
    });
    expect(download.requestedRevision).toBe("main");
    expect(download.revision).toBe(MEMALPHA_COMMIT);
    expect(download.files.map((file) => [file.path, file.sha256, file.split])).toEqual([
      ["train.parquet", sha256(TRAIN), "train"],
      ["test.parquet", sha256(TEST), "test"],
    ]);
    expect(warnings).toEqual([
      "YuWangX/Memalpha has no pinned commit: reading branch main; results record the commit the hub reports",
    ]);
    expect(download.warnings).toEqual(warnings);
    expect(formatDownload(download)).toContain(`at ${MEMALPHA_COMMIT} (asked: main)`);

    const testOnly = await downloadDataset({
      dataset: "memalpha",
      splits: ["test"],
      hub: { hubUrl: hub.url, cacheDir, revision: MEMALPHA_COMMIT },
    });
    expect(testOnly.files.map((file) => file.path)).toEqual(["test.parquet"]);
    expect(testOnly.warnings).toEqual([]);
  });

  it("rejects a split the dataset does not have before any request", async () => {
    const requests = hub.requests.length;
    await expect(
      downloadDataset({ dataset: "memoryagentbench", splits: ["Conflict"], hub: { hubUrl: hub.url, cacheDir } }),
    ).rejects.toSatisfy(
      (error) =>
        error instanceof DataCommandError &&
        error.code === "unknown_split" &&
        /expected one of Accurate_Retrieval, .*Conflict_Resolution/.test(error.message),
    );
    await expect(downloadDataset({ dataset: "memalpha-x", hub: { hubUrl: hub.url, cacheDir } })).rejects.toMatchObject({
      code: "unknown_dataset",
    });
    expect(hub.requests.length).toBe(requests);
  });

  it("names a split whose files the repo lacks", async () => {
    await expect(
      downloadDataset({
        dataset: "memoryagentbench",
        splits: ["Test_Time_Learning"],
        hub: { hubUrl: hub.url, cacheDir },
      }),
    ).rejects.toSatisfy(
      (error) =>
        error instanceof DatasetError &&
        error.code === "missing_file" &&
        error.message.includes("data/Test_Time_Learning-NNNNN-of-NNNNN.parquet"),
    );
  });

  it("has nothing to download for the synthetic benchmark", async () => {
    const download = await downloadDataset({ dataset: "synthetic", hub: { hubUrl: hub.url, cacheDir } });
    expect(download).toMatchObject({ generated: true, files: [], revision: null });
    expect(formatDownload(download)).toMatch(/nothing to download/);
  });

  it("fails with a typed hub_unreachable error when nothing listens at the hub URL", async () => {
    const emptyCache = mkdtempSync(join(tmpdir(), "finemem-data-dead-"));
    try {
      const error = await downloadDataset({
        dataset: "memoryagentbench",
        splits: ["Conflict_Resolution"],
        hub: { hubUrl: await deadEndpoint(), cacheDir: emptyCache },
      }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DatasetError);
      expect(error).toMatchObject({ code: "hub_unreachable" });
      expect((error as Error).message).toContain(`listing data of ${MEMORY_AGENT_BENCH_REPO}@${MAB_COMMIT}`);
    } finally {
      rmSync(emptyCache, { recursive: true, force: true });
    }
  });
});
