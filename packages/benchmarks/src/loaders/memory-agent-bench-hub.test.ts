// Acceptance 1: the real @huggingface/hub client against a local server that speaks the hub.
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BenchmarkInstance, benchmarkInstanceValidator } from "@finemem/spec";
import {
  checkService,
  type MemoryAgentBenchRow,
  memoryAgentBenchParquet,
  probeSharedFile,
  sharedDir,
} from "@finemem/testing";
import { createO200kTokenCounter, splitSentences } from "@finemem/utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PINNED_REVISIONS } from "../sources/revision-policy.js";
import { type FakeHub, startFakeHub } from "../testing/fake-hub.js";
import { createMemoryAgentBenchLoader } from "./memory-agent-bench-loader.js";

const REPO = "ai-hyz/MemoryAgentBench";
const COMMIT = PINNED_REVISIONS[REPO]!;
const SPLIT_FILE = "data/Conflict_Resolution-00000-of-00001.parquet";
const BUDGET = 512;
const counter = createO200kTokenCounter();

interface Row {
  context: string;
  questions: string[];
  answers: string[][];
}

async function collect(iterable: AsyncIterable<BenchmarkInstance>): Promise<BenchmarkInstance[]> {
  const out: BenchmarkInstance[] = [];
  for await (const instance of iterable) out.push(instance);
  return out;
}

/**
 * Checks the chunking contract against the context: the chunks, in order, are the context's sentences
 * joined by one space; packing is greedy (the next sentence would not have fit); and each chunk is
 * within the budget unless it is a single oversize sentence.
 */
function expectChunksReproduceSentences(instance: BenchmarkInstance, context: string): void {
  const sentences = splitSentences(context).map((span) => span.text);
  // Nothing of the context is lost or reordered: sentences hold every non-space character in order.
  expect(sentences.join("").replace(/\s+/g, "")).toBe(context.replace(/\s+/g, ""));
  let next = 0;
  for (const chunk of instance.chunks) {
    const start = next;
    let joined = sentences[next++]!;
    while (joined.length < chunk.text.length && next < sentences.length) joined += ` ${sentences[next++]!}`;
    expect(joined).toBe(chunk.text);
    const tokens = counter.count(chunk.text);
    if (next - start > 1) expect(tokens).toBeLessThanOrEqual(BUDGET);
    else if (tokens > BUDGET) expect(next - start).toBe(1);
    if (next < sentences.length) expect(counter.count(`${chunk.text} ${sentences[next]!}`)).toBeGreaterThan(BUDGET);
  }
  expect(next).toBe(sentences.length);
}

