// Acceptance: an eval run killed with SIGKILL at a random point and restarted with the same command
// ends with the same results as an uninterrupted run, and the restart asks the models for nothing
// that was finished before the kill. The models are a local OpenAI-compatible server that answers by
// request content (so every run gets the same answers) and counts every request.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateSyntheticBenchmark } from "@finemem/benchmarks";
import {
  chatCompletion,
  type OpenAIReplayServer,
  type ReplayEntry,
  startOpenAIReplayServer,
} from "@finemem/policy/testing";
import { createSeededRandom } from "@finemem/utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CLI = join(import.meta.dirname, "..", "..", "dist", "cli.js");
const SYNTHETIC = { seed: 7, instanceCount: 2, chunkCount: 4, factsPerChunk: 4, questionsPerChunk: 2 } as const;

interface Message {
  readonly role: string;
  readonly content: string;
}

/** The manager stores each sentence of the chunk; the reader answers with its first note. */
function answer(body: unknown): ReplayEntry {
  const request = body as { messages: Message[]; tools?: unknown[] };
  const user = request.messages.filter((message) => message.role === "user").at(-1)?.content ?? "";
  const usage = { promptTokens: Math.ceil(user.length / 4), completionTokens: 8 };
  if (request.tools !== undefined) {
    const chunk = /<chunk id="[^"]*">\n([\s\S]*?)\n<\/chunk>/.exec(user)?.[1] ?? "";
    const sentences = chunk.split(/(?<=\.)\s+/).filter((sentence) => sentence.trim().length > 0);
    return {
      delayMs: 15,
      body: chatCompletion({
        toolCalls: sentences.map((content) => ({ name: "memory_insert", arguments: { content } })),
        usage,
      }),
    };
  }
  const notes = /Memory notes:\n([^\n]*)/.exec(user)?.[1] ?? "";
  return { delayMs: 15, body: chatCompletion({ content: notes.replace(/^\s*\[[^\]]*\]\s*/, "") || "unknown", usage }) };
}

interface Journal {
  readonly steps: { readonly chunkId: string; readonly chunkAnswers: readonly unknown[] }[];
  readonly questions: number;
}

function readJournals(runDir: string): Journal {
  const steps: Journal["steps"] = [];
  let questions = 0;
  const folder = join(runDir, "journal");
  for (const file of readdirSync(folder)) {
    for (const line of readFileSync(join(folder, file), "utf8").split("\n")) {
      if (line === "") continue;
      let parsed: { kind: string; chunkId: string; chunkAnswers: unknown[] };
      try {
        parsed = JSON.parse(line);
      } catch {
        continue; // a torn last line: that work was not finished
      }
      if (parsed.kind === "step") steps.push(parsed);
      else questions += 1;
    }
  }
  return { steps, questions };
}

