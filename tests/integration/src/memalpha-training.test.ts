// `finemem train` on Memalpha's training split, fetched from a hub (offline: a local fake hub that
// speaks the hub's download protocol): the updates draw only training rows, never the test split's,
// and the manifest pins the training file by commit and sha256. MemoryAgentBench, evaluation data
// only, is refused as a training dataset.

import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FakeHub, startFakeHub } from "@finemem/benchmarks/testing";
import { memalphaParquet, memalphaRow } from "@finemem/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CLI = join(import.meta.dirname, "..", "..", "..", "packages", "finemem", "dist", "cli.js");
const REPO = "YuWangX/Memalpha";
const COMMIT = "abcdef0123456789abcdef0123456789abcdef01";
const TRAIN_FILE = "data/train-00000-of-00001.parquet";
const TEST_FILE = "data/test-00000-of-00001.parquet";

/** A Memalpha row of SQuAD (exact-match questions). */
const squadRow = (id: number, chunks: readonly string[], qa: readonly { question: string; answer: string }[]) =>
  memalphaRow({ id, dataSource: "squad", chunks, qa });

const trainRows = [
  squadRow(
    101,
    [
      "Ada Lovelace lived in London.",
      "Charles Babbage designed the Analytical Engine.",
      "The engine used punched cards.",
    ],
    [
      { question: "Where did Ada Lovelace live?", answer: "London" },
      { question: "What did Charles Babbage design?", answer: "the Analytical Engine" },
    ],
  ),
  squadRow(
    102,
    ["Marie Curie was born in Warsaw.", "She won the Nobel Prize in Physics in 1903."],
    [
      { question: "Where was Marie Curie born?", answer: "Warsaw" },
      { question: "When did she win the Nobel Prize in Physics?", answer: "1903" },
    ],
  ),
  squadRow(
    103,
    ["The Danube flows through Vienna.", "It ends in the Black Sea.", "Budapest also lies on the Danube."],
    [
      { question: "Which river flows through Vienna?", answer: "The Danube" },
      { question: "Where does the Danube end?", answer: "the Black Sea" },
    ],
  ),
  squadRow(
    104,
    ["Mount Kilimanjaro is in Tanzania.", "Its summit is called Uhuru Peak."],
    [
      { question: "In which country is Mount Kilimanjaro?", answer: "Tanzania" },
      { question: "What is Kilimanjaro's summit called?", answer: "Uhuru Peak" },
    ],
  ),
];
const testRows = [
  squadRow(
    201,
    ["The Amazon rainforest spans Brazil.", "Manaus is a port on the Amazon."],
    [{ question: "Which city is a port on the Amazon?", answer: "Manaus" }],
  ),
  squadRow(
    202,
    ["Johannes Kepler worked in Prague.", "He formulated three laws of planetary motion."],
    [
      { question: "Where did Kepler work?", answer: "Prague" },
      { question: "How many laws of planetary motion did Kepler formulate?", answer: "three" },
    ],
  ),
];
const TRAIN_IDS = ["squad.101", "squad.102", "squad.103", "squad.104"];
const TEST_IDS = ["squad.201", "squad.202"];

const trainBytes = memalphaParquet(trainRows);
const testBytes = memalphaParquet(testRows);
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function runOnce(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd, env, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs the CLI; retries briefly while another process rebuilds finemem's dist. */
async function cli(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<CliRun> {
  for (let attempt = 0; ; attempt++) {
    const rebuilding = !existsSync(CLI);
    const run = rebuilding ? null : await runOnce(args, cwd, env);
    const importFailed = run !== null && /ERR_MODULE_NOT_FOUND|Cannot find module/.test(run.stderr);
    if (run !== null && !importFailed) return run;
    if (attempt >= 10) return run ?? { code: -1, stdout: "", stderr: `no ${CLI}` };
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}

const readJsonLines = (path: string) =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe("finemem train on Memalpha", () => {
  let folder: string;
  let hub: FakeHub;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), "finemem-memalpha-train-"));
    hub = await startFakeHub({
      repos: {
        [REPO]: {
          commit: COMMIT,
          refs: ["main"],
          files: {
            [TRAIN_FILE]: trainBytes,
            [TEST_FILE]: testBytes,
            "README.md": new TextEncoder().encode("# Memalpha (fake)"),
          },
        },
      },
    });
    env = { PATH: process.env.PATH ?? "", HF_HOME: join(folder, "hf-home") };
  });
  afterAll(async () => {
    await hub?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it("trains on the training split fetched from the hub, never on test rows, and pins the file", async () => {
    const out = join(folder, "runs");
    const dataset = { kind: "memalpha", hub: { hubUrl: hub.url, cacheDir: join(folder, "hub-cache") } };
    const run = await cli(
      [
        "train",
        "--set",
        `datasets=${JSON.stringify([dataset])}`,
        "--updates",
        "2",
        "--set",
        "train.instancesPerUpdate=2",
        "--set",
        "train.rollouts=2",
        "--set",
        "train.evalEvery=2",
        "--set",
        "train.baselines=[]",
        "--set",
        'train.heldout=[{"kind":"synthetic","seed":"h","instances":2,"chunks":3,"factsPerChunk":3,"questionsPerChunk":2}]',
        "--out",
        out,
        "--run-id",
        "m",
        "--quiet",
      ],
      folder,
      env,
    );
    expect(run.code, run.stderr).toBe(0);
    const runFolder = join(out, "m");

    const updates = readJsonLines(join(runFolder, "updates.jsonl"));
    expect(updates).toHaveLength(2);
    for (const update of updates) {
      const instances = update.instances as string[];
      expect(instances).toHaveLength(2);
      for (const id of instances) {
        expect(TRAIN_IDS).toContain(id);
        expect(TEST_IDS).not.toContain(id);
      }
    }

    const manifest = JSON.parse(readFileSync(join(runFolder, "manifest.json"), "utf8")) as {
      datasets: { repo?: string; revision?: string; file?: string; sha256?: string }[];
    };
    expect(manifest.datasets).toContainEqual({
      repo: REPO,
      revision: COMMIT,
      file: TRAIN_FILE,
      sha256: sha256(trainBytes),
    });
    expect(manifest.datasets.some((file) => file.file === TEST_FILE || file.sha256 === sha256(testBytes))).toBe(false);

    const steps = readJsonLines(join(runFolder, "steps.jsonl"));
    expect(steps.length).toBeGreaterThan(0);
    for (const step of steps) expect([1, 2]).toContain(step.update);
    expect(new Set(steps.map((step) => step.update))).toEqual(new Set([1, 2]));

    // The test split was never downloaded.
    expect(hub.requests.some((request) => request.path.includes("test-00000"))).toBe(false);
  }, 60_000);

  it("refuses MemoryAgentBench as training data", async () => {
    const run = await cli(
      ["train", "--dataset", "memoryagentbench", "--updates", "1", "--out", join(folder, "refused"), "--quiet"],
      folder,
      env,
    );
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain("datasets[0].kind");
    expect(run.stderr).toMatch(/MemoryAgentBench is evaluation data only/);
  }, 30_000);
});