function hubContract(
  label: string,
  fixture: () => { bytes: Uint8Array; row: Row; source: string; otherSources: number; oversize: boolean },
) {
  describe(label, () => {
    let hub: FakeHub;
    let cacheDir: string;
    let bytes: Uint8Array;
    let row: Row;
    let source: string;
    let otherSources: number;
    let oversize: boolean;

    beforeAll(async () => {
      ({ bytes, row, source, otherSources, oversize } = fixture());
      hub = await startFakeHub({
        repos: { [REPO]: { commit: COMMIT, refs: ["main"], files: { [SPLIT_FILE]: bytes } } },
      });
      cacheDir = mkdtempSync(join(tmpdir(), "finemem-hf-cache-"));
    });
    afterAll(async () => {
      await hub.close();
      rmSync(cacheDir, { recursive: true, force: true });
    });

    const load = () =>
      collect(
        createMemoryAgentBenchLoader({
          hub: { hubUrl: hub.url, cacheDir },
          splits: ["Conflict_Resolution"],
          chunkTokens: BUDGET,
        }).load({
          dataSources: [source],
        }),
      );

    it("downloads through the hub protocol, then loads from the cache with zero requests", async () => {
      const first = await load();
      const paths = hub.requests.map((request) => `${request.method} ${request.path}`);
      expect(paths).toContain(`GET /api/datasets/${REPO}/tree/${COMMIT}/data`);
      expect(paths).toContain(`POST /api/datasets/${REPO}/paths-info/${COMMIT}`);
      // The range probe on resolve, answered by a redirect whose target serves the bytes.
      const probe = hub.requests.find(
        (request) => request.path === `/datasets/${REPO}/resolve/${COMMIT}/${SPLIT_FILE}`,
      );
      expect(probe?.range).toBe("bytes=0-0");
      const cdn = hub.requests.filter((request) => request.path.startsWith("/cdn/"));
      expect(cdn.length).toBeGreaterThanOrEqual(2);
      expect(cdn[0]?.range).toBe("bytes=0-0");
      const firstCount = hub.requests.length;
      console.log(`first load: ${firstCount} requests (${paths.join("; ")})`);

      const second = await load();
      expect(hub.requests.length).toBe(firstCount);
      expect(second).toEqual(first);
    });

    it("gives one instance of the sub-dataset, golds equal to the row's answers, and chunks that rebuild the context", async () => {
      const instances = await load();
      expect(instances).toHaveLength(1);
      const [instance] = instances as [BenchmarkInstance];
      expect(benchmarkInstanceValidator.validate(instance).ok).toBe(true);
      expect(instance.dataSource).toBe(source);
      expect(instance.competency).toBe("CR");
      expect(instance.protocol).toBe("memoryagentbench");
      expect(instance.questions).toHaveLength(row.questions.length);
      expect(instance.questions.map((question) => question.question)).toEqual(row.questions);
      expect(instance.questions.map((question) => question.gold)).toEqual(row.answers);
      expectChunksReproduceSentences(instance, row.context);
      const chunking = instance.metadata.chunking as { oversizeChunks: number; maxTokens: number; encoding: string };
      expect(chunking).toMatchObject({ maxTokens: BUDGET, encoding: "o200k_base" });
      expect(chunking.oversizeChunks > 0).toBe(oversize);
      expect(instance.source).toEqual({
        repo: REPO,
        revision: COMMIT,
        file: SPLIT_FILE,
        sha256: createHash("sha256").update(bytes).digest("hex"),
        row: 0,
      });
    });

    it("filters by metadata.source", async () => {
      const all = await collect(
        createMemoryAgentBenchLoader({
          hub: { hubUrl: hub.url, cacheDir },
          splits: ["Conflict_Resolution"],
          chunkTokens: BUDGET,
        }).load(),
      );
      expect(all).toHaveLength(1 + otherSources);
      const none = await collect(
        createMemoryAgentBenchLoader({ hub: { hubUrl: hub.url, cacheDir }, splits: ["Conflict_Resolution"] }).load({
          dataSources: ["no_such_source"],
        }),
      );
      expect(none).toEqual([]);
    });
  });
}

const shared = await checkService("shared", () =>
  probeSharedFile("data/memoryagentbench/Conflict_Resolution-factconsolidation_sh_6k.parquet"),
);
describe.skipIf(!shared.available)("the shared real row", () => {
  hubContract("MemoryAgentBench from the hub, serving the shared parquet at the pinned revision", () => {
    const folder = join(sharedDir(), "data", "memoryagentbench");
    const row = JSON.parse(
      readFileSync(join(folder, "Conflict_Resolution-factconsolidation_sh_6k.jsonl"), "utf8"),
    ) as Row;
    expect(row.questions).toHaveLength(100);
    return {
      bytes: readFileSync(join(folder, "Conflict_Resolution-factconsolidation_sh_6k.parquet")),
      row,
      source: "factconsolidation_sh_6k",
      otherSources: 0,
      oversize: false,
    };
  });
});

// The same contract on a parquet file this test writes, so it runs where ../shared is absent.
hubContract("MemoryAgentBench from the hub, serving a parquet file the test writes", () => {
  const facts = Array.from(
    { length: 160 },
    (_, index) => `${index}. The capital of Country ${index} is City ${index * 7}, D.C. says Dr. Smith of Acme Inc.`,
  );
  const context = `Here is a list of facts:\n${facts.join("\n")}\nA final line with a very long sentence ${"that keeps going ".repeat(200)}and ends here.`;
  const row: Row = {
    context,
    questions: Array.from({ length: 10 }, (_, index) => `What is the capital of Country ${index}?`),
    answers: Array.from({ length: 10 }, (_, index) => [`City ${index * 7}`]),
  };
  const rows: MemoryAgentBenchRow[] = [
    {
      context: "Unrelated. Two sentences.",
      questions: ["Q?"],
      answers: [["A"]],
      metadata: { source: "factconsolidation_mh_6k", qa_pair_ids: ["mh0"] },
    },
    {
      ...row,
      metadata: { source: "factconsolidation_sh_6k", qa_pair_ids: row.questions.map((_, index) => `sh_no${index}`) },
    },
  ];
  // The wanted row is second: its source.row must say so, and the test's expectations use row 0.
  return {
    bytes: memoryAgentBenchParquet([rows[1]!, rows[0]!]),
    row,
    source: "factconsolidation_sh_6k",
    otherSources: 1,
    oversize: true,
  };
});
