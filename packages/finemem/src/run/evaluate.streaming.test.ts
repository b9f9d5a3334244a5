// A streamed evaluation: instances are read as episodes free up, files are written in dataset order
// whatever order episodes finish in, and the manifest learns dataset files as they are read.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateSyntheticBenchmark } from "@finemem/benchmarks";
import { createExtractiveReader, createHeuristicPolicy } from "@finemem/policy";
import type { BenchmarkInstance, MemoryPolicy } from "@finemem/spec";
import { describe, expect, it } from "vitest";
import { evaluate } from "./evaluate.js";

const instances = generateSyntheticBenchmark({
  seed: 11,
  instanceCount: 12,
  chunkCount: 2,
  factsPerChunk: 3,
  questionsPerChunk: 1,
});
const read = (dir: string, file: string) => readFileSync(join(dir, file), "utf8");
const freshDir = (name: string) => join(mkdtempSync(join(tmpdir(), "finemem-stream-")), name);

/** The heuristic policy, slowed down on the first instance, so that every later episode finishes before it. */
function slowFirstPolicy(): MemoryPolicy {
  const policy = createHeuristicPolicy();
  return {
    ...policy,
    decide: async (input, options) => {
      if (instances[0]!.chunks.includes(input.chunk)) await new Promise((resolve) => setTimeout(resolve, 100));
      return policy.decide(input, options);
    },
  };
}

/**
 * The instances as an async stream that records, at each read, how many instances are held: read but
 * not yet writable (an episode is written once every earlier one has finished).
 */
function countedStream(list: readonly BenchmarkInstance[]) {
  const finished = new Set<string>();
  const counter = { read: 0, mostHeld: 0 };
  const writable = () => {
    let prefix = 0;
    while (prefix < list.length && finished.has(list[prefix]!.instanceId)) prefix += 1;
    return prefix;
  };
  async function* stream() {
    for (const instance of list) {
      counter.read += 1;
      counter.mostHeld = Math.max(counter.mostHeld, counter.read - writable());
      yield instance;
    }
  }
  return { stream: stream(), counter, finish: (instanceId: string) => finished.add(instanceId) };
}

