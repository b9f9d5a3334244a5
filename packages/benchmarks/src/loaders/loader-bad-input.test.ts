// Bad input: every failure is a DatasetError naming the file, row and field; a bad row can be skipped.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BenchmarkInstance, DatasetLoader } from "@finemem/spec";
import {
  type MemalphaRow,
  type MemoryAgentBenchRow,
  memalphaParquet,
  memalphaRow,
  memoryAgentBenchParquet,
} from "@finemem/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DatasetError } from "../dataset-error.js";
import { createLocalDirectorySource, createSingleFileSource } from "../sources/local-source.js";
import { PINNED_REVISIONS } from "../sources/revision-policy.js";
import { type FakeHub, startFakeHub } from "../testing/fake-hub.js";
import { createMemalphaLoader } from "./memalpha-loader.js";
import { createMemoryAgentBenchLoader } from "./memory-agent-bench-loader.js";

const REPO = "ai-hyz/MemoryAgentBench";
const COMMIT = PINNED_REVISIONS[REPO]!;
const FILE = "data/Conflict_Resolution-00000-of-00001.parquet";

let folder: string;
beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), "finemem-bad-input-"));
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

async function collect(loader: DatasetLoader): Promise<BenchmarkInstance[]> {
  const out: BenchmarkInstance[] = [];
  for await (const instance of loader.load()) out.push(instance);
  return out;
}

async function loadError(loader: DatasetLoader): Promise<DatasetError> {
  try {
    await collect(loader);
  } catch (error) {
    expect(error).toBeInstanceOf(DatasetError);
    return error as DatasetError;
  }
  throw new Error("expected the load to fail");
}

let fileCounter = 0;
function writeFile(bytes: Uint8Array | string, name = `Conflict_Resolution-${fileCounter++}.parquet`): string {
  const path = join(folder, name);
  writeFileSync(path, bytes);
  return path;
}

const good: MemoryAgentBenchRow = {
  context: "Ada lives in Paris. Bob lives in Rome.",
  questions: ["Where does Ada live?"],
  answers: [["Paris"]],
  metadata: { source: "factconsolidation_sh_6k" },
};
const mab = (rows: MemoryAgentBenchRow[], extra: Parameters<typeof createMemoryAgentBenchLoader>[0] = {}) =>
  createMemoryAgentBenchLoader({
    source: createSingleFileSource({ path: writeFile(memoryAgentBenchParquet(rows)) }),
    ...extra,
  });
const memalpha = (rows: MemalphaRow[], extra: Parameters<typeof createMemalphaLoader>[0] = {}) =>
  createMemalphaLoader({
    source: createSingleFileSource({ path: writeFile(memalphaParquet(rows), `test-${fileCounter++}.parquet`) }),
    ...extra,
  });