describe("finemem eval resumes after SIGKILL", () => {
  let server: OpenAIReplayServer;
  let work: string;
  let configFile: string;

  beforeAll(async () => {
    server = await startOpenAIReplayServer((body) => answer(body));
    work = mkdtempSync(join(tmpdir(), "finemem-resume-"));
    configFile = join(work, "finemem.yaml");
    writeFileSync(
      configFile,
      [
        "datasets:",
        `  - { kind: synthetic, seed: ${SYNTHETIC.seed}, instances: ${SYNTHETIC.instanceCount}, chunks: ${SYNTHETIC.chunkCount}, factsPerChunk: ${SYNTHETIC.factsPerChunk}, questionsPerChunk: ${SYNTHETIC.questionsPerChunk} }`,
        "policy: { kind: llm }",
        "reasoner: { kind: llm }",
        "models:",
        `  manager: { baseUrl: "${server.baseURL}", model: scripted-manager }`,
        `  reasoner: { baseUrl: "${server.baseURL}", model: scripted-reader }`,
        "run: { concurrency: { episodes: 2, questions: 4 } }",
        "report: { html: false }",
      ].join("\n"),
    );
  });
  afterAll(async () => server.close());

  const start = (out: string): ChildProcess =>
    spawn(process.execPath, [CLI, "eval", "--config", configFile, "--out", out, "--quiet"], {
      cwd: work,
      env: { PATH: process.env.PATH ?? "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
  const finish = (child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      let stdout = "";
      let stderr = "";
      child.stdout!.on("data", (data) => (stdout += String(data)));
      child.stderr!.on("data", (data) => (stderr += String(data)));
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
  const sortedLines = (path: string) => readFileSync(path, "utf8").split("\n").filter(Boolean).sort().join("\n");
  const runDirOf = (out: string) => {
    const [runId] = readdirSync(out);
    return join(out, runId!);
  };

  it("a killed and restarted run writes the uninterrupted run's results and repeats no finished call", {
    timeout: 120_000,
  }, async () => {
    const instances = generateSyntheticBenchmark(SYNTHETIC);
    const chunkQuestions = new Map(
      instances.flatMap((instance) =>
        instance.chunks.map((chunk, index) => [chunk.id, instance.chunkQuestions[index]!.length] as const),
      ),
    );
    const total = instances.reduce(
      (sum, instance) =>
        sum + instance.chunks.length + instance.chunkQuestions.flat().length + instance.questions.length,
      0,
    );

    const uninterrupted = join(work, "uninterrupted");
    const before = server.requests.length;
    const clean = await finish(start(uninterrupted));
    expect(clean.code, clean.stderr).toBe(0);
    expect(server.requests.length - before).toBe(total);

    // Kill twice at random points (the seed is printed so a failure can be replayed), then let it finish.
    const seed = process.env.FINEMEM_KILL_SEED ?? String(Date.now());
    const random = createSeededRandom(seed);
    const killed = join(work, "killed");
    for (let attempt = 0; attempt < 3; attempt++) {
      const journalBefore = attempt === 0 ? { steps: [], questions: 0 } : readJournals(runDirOf(killed));
      const first = server.requests.length;
      const child = start(killed);
      const done = finish(child);
      const remaining =
        total -
        journalBefore.steps.reduce((sum, step) => sum + 1 + (chunkQuestions.get(step.chunkId) ?? 0), 0) -
        journalBefore.questions;
      if (attempt < 2) {
        const killAfter = 2 + random.int(Math.max(1, remaining - 4));
        await server.waitForRequests(first + killAfter);
        child.kill("SIGKILL");
        const { code } = await done;
        expect(code).toBeNull();
        console.log(`kill seed ${seed}: attempt ${attempt + 1} killed after ${killAfter} of ${remaining} requests`);
      } else {
        const result = await done;
        expect(result.code, result.stderr).toBe(0);
        expect(result.stdout).toContain("synthetic");
      }
      // The restart asked only for work that no journal line held before it started.
      const asked = server.requests
        .slice(first)
        .map((request) => request.body as { tools?: unknown[]; messages: Message[] });
      const finishedChunks = new Set(journalBefore.steps.map((step) => step.chunkId));
      const managerChunks = asked
        .filter((body) => body.tools !== undefined)
        .map((body) => /<chunk id="([^"]*)">/.exec(body.messages.at(-1)!.content)?.[1]);
      for (const chunkId of managerChunks)
        expect(finishedChunks.has(chunkId!), `step of ${chunkId} asked again`).toBe(false);
      if (attempt === 2) expect(asked.length).toBe(remaining);
      else expect(asked.length).toBeLessThanOrEqual(remaining + 8);
    }

    const [cleanDir, killedDir] = [runDirOf(uninterrupted), runDirOf(killed)];
    expect(sortedLines(join(killedDir, "results.jsonl"))).toBe(sortedLines(join(cleanDir, "results.jsonl")));
    expect(sortedLines(join(killedDir, "steps.jsonl"))).toBe(sortedLines(join(cleanDir, "steps.jsonl")));
    expect(readFileSync(join(killedDir, "results.jsonl"))).toEqual(readFileSync(join(cleanDir, "results.jsonl")));
  });
});
