// `finemem data build-chunk-qa` then `finemem eval` with the same cache: the estimate comes before any
// call, the build goes over HTTP to the configured generator and verifier, and the evaluation reads
// the questions from the cache (no further call) and measures r_chunk at every step.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type OpenAIReplayServer, startOpenAIReplayServer } from "@finemem/policy/testing";
import { stepRecordValidator } from "@finemem/spec";
import { decodeJsonl } from "@finemem/utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chunkQaStandIn } from "../data/test-support/chunk-qa-stand-in.js";
import { runCliCaptured } from "./test-support/run-cli-captured.js";

const FACTS = [
  "The capital of Norland is Varn.",
  "The river of Norland is Tesk.",
  "The mascot of Brio is Otter.",
  "The owner of Kettle is Rui.",
  "The year of Kettle is 1999.",
];

/** One row in MemoryAgentBench's format (the shared sample's schema) with small chunks. */
function writeRow(folder: string): string {
  const path = join(folder, "Accurate_Retrieval-demo.jsonl");
  const row = {
    context: FACTS.join(" "),
    questions: ["What is the capital of Norland?", "What is the year of Kettle?"],
    answers: [["Varn"], ["1999"]],
    metadata: {
      demo: null,
      haystack_sessions: null,
      keypoints: null,
      previous_events: null,
      qa_pair_ids: ["demo_q0", "demo_q1"],
      question_dates: null,
      question_ids: null,
      question_types: null,
      source: "ruler_qa_demo",
    },
  };
  writeFileSync(path, `${JSON.stringify(row)}\n`);
  return path;
}

describe("finemem data build-chunk-qa and eval with the question cache", () => {
  let server: OpenAIReplayServer;
  let folder: string;
  let configFile: string;

  beforeAll(async () => {
    server = await startOpenAIReplayServer((body) => chunkQaStandIn(body));
    folder = mkdtempSync(join(tmpdir(), "finemem-chunk-qa-"));
    const file = writeRow(folder);
    configFile = join(folder, "finemem.json");
    writeFileSync(
      configFile,
      JSON.stringify({
        datasets: [{ kind: "memoryagentbench", file, chunkTokens: 16 }],
        models: {
          generator: {
            baseUrl: server.baseURL,
            model: "stand-in-generator",
            pricing: { promptUsdPerMillion: 0.15, completionUsdPerMillion: 0.6 },
          },
          verifier: { baseUrl: server.baseURL, model: "stand-in-verifier" },
        },
        chunkQa: { cache: "chunk-qa.jsonl", perChunk: 2, candidates: 4 },
        report: { html: false },
      }),
    );
  });
  afterAll(async () => server.close());

  const cli = (args: readonly string[]) => runCliCaptured(["--config", configFile, ...args], { cwd: folder });

  it("estimates first, builds on --yes, and the evaluation takes every chunk's questions from the cache", async () => {
    const dryRun = await cli(["data", "build-chunk-qa", "--dry-run", "--quiet"]);
    expect(dryRun.code, dryRun.stderr).toBe(0);
    expect(server.requests).toHaveLength(0);
    expect(dryRun.stdout).toMatch(/dry.run/i);

    const declined = await cli(["data", "build-chunk-qa", "--quiet"]);
    expect(declined.code).toBe(1);
    expect(declined.stderr).toContain("pass --yes");
    expect(server.requests).toHaveLength(0);

    const built = await cli(["data", "build-chunk-qa", "--yes", "--quiet"]);
    expect(built.code, built.stderr).toBe(0);
    const buildRequests = server.requests.length;
    expect(buildRequests).toBeGreaterThan(0);

    const evaluation = await cli(["eval", "--quiet"]);
    expect(evaluation.code, evaluation.stderr).toBe(0);
    expect(server.requests).toHaveLength(buildRequests);
    expect(evaluation.stderr).toMatch(/chunk questions: \d+ chunks from the cache, 0 built/);
    expect(evaluation.stdout).toMatch(/ruler_qa_demo\s+AR\s+substring_exact_match/);
    const runDir = join(folder, "finemem-runs", readdirSync(join(folder, "finemem-runs"))[0]!);
    const steps = decodeJsonl(readFileSync(join(runDir, "steps.jsonl"), "utf8")).map((line) =>
      stepRecordValidator.parse(line),
    );
    expect(steps.length).toBeGreaterThan(1);
    // Every chunk holds facts the stand-in verifies, so every step has questions and an r_chunk.
    for (const step of steps) expect(step.rewards.chunk).not.toBeNull();
  });
});