describe("files", () => {
  it("a missing file", async () => {
    const error = await loadError(
      createMemoryAgentBenchLoader({
        source: createSingleFileSource({ path: join(folder, "Conflict_Resolution-nope.parquet") }),
      }),
    );
    expect(error.code).toBe("missing_file");
    expect(error.file).toContain("Conflict_Resolution-nope.parquet");
  });

  it("a missing file whose name tells no split is missing first, not of an unknown split", async () => {
    const error = await loadError(
      createMemoryAgentBenchLoader({ source: createSingleFileSource({ path: join(folder, "my-export.jsonl") }) }),
    );
    expect(error.code).toBe("missing_file");
    expect(error.file).toContain("my-export.jsonl");
  });

  it("a file whose name tells no split asks for --split (CLI) or split (library), not options.split", async () => {
    const path = writeFile(memoryAgentBenchParquet([good]), "my-export.parquet");
    const error = await loadError(createMemoryAgentBenchLoader({ source: createSingleFileSource({ path }) }));
    expect(error.code).toBe("invalid_option");
    expect(error.message).toContain("`--split` on the command line");
    expect(error.message).not.toContain("options.split");
  });

  it("a local mirror without the split's files", async () => {
    const error = await loadError(
      createMemoryAgentBenchLoader({
        source: createLocalDirectorySource({ path: folder }),
        splits: ["Test_Time_Learning"],
      }),
    );
    expect(error.code).toBe("missing_file");
    expect(error.message).toContain("Test_Time_Learning");
  });

  it("a truncated parquet file and one that is not parquet at all", async () => {
    const bytes = memoryAgentBenchParquet([good]);
    for (const broken of [bytes.subarray(0, bytes.length - 40), new TextEncoder().encode("not parquet at all")]) {
      const path = writeFile(broken);
      const error = await loadError(createMemoryAgentBenchLoader({ source: createSingleFileSource({ path }) }));
      expect(error.code).toBe("corrupt_file");
      expect(error.file).toBe(path.split("/").pop());
    }
  });

  it("a parquet file whose middle is cut out", async () => {
    const bytes = memoryAgentBenchParquet([good, { ...good, context: "x ".repeat(5000) }]);
    const spliced = new Uint8Array([...bytes.subarray(0, 200), ...bytes.subarray(bytes.length - 600)]);
    const error = await loadError(
      createMemoryAgentBenchLoader({ source: createSingleFileSource({ path: writeFile(spliced) }) }),
    );
    expect(error.code).toBe("corrupt_file");
  });

  it("a JSONL line that is not JSON names its row", async () => {
    const path = writeFile(
      `${JSON.stringify({ context: "A.", questions: [], answers: [], metadata: { source: "s" } })}\n{"context": "B.", "questi`,
      "Conflict_Resolution-broken.jsonl",
    );
    const error = await loadError(createMemoryAgentBenchLoader({ source: createSingleFileSource({ path }) }));
    expect(error.code).toBe("corrupt_file");
    expect(error.row).toBe(1);
  });

  it("a single file whose split cannot be told", async () => {
    const path = writeFile(memoryAgentBenchParquet([good]), "mystery.parquet");
    const error = await loadError(createMemoryAgentBenchLoader({ source: createSingleFileSource({ path }) }));
    expect(error.code).toBe("invalid_option");
    expect(
      await collect(
        createMemoryAgentBenchLoader({ source: createSingleFileSource({ path }), split: "Conflict_Resolution" }),
      ),
    ).toHaveLength(1);
  });
});

describe("MemoryAgentBench rows", () => {
  it("questions and answers of different lengths", async () => {
    const error = await loadError(mab([good, { ...good, answers: [["Paris"], ["Rome"]] }]));
    expect(error.code).toBe("length_mismatch");
    expect([error.row, error.field]).toEqual([1, "answers"]);
  });

  it("a mistyped column (a list where text belongs) and a null question", async () => {
    const nullQuestion = await loadError(mab([{ ...good, questions: [null] }]));
    expect([nullQuestion.code, nullQuestion.row, nullQuestion.field]).toEqual(["wrong_type", 0, "questions[0]"]);
    const path = writeFile(
      `${JSON.stringify({ context: ["not", "text"], questions: [], answers: [], metadata: { source: "s" } })}\n`,
      "Conflict_Resolution-typed.jsonl",
    );
    const error = await loadError(createMemoryAgentBenchLoader({ source: createSingleFileSource({ path }) }));
    expect([error.code, error.row, error.field]).toEqual(["wrong_type", 0, "context"]);
    expect(error.message).toContain("expected text, found a list");
  });

  it("a missing column", async () => {
    const path = writeFile(
      `${JSON.stringify({ context: "A.", answers: [], metadata: { source: "s" } })}\n`,
      "Conflict_Resolution-missing.jsonl",
    );
    const error = await loadError(createMemoryAgentBenchLoader({ source: createSingleFileSource({ path }) }));
    expect([error.code, error.row, error.field]).toEqual(["missing_column", 0, "questions"]);
  });

  it("a row without metadata.source", async () => {
    const error = await loadError(mab([{ ...good, metadata: { source: null } }]));
    expect([error.code, error.row, error.field]).toEqual(["wrong_type", 0, "metadata.source"]);
  });

  it("an empty context gives no chunk", async () => {
    const error = await loadError(mab([{ ...good, context: "   " }]));
    expect([error.code, error.row, error.field]).toEqual(["empty_chunks", 0, "context"]);
  });

  it("skips bad rows with a warning when asked, and keeps the good ones", async () => {
    const warnings: string[] = [];
    const progress: string[] = [];
    const loader = mab([{ ...good, context: "" }, good, { ...good, answers: [] }], {
      skipBadRows: true,
      onWarning: (message) => warnings.push(message),
      onProgress: (event) =>
        progress.push(
          event.kind === "file"
            ? `file ${event.keptRows}/${event.rows}`
            : `row ${event.row} ${event.done}/${event.keptRows}`,
        ),
    });
    const instances = await collect(loader);
    // Skipped rows count as done: a progress bar still reaches its end.
    expect(progress).toEqual(["file 3/3", "row 0 1/3", "row 1 2/3", "row 2 3/3"]);
    expect(instances.map((instance) => instance.source.row)).toEqual([1]);
    expect(loader.skipped.map((skip) => [skip.row, skip.error.code])).toEqual([
      [0, "empty_chunks"],
      [2, "length_mismatch"],
    ]);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/row 0, field context/);
  });

  it("a corrupt file is never skipped", async () => {
    const bytes = memoryAgentBenchParquet([good]);
    const loader = createMemoryAgentBenchLoader({
      source: createSingleFileSource({ path: writeFile(bytes.subarray(0, 30)) }),
      skipBadRows: true,
    });
    expect((await loadError(loader)).code).toBe("corrupt_file");
  });

  it("a bad option", () => {
    expect(() => createMemoryAgentBenchLoader({ chunkTokens: 0 })).toThrow(DatasetError);
    expect(() => createMemoryAgentBenchLoader({ splits: ["Nope" as never] })).toThrow(/unknown split Nope/);
  });
});