describe("evaluate, streamed", () => {
  it("reads an instance only when an episode frees up, and writes the files of a run given every instance up front", async () => {
    const { stream, counter, finish } = countedStream(instances);
    const streamedDir = freshDir("run-s");
    await evaluate({
      runId: "run-s",
      runDir: streamedDir,
      instances: stream,
      policy: slowFirstPolicy(),
      reasoner: createExtractiveReader(),
      concurrency: { episodes: 2 },
      onEpisode: (episode) => finish(episode.instance.instanceId),
    });
    // Two in flight, at most two more finished but waiting for the slow first one, and the one just
    // read: 12 if the run read everything while the first episode ran.
    expect(counter.read).toBe(12);
    expect(counter.mostHeld).toBeLessThanOrEqual(5);

    const upFrontDir = freshDir("run-s");
    await evaluate({
      runId: "run-s",
      runDir: upFrontDir,
      instances,
      policy: createHeuristicPolicy(),
      reasoner: createExtractiveReader(),
      concurrency: { episodes: 1 },
    });
    for (const file of ["steps.jsonl", "results.jsonl", "episodes.jsonl", "summary.json"])
      expect(read(streamedDir, file), file).toBe(read(upFrontDir, file));
    const manifest = (dir: string) => ({ ...JSON.parse(read(dir, "manifest.json")), createdAt: null });
    expect(manifest(streamedDir)).toEqual(manifest(upFrontDir));
    expect(readdirSync(streamedDir).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });

  it("reports the work known so far as an open total, and the whole as complete once the data runs out", async () => {
    const totals: [number, boolean | undefined][] = [];
    let done = 0;
    await evaluate({
      runId: "run-p",
      instances: instances.slice(0, 3),
      policy: createHeuristicPolicy(),
      reasoner: createExtractiveReader(),
      progress: {
        setTotal: (total, complete) => totals.push([total, complete]),
        advance: () => done++,
        skip: () => {},
      },
    });
    // A unit is a step (one per chunk) or a question.
    const units = instances.slice(0, 3).map((instance) => instance.chunks.length + instance.questions.length);
    const known = [units[0]!, units[0]! + units[1]!, units[0]! + units[1]! + units[2]!];
    expect(totals).toEqual([
      [known[0], false],
      [known[1], false],
      [known[2], false],
      [known[2], true],
    ]);
    expect(done).toBe(known[2]);
  });

  it("with retainSteps false keeps the steps only in steps.jsonl, or drops them without a folder", async () => {
    const runDir = freshDir("run-k");
    const base = {
      runId: "run-k",
      instances: instances.slice(0, 2),
      policy: createHeuristicPolicy(),
      reasoner: createExtractiveReader(),
    };
    const kept = await evaluate({ ...base, runDir });
    const written = read(runDir, "steps.jsonl");
    const dropped = await evaluate({ ...base, runDir: freshDir("run-k"), retainSteps: false });
    expect(dropped.steps).toEqual([]);
    expect(read(dropped.runDir!, "steps.jsonl")).toBe(written);
    expect(written.trim().split("\n")).toHaveLength(kept.steps.length);
    const scoresOnly = await evaluate({ ...base, retainSteps: false });
    expect(scoresOnly.steps).toEqual([]);
    expect(scoresOnly.summary).toEqual(kept.summary);
  });

  it("a failing episode stops the reading, leaves no step log, and keeps the finished episodes' journals", async () => {
    const runDir = freshDir("run-f");
    const { stream, counter } = countedStream(instances);
    const policy = createHeuristicPolicy();
    const failing: MemoryPolicy = {
      ...policy,
      decide: async (input, options) => {
        if (input.chunk === instances[4]!.chunks[0]) throw new Error("planted policy fault");
        return policy.decide(input, options);
      },
    };
    await expect(
      evaluate({ runId: "run-f", runDir, instances: stream, policy: failing, reasoner: createExtractiveReader() }),
    ).rejects.toThrow("planted policy fault");
    expect(counter.read).toBeLessThan(12);
    expect(existsSync(join(runDir, "steps.jsonl"))).toBe(false);
    expect(readdirSync(runDir).filter((name) => name.endsWith(".tmp"))).toEqual([]);
    expect(readdirSync(join(runDir, "journal"))).toContain(`${instances[0]!.instanceId}.r0.jsonl`);
  });

  it("records dataset files as they are read; a resumed run must read the recorded ones in order", async () => {
    const fromFile = (list: readonly BenchmarkInstance[], file: string, sha256: string | null = null) =>
      list.map((instance) => ({ ...instance, source: { ...instance.source, file, sha256 } }));
    const first = fromFile(instances.slice(0, 2), "a.jsonl");
    const second = fromFile(instances.slice(2, 4), "b.jsonl");
    const runDir = freshDir("run-m");
    const run = (list: readonly BenchmarkInstance[]) =>
      evaluate({
        runId: "run-m",
        runDir,
        instances: list,
        policy: createHeuristicPolicy(),
        reasoner: createExtractiveReader(),
      });
    // A run that stopped after the first file recorded only it; the resumed run adds the second.
    await run(first);
    expect(JSON.parse(read(runDir, "manifest.json")).datasets.map((d: { file: string }) => d.file)).toEqual([
      "a.jsonl",
    ]);
    await run([...first, ...second]);
    const recorded = read(runDir, "manifest.json");
    expect(JSON.parse(recorded).datasets.map((d: { file: string }) => d.file)).toEqual(["a.jsonl", "b.jsonl"]);

    // The second file changed: refused where it is read, naming the position, the folder unchanged.
    const changed = fromFile(instances.slice(2, 4), "b.jsonl", "f".repeat(64));
    await expect(run([...first, ...changed])).rejects.toMatchObject({
      code: "resume_mismatch",
      message: expect.stringContaining("datasets[1].sha256"),
    });
    expect(read(runDir, "manifest.json")).toBe(recorded);
    // Fewer files than recorded is refused once the data runs out.
    await expect(run(first)).rejects.toMatchObject({
      code: "resume_mismatch",
      message: expect.stringContaining("recorded 2 files, now 1"),
    });
    expect(read(runDir, "manifest.json")).toBe(recorded);
  });
});
