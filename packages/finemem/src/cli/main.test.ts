import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkService, probeSharedFile, sharedDir } from "@finemem/testing";
import { describe, expect, it } from "vitest";
import { runCliCaptured } from "./test-support/run-cli-captured.js";

const SAMPLE = "data/memoryagentbench/Conflict_Resolution-factconsolidation_sh_6k.jsonl";
const shared = await checkService("shared", () => probeSharedFile(SAMPLE));

async function cli(
  args: readonly string[],
  cwd = mkdtempSync(join(tmpdir(), "finemem-cli-")),
  env: Record<string, string> = {},
) {
  return { cwd, ...(await runCliCaptured(args, { cwd, env })) };
}

describe("finemem eval", () => {
  it("with no configuration runs the synthetic benchmark, prints the results table and writes the logs and the report", async () => {
    const run = await cli(["eval", "--quiet"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/data source\s+competency\s+metric\s+instances\s+questions\s+score\s+memory tokens/);
    expect(run.stdout).toMatch(/synthetic\s+CR\s+substring_exact_match\s+5\s+200\s+\d\.\d{3}/);
    const report = /report: (.*)/.exec(run.stdout)?.[1];
    expect(report).toBeDefined();
    expect(readFileSync(report!, "utf8")).toMatch(/^<!DOCTYPE html>/i);
    for (const file of ["manifest.json", "steps.jsonl", "results.jsonl", "episodes.jsonl", "summary.json"])
      expect(existsSync(join(report!, "..", file))).toBe(true);
  });

  it.runIf(shared.available)(
    "on a MemoryAgentBench-format file prints its sub-dataset with the sub-dataset's metric",
    async () => {
      const run = await cli(["eval", "--quiet", "--file", join(sharedDir(), SAMPLE)]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/factconsolidation_sh_6k\s+CR\s+substring_exact_match\s+1\s+100\s+0\.\d{3}/);
      expect(run.stdout).not.toContain("synthetic");
    },
  );

  it("a second run of the same command resumes: the same run id, every unit replayed", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "finemem-cli-"));
    const first = await cli(["eval", "--quiet", "--dataset", "synthetic", "--limit", "1"], cwd);
    const second = await cli(["eval", "--dataset", "synthetic", "--limit", "1"], cwd);
    expect(second.code).toBe(0);
    expect(/run (eval-\w+)/.exec(second.stdout)?.[1]).toBe(/run (eval-\w+)/.exec(first.stdout)?.[1]);
    expect(second.stderr).toMatch(/resumed 50/);
  });

  it("configuration errors exit with 2 and name the key and the expected value", async () => {
    const policy = await cli(["eval", "--policy", "random"]);
    expect(policy.code).toBe(2);
    expect(policy.stderr).toContain(
      'config key policy (from flag --policy): expected heuristic, learned, llm or a baseline (rag-top2, long-context, insert-every-fact, prompted-flat, prompted-memalpha), got "random"',
    );
    const rollouts = await cli(["eval", "--rollouts", "two"]);
    expect(rollouts.stderr).toContain('config key run.rollouts (from flag --rollouts): expected an integer, got "two"');
    const manager = await cli(["eval", "--policy", "llm"]);
    expect(manager.code).toBe(2);
    expect(manager.stderr).toMatch(
      /config key models\.manager: expected a model endpoint \(baseUrl and model\) because policy kind llm is a served model/,
    );
    const env = await cli(["eval", "--policy", "llm"], undefined, {
      FINEMEM_MANAGER_BASE_URL: "localhost:8000",
      FINEMEM_MANAGER_MODEL: "m",
    });
    expect(env.stderr).toContain(
      "config key models.manager.baseUrl (from env FINEMEM_MANAGER_BASE_URL): expected an http(s) URL",
    );
    const set = await cli(["eval", "--set", "rewards.beta"]);
    expect(set.stderr).toContain("expected key=value");
  });

  it("a missing dataset file fails the run (exit 1) naming the file", async () => {
    const run = await cli(["eval", "--quiet", "--file", "/nonexistent/Conflict_Resolution-rows.jsonl"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("/nonexistent/Conflict_Resolution-rows.jsonl");
    expect(run.stderr).toContain("[missing_file]");
    // A file that does not exist is missing before any question of its split (issue 25).
    const unnamed = await cli(["eval", "--quiet", "--file", "/nonexistent/rows.jsonl"]);
    expect(unnamed.stderr).toContain("/nonexistent/rows.jsonl");
    expect(unnamed.stderr).toContain("[missing_file]");
    expect(unnamed.stderr).not.toContain("cannot tell the split");
    const named = await cli(["eval", "--quiet", "--file", "/nonexistent/rows.jsonl", "--split", "Accurate_Retrieval"]);
    expect(named.stderr).toContain("[missing_file]");
  });
});

describe("finemem data, report and usage", () => {
  it("lists the datasets", async () => {
    const run = await cli(["data", "list"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("ai-hyz/MemoryAgentBench");
    expect(run.stdout).toContain("YuWangX/Memalpha");
  });

  it.runIf(shared.available)("inspects a dataset file before any model call", async () => {
    const run = await cli(["data", "inspect", "--file", join(sharedDir(), SAMPLE)]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("factconsolidation_sh_6k");
    expect(run.stdout).toContain("substring_exact_match");
  });

  it("generates a MemoryAgentBench-format file that eval reads, and refuses a bad count", async () => {
    const dir = mkdtempSync(join(tmpdir(), "finemem-cli-"));
    const file = "Conflict_Resolution-generated.parquet";
    const generated = await cli(
      ["data", "generate", file, "--instances", "2", "--context-mb", "0.02", "--questions", "5", "--quiet"],
      dir,
    );
    expect(generated.code, generated.stderr).toBe(0);
    expect(generated.stdout).toContain("2 rows of 0.02 MB context each (source factconsolidation_generated)");
    const run = await cli(["eval", "--file", join(dir, file)], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/factconsolidation_generated\s+CR\s+substring_exact_match\s+2\s+10\s/);
    // The bar counts instances read against the rows of the file's footer.
    expect(run.stderr).toMatch(/ {2}instances 2\/2 {2}/);
    const limited = await cli(["eval", "--file", join(dir, file), "--limit", "1", "--out", "limited"], dir);
    expect(limited.code, limited.stderr).toBe(0);
    expect(limited.stderr).toMatch(/ {2}instances 1\/1 {2}/);
    const bad = await cli(["data", "generate", file, "--instances", "two"], dir);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("--instances");
  });

  it("build-chunk-qa needs a cache path, a generator and a verifier", async () => {
    const noCache = await cli(["data", "build-chunk-qa"]);
    expect(noCache.code).toBe(2);
    expect(noCache.stderr).toContain("config key chunkQa.cache");
    const noModels = await cli(["data", "build-chunk-qa", "--set", "chunkQa.cache=qa.jsonl"]);
    expect(noModels.stderr).toContain("config key models.generator");
  });

  it("report needs a run folder, and names a missing file", async () => {
    expect((await cli(["report"])).code).toBe(2);
    const missing = await cli(["report", mkdtempSync(join(tmpdir(), "finemem-empty-"))]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("manifest.json");
  });

  it("prints usage for help, and refuses unknown commands and flags", async () => {
    const help = await cli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: finemem <command>");
    expect((await cli(["tran"])).code).toBe(2);
    const flag = await cli(["eval", "--colour"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("--colour");
    expect((await cli(["data", "frobnicate"])).code).toBe(2);
  });
});