describe("Memalpha rows", () => {
  const row = memalphaRow({
    id: 1,
    dataSource: "squad",
    chunks: ["Ada lives in Paris."],
    qa: [{ question: "Where?", answer: "Paris" }],
  });

  it("an empty chunk list", async () => {
    const error = await loadError(memalpha([{ ...row, chunks: "[]", num_chunks: 0n }]));
    expect([error.code, error.row, error.field]).toEqual(["empty_chunks", 0, "chunks"]);
  });

  it("a JSON column that does not parse, and one of the wrong shape", async () => {
    const broken = await loadError(memalpha([row, { ...row, questions_and_answers: '[{"question": ' }]));
    expect([broken.code, broken.row, broken.field]).toEqual(["invalid_json", 1, "questions_and_answers"]);
    const shape = await loadError(memalpha([{ ...row, chunks: '{"a": 1}' }]));
    expect([shape.code, shape.field]).toEqual(["wrong_type", "chunks"]);
    const answer = await loadError(
      memalpha([{ ...row, questions_and_answers: JSON.stringify([{ question: "Q", answer: { text: "x" } }]) }]),
    );
    expect([answer.code, answer.field]).toEqual(["wrong_type", "questions_and_answers[0].answer"]);
  });

  it("counts that disagree with the lists, and a question without an answer", async () => {
    const count = await loadError(memalpha([{ ...row, num_questions: 3n }]));
    expect([count.code, count.field]).toEqual(["length_mismatch", "num_questions"]);
    const missing = await loadError(
      memalpha([{ ...row, questions_and_answers: JSON.stringify([{ question: "Q" }]), num_questions: 1n }]),
    );
    expect([missing.code, missing.field]).toEqual(["length_mismatch", "questions_and_answers[0].answer"]);
  });

  it("a mistyped instance_id and an unknown data source", async () => {
    const id = await loadError(memalpha([{ ...row, instance_id: null }]));
    expect([id.code, id.field]).toEqual(["wrong_type", "instance_id"]);
    const unknown = await loadError(memalpha([{ ...row, data_source: "mystery_set" }]));
    expect([unknown.code, unknown.field]).toEqual(["unknown_data_source", "data_source"]);
  });

  it("a file without a required column", async () => {
    const path = writeFile(
      `${JSON.stringify({ instance_id: 1, chunks: '["a"]', data_source: "squad" })}\n`,
      `test-${fileCounter++}.jsonl`,
    );
    const error = await loadError(createMemalphaLoader({ source: createSingleFileSource({ path }) }));
    expect([error.code, error.field]).toEqual(["missing_column", "questions_and_answers"]);
  });
});

