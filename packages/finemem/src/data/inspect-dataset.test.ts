import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  createMemoryAgentBenchLoader,
  createSingleFileSource,
  createSyntheticLoader,
  generateSyntheticBenchmark,
  MEMORY_AGENT_BENCH_REPO,
  PINNED_REVISIONS,
  SYNTHETIC_REPO,
  SYNTHETIC_REVISION,
} from "@finemem/benchmarks";
import type { BenchmarkInstance } from "@finemem/spec";
import { checkService, probeSharedFile, sharedDir } from "@finemem/testing";
import { createO200kTokenCounter } from "@finemem/utils";
import { describe, expect, it } from "vitest";
import { metricNameOf } from "../run/run-aggregates.js";
import { DataCommandError } from "./data-command-error.js";
import { formatInspection, inspectDataset } from "./inspect-dataset.js";

const counter = createO200kTokenCounter();
const KNOBS = { seed: "inspect", instanceCount: 3, chunkCount: 4 };

describe("inspectDataset on the synthetic benchmark", () => {
  const instances = generateSyntheticBenchmark(KNOBS);

  it("summarises sizes, chunk questions, scoring and provenance per data source", async () => {
    const inspection = await inspectDataset({ instances });
    const tokens = instances
      .flatMap((instance) => instance.chunks)
      .reduce((sum, chunk) => sum + counter.count(chunk.text), 0);
    expect(inspection).toMatchObject({ instances: 3, chunks: 12, chunkTokens: tokens, tokenEncoding: "o200k_base" });
    expect(inspection.dataSources).toHaveLength(1);
    const [summary] = inspection.dataSources;
    const questions = instances.map((instance) => instance.questions.length);
    expect(summary).toMatchObject({
      dataSource: "synthetic",
      protocol: "memoryagentbench",
      primaryMetric: "substring_exact_match",
      instances: 3,
      chunks: { total: 12, min: 4, mean: 4, max: 4 },
      globalQuestions: {
        total: questions.reduce((a, b) => a + b, 0),
        min: Math.min(...questions),
        max: Math.max(...questions),
      },
      chunkQuestions: {
        presence: "all",
        chunksWithQuestions: 12,
        questions: instances.reduce((sum, instance) => sum + instance.chunkQuestions.flat().length, 0),
      },
    });
    expect(summary?.competencies.every((competency) => competency === "CR" || competency === "AR")).toBe(true);
    // One generator configuration: one source entry, generated (no file hash).
    expect(summary?.sources).toEqual([
      { repo: SYNTHETIC_REPO, revision: SYNTHETIC_REVISION, file: instances[0]!.source.file, sha256: null },
    ]);
    expect(tokens).toBeGreaterThan(0);
    const text = formatInspection(inspection);
    expect(text).toContain("synthetic  (");
    expect(text).toContain("primary metric substring_exact_match");
    expect(text).toContain("chunks:           12 (per instance min 4, mean 4, max 4)");
    expect(text).toContain(`chunk questions:  all:`);
    expect(text).toContain(`source:           ${SYNTHETIC_REPO}@${SYNTHETIC_REVISION}`);
    expect(text).toContain(`total: 3 instance(s), 12 chunk(s), ${tokens} o200k_base tokens`);
  });

  it("reads a loader lazily, honouring limit and the data-source filter", async () => {
    expect((await inspectDataset({ loader: createSyntheticLoader(KNOBS), limit: 2 })).instances).toBe(2);
    expect(
      (await inspectDataset({ loader: createSyntheticLoader(KNOBS), dataSources: ["squad"] })).dataSources,
    ).toEqual([]);
    expect(formatInspection(await inspectDataset({ instances, limit: 0 }))).toBe("no instances");
  });

  it("groups by data source and reports partial or missing chunk questions", async () => {
    const [first, second] = instances as [BenchmarkInstance, BenchmarkInstance];
    const partial: BenchmarkInstance = {
      ...first,
      dataSource: "squad",
      protocol: "memalpha",
      chunkQuestions: first.chunkQuestions.map((list, index) => (index === 0 ? list : [])),
    };
    const bare: BenchmarkInstance = { ...second, chunkQuestions: second.chunks.map(() => []) };
    const inspection = await inspectDataset({ instances: [partial, bare] });
    expect(
      inspection.dataSources.map((summary) => [
        summary.dataSource,
        summary.primaryMetric,
        summary.chunkQuestions.presence,
        summary.chunkQuestions.chunksWithQuestions,
      ]),
    ).toEqual([
      ["squad", "memalpha:squad", "some", 1],
      ["synthetic", "substring_exact_match", "none", 0],
    ]);
    expect(formatInspection(inspection)).toContain("none (build them with `finemem data build-chunk-qa`)");
  });

  it("wants exactly one of a loader and instances, and a limit ≥ 0", async () => {
    await expect(inspectDataset({})).rejects.toSatisfy(
      (error) => error instanceof DataCommandError && error.code === "no_input" && /got neither/.test(error.message),
    );
    await expect(inspectDataset({ instances, loader: createSyntheticLoader() })).rejects.toMatchObject({
      code: "no_input",
      message: expect.stringContaining("got both"),
    });
    await expect(inspectDataset({ instances, limit: -1 })).rejects.toMatchObject({
      code: "invalid_option",
      path: ["limit"],
    });
  });

  it("names MemoryAgentBench's primary metric per sub-dataset", () => {
    expect(metricNameOf("memoryagentbench", "icl_banking77_5900shot_balance")).toBe("exact_match");
    expect(metricNameOf("memoryagentbench", "eventqa_full")).toBe("eventqa_recall");
    expect(metricNameOf("memalpha", "booksum")).toBe("memalpha:booksum");
  });
});

const SAMPLE = "data/memoryagentbench/Conflict_Resolution-factconsolidation_sh_6k.jsonl";
const shared = await checkService("shared", () => probeSharedFile(SAMPLE));
describe.skipIf(!shared.available)("inspectDataset on the shared MemoryAgentBench row", () => {
  it("reports one CR instance of factconsolidation_sh_6k with 100 questions, no chunk questions, and the file's sha256", async () => {
    const path = join(sharedDir(), SAMPLE);
    const revision = PINNED_REVISIONS[MEMORY_AGENT_BENCH_REPO]!;
    const loader = createMemoryAgentBenchLoader({
      source: createSingleFileSource({ path, repo: MEMORY_AGENT_BENCH_REPO, revision }),
    });
    const inspection = await inspectDataset({ loader });
    expect(inspection.instances).toBe(1);
    const [summary] = inspection.dataSources;
    expect(summary).toMatchObject({
      dataSource: "factconsolidation_sh_6k",
      protocol: "memoryagentbench",
      competencies: ["CR"],
      primaryMetric: "substring_exact_match",
      instances: 1,
      globalQuestions: { total: 100, min: 100, mean: 100, max: 100 },
      chunkQuestions: { presence: "none", chunksWithQuestions: 0, questions: 0 },
    });
    // A 6k-token context packed into 4096-token chunks.
    expect(summary?.chunks.total).toBe(2);
    expect(summary?.chunkTokens).toBeGreaterThan(5000);
    expect(summary?.chunkTokens).toBeLessThan(9000);
    expect(summary?.sources).toEqual([
      {
        repo: MEMORY_AGENT_BENCH_REPO,
        revision,
        file: "Conflict_Resolution-factconsolidation_sh_6k.jsonl",
        sha256: createHash("sha256").update(readFileSync(path)).digest("hex"),
      },
    ]);
    console.log(formatInspection(inspection));
  });
});
