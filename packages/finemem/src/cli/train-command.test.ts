// `finemem train` end to end: the printed scores and files, the held-out score reproduced by
// `finemem eval --checkpoint … --heldout`, resume after SIGKILL, and the configurations it refuses.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSeededRandom } from "@finemem/utils";
import { afterAll, describe, expect, it } from "vitest";
import { comparableRunFiles } from "../train/test-support/comparable-run-files.js";
import { runCliCaptured } from "./test-support/run-cli-captured.js";
import { SMALL_TRAINING_FLAGS } from "./test-support/small-training.js";

const CLI = join(import.meta.dirname, "..", "..", "dist", "cli.js");
const work = mkdtempSync(join(tmpdir(), "finemem-train-cli-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A run of seconds, evaluated every 2 updates and checkpointed every 3. */
const SMALL = [
  ...SMALL_TRAINING_FLAGS,
  "--set",
  "train.evalEvery=2",
  "--set",
  "train.checkpointEvery=3",
  "--run-id",
  "small",
  "--quiet",
];

const jsonl = (path: string) =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe("finemem train", () => {
  it("prints the held-out score before and after, writes the run folder, and eval --heldout reproduces the last score", async () => {
    const out = join(work, "printed");
    const trained = await runCliCaptured(["train", "--updates", "4", "--out", out, ...SMALL], { cwd: work });
    expect(trained.code, trained.stderr).toBe(0);
    const runDir = join(out, "small");
    const evaluations = jsonl(join(runDir, "evaluations.jsonl"));
    expect(evaluations.map((line) => line.update)).toEqual([0, 2, 4]);
    const score = (value: unknown) => (value as number).toFixed(3);
    expect(trained.stdout).toContain(
      `held-out score: ${score(evaluations[0]!.score)} before training, ${score(evaluations[2]!.score)} after 4 updates`,
    );
    const baselines = jsonl(join(runDir, "baselines.jsonl"));
    expect(baselines.map((line) => line.name)).toEqual(["heuristic", "insert-every-fact"]);
    expect(trained.stdout).toContain(`checkpoint: ${join(runDir, "checkpoints", "update-000004")}`);
    expect(trained.stdout).toMatch(/^report: .*report\.html$/m);

    // The run folder names its latest checkpoint; --heldout reads the held-out sets and reader from it.
    const evaluated = await runCliCaptured(
      ["eval", "--checkpoint", runDir, "--heldout", "--out", join(work, "heldout-eval"), "--quiet"],
      { cwd: work },
    );
    expect(evaluated.code, evaluated.stderr).toBe(0);
    expect(evaluated.stdout).toContain("policy learned:small@update-4");
    const [evalRun] = readdirSync(join(work, "heldout-eval"));
    const summary = JSON.parse(readFileSync(join(work, "heldout-eval", evalRun!, "summary.json"), "utf8"));
    expect(summary.table.average.mean).toBe(evaluations[2]!.score);
    expect(summary.episodes).toBe(2);
  });

  it("SIGKILLed twice at seeded random points and restarted, ends with the uninterrupted run's checkpoints and logs", {
    timeout: 120_000,
  }, async () => {
    const start = (out: string): ChildProcess =>
      spawn(process.execPath, [CLI, "train", "--updates", "6", "--out", out, ...SMALL], {
        cwd: work,
        env: { PATH: process.env.PATH ?? "" },
        stdio: ["ignore", "pipe", "pipe"],
      });
    const finish = (child: ChildProcess): Promise<{ code: number | null; signal: string | null; stderr: string }> =>
      new Promise((resolve) => {
        let stderr = "";
        child.stderr!.on("data", (data) => (stderr += String(data)));
        child.on("close", (code, signal) => resolve({ code, signal, stderr }));
      });
    const linesIn = (path: string) =>
      existsSync(path)
        ? readFileSync(path, "utf8")
            .split("\n")
            .filter((line) => line !== "").length
        : 0;

    const straight = join(work, "straight");
    const clean = await finish(start(straight));
    expect(clean.code, clean.stderr).toBe(0);

    const seed = process.env.FINEMEM_KILL_SEED ?? String(Date.now());
    const random = createSeededRandom(seed);
    const killed = join(work, "killed");
    const updates = join(killed, "small", "updates.jsonl");
    // Kill 1 after update 1 or 2, kill 2 after update 4 or 5 (of 6), each a random 0–60 ms later:
    // mid-rollouts, between checkpoints (every 3 updates), or while one is written.
    for (const after of [1 + random.int(2), 4 + random.int(2)]) {
      const delay = random.int(60);
      const child = start(killed);
      const done = finish(child);
      while (linesIn(updates) < after) await new Promise((resolve) => setTimeout(resolve, 5));
      await new Promise((resolve) => setTimeout(resolve, delay));
      child.kill("SIGKILL");
      const result = await done;
      console.log(`kill seed ${seed}: killed ${delay} ms after update ${after}`);
      expect(result.signal, result.stderr).toBe("SIGKILL");
    }
    const resumed = await finish(start(killed));
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(await comparableRunFiles(join(killed, "small"))).toEqual(await comparableRunFiles(join(straight, "small")));
  });

  it("--backend external exports every update's samples for an engine, and checkpoints no parameters", async () => {
    const out = join(work, "external");
    const run = await runCliCaptured(["train", "--backend", "external", "--updates", "2", "--out", out, ...SMALL], {
      cwd: work,
    });
    expect(run.code, run.stderr).toBe(0);
    const runDir = join(out, "small");
    const steps = jsonl(join(runDir, "steps.jsonl"));
    for (const update of [1, 2]) {
      const name = `samples-00000${update}`;
      const rows = jsonl(join(runDir, "export", `${name}.jsonl`));
      // One row per step of the update's rollouts, each with its reward.
      const own = steps.filter((step) => step.update === update);
      expect(rows).toHaveLength(own.length);
      expect(rows.map((row) => row.reward)).toEqual(own.map((step) => (step.rewards as { total: number }).total));
      expect(existsSync(join(runDir, "export", `${name}.parquet`))).toBe(true);
    }
    const description = JSON.parse(
      readFileSync(join(runDir, "checkpoints", "update-000002", "checkpoint.json"), "utf8"),
    );
    expect(description).toMatchObject({ update: 2, hasTrainerState: false, policy: { kind: "learned" } });
    const evaluated = await runCliCaptured(["eval", "--checkpoint", runDir, "--out", join(work, "external-eval")], {
      cwd: work,
    });
    expect(evaluated.code).toBe(1);
    expect(evaluated.stderr).toContain("[no_checkpoint]");
  });

  it("refuses MemoryAgentBench as training data, a policy that does not learn, and --heldout without a checkpoint", async () => {
    const mab = await runCliCaptured(["train", "--dataset", "memoryagentbench", "--out", join(work, "refused")], {
      cwd: work,
    });
    expect(mab.code).toBe(2);
    expect(mab.stderr).toContain("datasets[0].kind");
    expect(mab.stderr).toContain("MemoryAgentBench is evaluation data only");
    const heuristic = await runCliCaptured(["train", "--policy", "heuristic", "--out", join(work, "refused")], {
      cwd: work,
    });
    expect(heuristic.code).toBe(2);
    expect(heuristic.stderr).toContain("policy.kind");
    for (const [setting, named] of [
      ["train.trainer.learningRate=-1", "train.trainer.learningRate"],
      ["train.trainer.lr=0.1", "train.trainer.lr"],
    ] as const) {
      const trainer = await runCliCaptured(["train", "--set", setting, "--out", join(work, "refused")], { cwd: work });
      expect(trainer.code).toBe(2);
      expect(trainer.stderr).toContain(`config key ${named}`);
    }
    const counted = await runCliCaptured(
      ["train", "--set", 'datasets=[{"kind":"synthetic","instances":3}]', "--out", join(work, "refused")],
      { cwd: work },
    );
    expect(counted.code).toBe(2);
    expect(counted.stderr).toContain("datasets[0].instances");
    const heldout = await runCliCaptured(["eval", "--heldout", "--out", join(work, "refused")], { cwd: work });
    expect(heldout.code).toBe(2);
    expect(heldout.stderr).toContain("--checkpoint");
    const nothing = await runCliCaptured(["eval", "--checkpoint", work, "--out", join(work, "refused")], { cwd: work });
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toContain("[no_checkpoint]");
    expect(existsSync(join(work, "refused"))).toBe(false);
  });
});