describe("the hub", () => {
  let hub: FakeHub;
  let cacheDir: string;
  const bytes = memoryAgentBenchParquet([good]);
  beforeAll(async () => {
    hub = await startFakeHub({ repos: { [REPO]: { commit: COMMIT, refs: ["main"], files: { [FILE]: bytes } } } });
  });
  afterAll(() => hub.close());
  afterEach(() => {
    if (cacheDir !== undefined) rmSync(cacheDir, { recursive: true, force: true });
  });
  const freshCache = () => (cacheDir = mkdtempSync(join(tmpdir(), "finemem-hf-cache-")));
  const loader = (
    hubOptions: object,
    splits: ("Conflict_Resolution" | "Accurate_Retrieval")[] = ["Conflict_Resolution"],
  ) => createMemoryAgentBenchLoader({ hub: { hubUrl: hub.url, cacheDir: freshCache(), ...hubOptions }, splits });

  it("an unknown revision: a commit and a branch", async () => {
    for (const revision of ["0".repeat(40), "no-such-branch"]) {
      const error = await loadError(loader({ revision }));
      expect(error.code).toBe("unknown_revision");
      expect(error.message).toContain(revision);
    }
  });

  it("a split the repo does not hold", async () => {
    const error = await loadError(loader({}, ["Accurate_Retrieval"]));
    expect(error.code).toBe("missing_file");
  });

  it("offline with nothing cached: no request, a not_cached error", async () => {
    const before = hub.requests.length;
    const error = await loadError(loader({ cache: "offline" }));
    expect(error.code).toBe("not_cached");
    expect(hub.requests.length).toBe(before);
  });

  it("a dead endpoint", async () => {
    const dead = await startFakeHub({ repos: {} });
    await dead.close();
    const error = await loadError(
      createMemoryAgentBenchLoader({
        hub: { hubUrl: dead.url, cacheDir: freshCache() },
        splits: ["Conflict_Resolution"],
      }),
    );
    expect(error.code).toBe("hub_unreachable");
    // The message says what to do next, not only "fetch failed".
    expect(error.message).toContain("HF_HUB_OFFLINE=1");
    expect(error.message).toContain("HF_ENDPOINT");
    expect(error.message).toContain("--file");
  });

  it("bytes that do not match the announced sha256 are rejected and leave nothing cached", async () => {
    const corrupt = await startFakeHub({
      corruptBytes: true,
      repos: { [REPO]: { commit: COMMIT, files: { [FILE]: bytes } } },
    });
    try {
      const cache = freshCache();
      const make = () =>
        createMemoryAgentBenchLoader({
          hub: { hubUrl: corrupt.url, cacheDir: cache },
          splits: ["Conflict_Resolution"],
        });
      expect((await loadError(make())).code).toBe("checksum_mismatch");
      // Nothing corrupt stays: the next load fetches again (and fails again) instead of trusting the cache.
      const before = corrupt.requests.length;
      expect((await loadError(make())).code).toBe("checksum_mismatch");
      expect(corrupt.requests.length).toBeGreaterThan(before);
    } finally {
      await corrupt.close();
    }
  });

  it("a branch: resolved on the hub by default, served from the cache with zero requests in cache-first and offline modes", async () => {
    const cache = freshCache();
    const make = (cache_: "default" | "cache-first" | "offline") =>
      createMemoryAgentBenchLoader({
        hub: { hubUrl: hub.url, cacheDir: cache, revision: "main", cache: cache_ },
        splits: ["Conflict_Resolution"],
      });
    const first = await collect(make("default"));
    expect(first[0]?.source.revision).toBe(COMMIT);
    let before = hub.requests.length;
    await collect(make("default"));
    // The branch is resolved again (one request), the bytes are not downloaded again.
    expect(hub.requests.slice(before).map((request) => request.path)).toEqual([`/api/datasets/${REPO}/revision/main`]);
    for (const mode of ["cache-first", "offline"] as const) {
      before = hub.requests.length;
      expect(await collect(make(mode))).toEqual(first);
      expect(hub.requests.length).toBe(before);
    }
  });
});
