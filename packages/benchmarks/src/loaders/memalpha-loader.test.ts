// Acceptance 2: Memalpha-shaped parquet files written by the test load correctly.
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BenchmarkInstance, benchmarkInstanceValidator, type DatasetLoader } from "@finemem/spec";
import { memalphaParquet, memalphaRow } from "@finemem/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalDirectorySource } from "../sources/local-source.js";
import { type FakeHub, startFakeHub } from "../testing/fake-hub.js";
import type { LoadProgress } from "./load-progress.js";
import { createMemalphaLoader } from "./memalpha-loader.js";

const COMMIT = "1234567890abcdef1234567890abcdef12345678";

async function collect(loader: DatasetLoader, request = {}): Promise<BenchmarkInstance[]> {
  const out: BenchmarkInstance[] = [];
  for await (const instance of loader.load(request)) out.push(instance);
  return out;
}

const rows = [
  memalphaRow({
    id: 9_007_199_254_740_991, // 2^53 - 1: the largest id a number holds exactly
    dataSource: "squad",
    chunks: ["Ada Lovelace lived in London.", "   ", "Charles Babbage designed the Analytical Engine."],
    qa: [
      { question: "Where did Ada live?", answer: "London" },
      { question: "What did Babbage design?", answer: ["the Analytical Engine", "Analytical Engine"] },
    ],
    metadata: { original_id: "sq-17", tags: ["history"] },
  }),
  memalphaRow({
    id: 2,
    dataSource: "pubmed-rct",
    chunks: ["Label 3 means METHODS."],
    qa: [{ question: "Label of: we randomised 40 patients", answer: "3" }],
  }),
  memalphaRow({
    id: 3,
    dataSource: "booksum",
    chunks: ["Elizabeth meets Darcy."],
    qa: [{ question: "Summarise.", answer: "Elizabeth, Darcy" }],
  }),
];
// `main` moves: the row's int64 id arrives as a bigint beyond 2^31 and must survive exactly.
rows[0] = { ...rows[0]!, instance_id: 9_007_199_254_740_991n };
const bytes = memalphaParquet(rows);

function expectRows(instances: BenchmarkInstance[]): void {
  expect(instances.map((instance) => instance.instanceId)).toEqual([
    "squad.9007199254740991",
    "pubmed-rct.2",
    "booksum.3",
  ]);
  for (const instance of instances) expect(benchmarkInstanceValidator.validate(instance).ok).toBe(true);
  const [squad, pubmed, booksum] = instances as [BenchmarkInstance, BenchmarkInstance, BenchmarkInstance];
  expect(squad.metadata.memalphaInstanceId).toBe(9_007_199_254_740_991);
  // The blank chunk is dropped; the others keep their position in their ids.
  expect(squad.chunks).toEqual([
    { id: "c0", text: "Ada Lovelace lived in London." },
    { id: "c2", text: "Charles Babbage designed the Analytical Engine." },
  ]);
  expect(squad.metadata.droppedBlankChunks).toBe(1);
  expect(squad.chunkQuestions).toEqual([[], []]);
  expect(squad.questions.map((question) => question.gold)).toEqual([
    "London",
    ["the Analytical Engine", "Analytical Engine"],
  ]);
  expect(squad.metadata.memalpha).toEqual({ original_id: "sq-17", tags: ["history"] });
  expect([squad.competency, pubmed.competency, booksum.competency]).toEqual(["AR", "TTL", "LRU"]);
  expect(instances.every((instance) => instance.protocol === "memalpha")).toBe(true);
}

