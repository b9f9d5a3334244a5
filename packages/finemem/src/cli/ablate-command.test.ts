// `finemem ablate` end to end, smoke-sized (1 seed, 2 updates of one small instance × 2 rollouts, on
// the default held-out sets and the shared MemoryAgentBench row when it is there): the files, the
// four runs' configurations as recorded, the same command in another folder writing the same
// results.md, resume, `finemem report` on the folder, and the flags it refuses.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkService, probeSharedFile, sharedDir } from "@finemem/testing";
import { afterAll, describe, expect, it } from "vitest";
import { WALL_TIME_PREFIX } from "../ablate/ablation-document.js";
import { runCliCaptured } from "./test-support/run-cli-captured.js";

const work = mkdtempSync(join(tmpdir(), "finemem-ablate-cli-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const SAMPLE = "data/memoryagentbench/Conflict_Resolution-factconsolidation_sh_6k.parquet";
const shared = await checkService("shared", () => probeSharedFile(SAMPLE));

const SMOKE = [
  "ablate",
  "--seeds",
  "1",
  "--updates",
  "2",
  "--set",
  'datasets=[{"kind":"synthetic","seed":"t","chunks":3,"factsPerChunk":3,"questionsPerChunk":2}]',
  "--set",
  "train.instancesPerUpdate=1",
  "--set",
  "train.rollouts=2",
  "--set",
  "train.evalEvery=1",
  "--write-results",
  "results-copy.md",
  "--quiet",
  ...(shared.available ? ["--heldout-file", join(sharedDir(), SAMPLE)] : []),
];

const withoutWallTime = (text: string) =>
  text
    .split("\n")
    .filter((line) => !line.startsWith(WALL_TIME_PREFIX))
    .join("\n");

describe("finemem ablate", () => {
  // Three smoke-sized studies (12 training runs): about 25 s alone, longer beside CI's other packages.
  it("runs the four settings, writes the results, and the same command elsewhere writes the same results.md", {
    timeout: 240_000,
  }, async () => {
    const first = join(work, "first");
    const second = join(work, "second");
    mkdirSync(first);
    mkdirSync(second);
    const a = await runCliCaptured(SMOKE, { cwd: first });
    expect(a.code, a.stderr).toBe(0);
    const [id] = readdirSync(join(first, "finemem-runs"));
    const folder = join(first, "finemem-runs", id!);
    expect(readdirSync(join(folder, "runs")).sort()).toEqual([
      "beta-0-chunk-0-seed-1",
      "beta-0-chunk-0.5-seed-1",
      "beta-0.5-chunk-0-seed-1",
      "beta-0.5-chunk-0.5-seed-1",
    ]);
    // Each run recorded the configuration it trained with: the rewards as the setting says.
    for (const run of readdirSync(join(folder, "runs"))) {
      const manifest = JSON.parse(readFileSync(join(folder, "runs", run, "manifest.json"), "utf8"));
      const [, beta, chunk] = /^beta-([\d.]+)-chunk-([\d.]+)-seed-1$/.exec(run)!;
      expect(manifest.config.rewards).toMatchObject({ beta: Number(beta), chunk: Number(chunk), compression: 0.05 });
      expect(manifest.config.run.seed).toBe("finemem-1");
      expect(manifest.config.train.updates).toBe(2);
    }
    const markdown = readFileSync(join(folder, "results.md"), "utf8");
    expect(readFileSync(join(first, "results-copy.md"), "utf8")).toBe(markdown);
    // The command as typed, each word as a shell reads it back (the JSON one quoted).
    expect(markdown).toContain(
      `- Command: \`finemem ablate --seeds 1 --updates 2 --set 'datasets=[{"kind":"synthetic","seed":"t",`,
    );
    expect(markdown).toContain("- Commit: (not a git checkout)");
    expect(markdown).toContain("synthetic:heldout (8 instances), synthetic:heldout-hard (8 instances)");
    if (shared.available) expect(markdown).toContain("Conflict_Resolution-factconsolidation_sh_6k (1 instance)");
    for (const name of [
      "outcome only",
      "+ chunk-level step reward",
      "+ evidence-anchored attribution",
      "both (Fine-Mem)",
    ])
      expect(a.stdout).toContain(name);
    const json = JSON.parse(readFileSync(join(folder, "ablation.json"), "utf8"));
    expect(json.formatVersion).toBe(1);
    expect(json.results.settings).toHaveLength(4);
    expect(json.results.baselines.map((line: { name: string }) => line.name)).toEqual([
      "heuristic",
      "insert-every-fact",
      "rag-top2",
    ]);

    const b = await runCliCaptured(SMOKE, { cwd: second });
    expect(b.code, b.stderr).toBe(0);
    const again = readFileSync(join(second, "finemem-runs", id!, "results.md"), "utf8");
    expect(withoutWallTime(again)).toBe(withoutWallTime(markdown));

    // The same command once more resumes: every run is done, the results are the same.
    const resumed = await runCliCaptured(SMOKE, { cwd: first });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(withoutWallTime(readFileSync(join(folder, "results.md"), "utf8"))).toBe(withoutWallTime(markdown));

    // finemem report writes the ablation's report again; an ablation.json of another version is refused.
    rmSync(join(folder, "report.html"));
    const report = await runCliCaptured(["report", folder], { cwd: first });
    expect(report.code, report.stderr).toBe(0);
    expect(readFileSync(join(folder, "report.html"), "utf8")).toContain('data-testid="ablation-tests"');
    writeFileSync(join(folder, "ablation.json"), JSON.stringify({ ...json, formatVersion: 99 }));
    const refused = await runCliCaptured(["report", folder], { cwd: first });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("format version 99, this finemem reads 1: run the finemem ablate command again");
  });

  it("refuses a bad seed count and a missing held-out file, naming the flag, before any run", async () => {
    const seeds = await runCliCaptured(["ablate", "--seeds", "0"], { cwd: work });
    expect(seeds.code).toBe(2);
    expect(seeds.stderr).toContain("--seeds");
    expect(seeds.stderr).toContain("a whole number from 1 to 20");
    const tooMany = await runCliCaptured(["ablate", "--seeds", "21"], { cwd: work });
    expect(tooMany.code).toBe(2);
    const missing = await runCliCaptured(["ablate", "--heldout-file", "nowhere.parquet"], { cwd: work });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--heldout-file");
    expect(missing.stderr).toContain("nowhere.parquet");
    const zeroBeta = await runCliCaptured(["ablate", "--set", "rewards.beta=0"], { cwd: work });
    expect(zeroBeta.code).toBe(2);
    expect(zeroBeta.stderr).toContain("rewards.beta");
    const elsewhere = await runCliCaptured(["train", "--sweep"], { cwd: work });
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toContain("--sweep is a finemem ablate flag");
    const llm = await runCliCaptured(["ablate", "--set", "train.backend=external"], { cwd: work });
    expect(llm.code).toBe(2);
    expect(llm.stderr).toContain("train.backend");
    expect(llm.stderr).toContain("docs/ablation.md");
    expect(readdirSync(work).filter((name) => name === "finemem-runs")).toEqual([]);
  });
});