describe("Memalpha loader", () => {
  let folder: string;
  let hub: FakeHub;
  let cacheDir: string;
  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), "finemem-memalpha-"));
    mkdirSync(join(folder, "mirror"));
    writeFileSync(join(folder, "mirror", "test.parquet"), bytes);
    writeFileSync(
      join(folder, "mirror", "train.parquet"),
      memalphaParquet([
        memalphaRow({ id: 1, dataSource: "hotpotqa", chunks: ["x."], qa: [{ question: "q", answer: "x" }] }),
      ]),
    );
    hub = await startFakeHub({
      repos: {
        "YuWangX/Memalpha": {
          commit: COMMIT,
          refs: ["main"],
          files: { "test.parquet": bytes, "README.md": new TextEncoder().encode("# card") },
        },
      },
    });
    cacheDir = join(folder, "cache");
  });
  afterAll(async () => {
    await hub.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it("reads bigint ids, JSON-string columns and string or list answers from a local mirror", async () => {
    const loader = createMemalphaLoader({
      source: createLocalDirectorySource({ path: join(folder, "mirror"), repo: "YuWangX/Memalpha" }),
      split: "test",
      onWarning: () => {},
    });
    const instances = await collect(loader);
    expectRows(instances);
    expect(instances[0]?.source).toEqual({
      repo: "YuWangX/Memalpha",
      revision: "unpinned:local",
      file: "test.parquet",
      sha256: createHash("sha256").update(bytes).digest("hex"),
      row: 0,
    });
    expect(
      await collect(
        createMemalphaLoader({ source: createLocalDirectorySource({ path: join(folder, "mirror") }), split: "train" }),
      ),
    ).toHaveLength(1);
  });

  it("reads a split's own file or its shards, not another split whose name begins with it", async () => {
    const rows = (count: number, first: number) =>
      memalphaParquet(
        Array.from({ length: count }, (_, index) =>
          memalphaRow({
            id: first + index,
            dataSource: "hotpotqa",
            chunks: ["x."],
            qa: [{ question: "q", answer: "x" }],
          }),
        ),
      );
    const own = join(folder, "splits");
    mkdirSync(join(own, "sharded"), { recursive: true });
    writeFileSync(join(own, "train.parquet"), rows(1, 1));
    writeFileSync(join(own, "train_extra.parquet"), rows(2, 10));
    writeFileSync(join(own, "sharded", "train-00000-of-00002.parquet"), rows(1, 20));
    writeFileSync(join(own, "sharded", "train-00001-of-00002.parquet"), rows(2, 30));
    writeFileSync(join(own, "sharded", "trainer.parquet"), rows(1, 40));
    const ids = async (path: string) =>
      (await collect(createMemalphaLoader({ source: createLocalDirectorySource({ path }), split: "train" })))
        .map((instance) => instance.instanceId)
        .sort();
    expect(await ids(own)).toEqual(["hotpotqa.1"]);
    expect(await ids(join(own, "sharded"))).toEqual(["hotpotqa.20", "hotpotqa.30", "hotpotqa.31"]);
  });

  it("reads the unpinned repo at main from the hub, warns, and records the commit the hub reported", async () => {
    const warnings: string[] = [];
    const loader = createMemalphaLoader({
      hub: { hubUrl: hub.url, cacheDir },
      onWarning: (message) => warnings.push(message),
    });
    const instances = await collect(loader);
    expectRows(instances);
    expect(warnings.some((warning) => /YuWangX\/Memalpha has no pinned commit/.test(warning))).toBe(true);
    expect(instances.every((instance) => instance.source.revision === COMMIT)).toBe(true);
  });

  it("reads YuWangX/Memalpha-Memoryagentbench rows: MemoryAgentBench sources, re-chunked, with their competencies", async () => {
    const repo = "YuWangX/Memalpha-Memoryagentbench";
    const mabRows = [
      memalphaRow({
        id: 0,
        dataSource: "ruler_qa1_197K",
        chunks: ["Paris is in France."],
        qa: [{ question: "Where is Paris?", answer: ["France"] }],
      }),
      memalphaRow({
        id: 1,
        dataSource: "icl_banking77_5900shot_balance",
        chunks: ["card lost: 12"],
        qa: [{ question: "card stolen", answer: "12" }],
      }),
      memalphaRow({
        id: 2,
        dataSource: "infbench_sum_eng_shots2",
        chunks: ["A long novel."],
        qa: [{ question: "Summarise.", answer: ["Elizabeth", "Darcy"] }],
      }),
    ];
    const mirror = join(folder, "mab-mirror");
    mkdirSync(mirror);
    writeFileSync(join(mirror, "test.parquet"), memalphaParquet(mabRows));
    const instances = await collect(
      createMemalphaLoader({ repo, source: createLocalDirectorySource({ path: mirror, repo }) }),
    );
    expect(instances.map((instance) => [instance.dataSource, instance.competency, instance.protocol])).toEqual([
      ["ruler_qa1_197K", "AR", "memalpha"],
      ["icl_banking77_5900shot_balance", "TTL", "memalpha"],
      ["infbench_sum_eng_shots2", "LRU", "memalpha"],
    ]);
    expect(instances.every((instance) => instance.source.repo === repo)).toBe(true);
  });

  it("reports progress: the file when it is ready, then each kept row", async () => {
    const events: LoadProgress[] = [];
    const loader = createMemalphaLoader({
      source: createLocalDirectorySource({ path: join(folder, "mirror") }),
      split: "test",
      onWarning: () => {},
      onProgress: (event) => events.push(event),
    });
    await collect(loader, { dataSources: ["squad", "booksum"] });
    expect(
      events.map((event) =>
        event.kind === "file"
          ? `file ${event.file} ${event.keptRows}/${event.rows}`
          : `row ${event.row} ${event.done}/${event.keptRows}`,
      ),
    ).toEqual(["file test.parquet 2/3", "row 0 1/2", "row 2 2/2"]);
  });

  it("filters by data source and honours the limit", async () => {
    const loader = createMemalphaLoader({
      source: createLocalDirectorySource({ path: join(folder, "mirror") }),
      split: "test",
      onWarning: () => {},
    });
    expect(
      (await collect(loader, { dataSources: ["booksum", "pubmed-rct"] })).map((instance) => instance.dataSource),
    ).toEqual(["pubmed-rct", "booksum"]);
    expect(await collect(loader, { limit: 1 })).toHaveLength(1);
    expect(await collect(loader, { limit: 0 })).toHaveLength(0);
  });
});
