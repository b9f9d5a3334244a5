// Chunk questions for a dataset over real HTTP: the generator and verifier are OpenAI-compatible
// models talking to a local server whose "models" are a stand-in that answers by request content
// (it reads "The X of Y is Z." sentences off the passage). Under test: the estimate, the build over
// several instances, the cache making a second run free, and resuming after an abort.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { generateSyntheticInstance, resolveSyntheticOptions } from "@finemem/benchmarks";
import { createOpenAICompatibleModel, type ModelPricing } from "@finemem/policy";
import { type OpenAIReplayServer, startOpenAIReplayServer } from "@finemem/policy/testing";
import { AbortedError, type BenchmarkInstance, benchmarkInstanceValidator } from "@finemem/spec";
import { CHUNK_QA_PROMPTS, type ChunkQaProgress } from "@finemem/step-reward";
import { createO200kTokenCounter } from "@finemem/utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BuildDatasetChunkQaOptions, buildDatasetChunkQa, formatChunkQaResult } from "./build-dataset-chunk-qa.js";
import { ASSUMED_PAIR_TOKENS, MESSAGE_OVERHEAD_TOKENS, REPLY_PRIMING_TOKENS } from "./chunk-qa-estimate.js";
import { type ChatBody, passageOf, chunkQaStandIn as standIn } from "./test-support/chunk-qa-stand-in.js";

const SHARED_TEXT = "The founder of Acme is Ada Park. The city of Acme is Lisbon. The colour of Acme is teal.";
function instance(instanceId: string, texts: readonly string[]): BenchmarkInstance {
  return {
    instanceId,
    dataSource: "chunk_demo",
    competency: "AR",
    protocol: "memoryagentbench",
    chunks: texts.map((text, index) => ({ id: `c${index}`, text })),
    chunkQuestions: texts.map(() => []),
    questions: [{ id: "q0", question: "Who founded Acme?", gold: "Ada Park" }],
    metadata: {},
    source: { repo: "test", revision: "unpinned:local", file: "demo.jsonl", sha256: null },
  };
}
// Five chunks, four distinct texts: the second instance's first chunk repeats the first instance's second.
const INSTANCES = [
  instance("demo.a", [
    "The capital of Norland is Varn. The river of Norland is Tesk.",
    SHARED_TEXT,
    "The mascot of Brio is Otter.",
  ]),
  instance("demo.b", [SHARED_TEXT, "The owner of Kettle is Rui Lopes. The year of Kettle is 1999."]),
];
const DISTINCT_TEXTS = [...new Set(INSTANCES.flatMap((item) => item.chunks.map((chunk) => chunk.text)))];
function capture(): { stream: Writable; text: () => string } {
  const parts: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      parts.push(String(chunk));
      callback();
    },
  });
  return { stream, text: () => parts.join("") };
}

const GENERATOR_PRICE: ModelPricing = { promptUsdPerMillion: 0.15, completionUsdPerMillion: 0.6 };
const VERIFIER_PRICE: ModelPricing = { promptUsdPerMillion: 0.1, completionUsdPerMillion: 0.3 };
const counter = createO200kTokenCounter();

/** The route every kept pair was verified under (the builder's default, substring exact match): r_chunk scores it the same way. */
const VERIFIED_BY = { protocol: "memoryagentbench", dataSource: "chunk_qa" };

describe("buildDatasetChunkQa over OpenAI-compatible HTTP", () => {
  let server: OpenAIReplayServer;
  let folder: string;
  beforeAll(async () => {
    server = await startOpenAIReplayServer(standIn);
    folder = mkdtempSync(join(tmpdir(), "finemem-data-chunk-qa-"));
  });
  afterAll(async () => {
    await server.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const run = (cachePath: string, extra: Partial<BuildDatasetChunkQaOptions> = {}) =>
    buildDatasetChunkQa({
      instances: INSTANCES,
      generator: createOpenAICompatibleModel({
        baseURL: server.baseURL,
        model: "gpt-4o-mini",
        role: "chunk-qa-generator",
        retry: { maxRetries: 0 },
        pricing: GENERATOR_PRICE,
      }),
      verifier: createOpenAICompatibleModel({
        baseURL: server.baseURL,
        model: "Qwen/Qwen3-32B",
        engine: "vllm",
        role: "chunk-qa-verifier",
        retry: { maxRetries: 0 },
        pricing: VERIFIER_PRICE,
      }),
      cachePath,
      options: { questionsPerChunk: 2, candidatesPerChunk: 4, concurrency: 2 },
      pricing: { generator: GENERATOR_PRICE, verifier: VERIFIER_PRICE },
      tokenCounter: counter,
      ...extra,
    });

  it("estimates before any call: chunks, calls, tokens from the passages and prompts, and cost", async () => {
    const cachePath = join(folder, "estimate.jsonl");
    const before = server.requests.length;
    const output = capture();
    const result = await run(cachePath, { dryRun: true, stream: output.stream });
    expect(server.requests.length).toBe(before);
    expect(existsSync(cachePath)).toBe(false);
    expect(result).toMatchObject({ status: "dry-run", calls: { generator: 0, verifier: 0 }, builtChunks: 0 });
    const { estimate } = result;
    expect(estimate).toMatchObject({
      instances: 2,
      chunks: 5,
      cachedChunks: 0,
      chunksToBuild: 5,
      textsToBuild: 4,
      generatorModelId: "gpt-4o-mini",
      verifierModelId: "Qwen/Qwen3-32B",
    });
    expect(estimate.expected.calls).toEqual({ generator: 4, verifier: 16, total: 20 });
    // Two generator attempts per text at most (the builder's default retry of a malformed reply).
    expect(estimate.worstCase.calls).toEqual({ generator: 8, verifier: 16, total: 24 });

    const passages = DISTINCT_TEXTS.reduce((sum, text) => sum + counter.count(text), 0);
    const chat = 2 * MESSAGE_OVERHEAD_TOKENS + REPLY_PRIMING_TOKENS;
    const generatorFrame =
      counter.count(CHUNK_QA_PROMPTS.generator.system) +
      counter.count(CHUNK_QA_PROMPTS.generator.user.replace("{passage}", "").replace("{count}", "4")) +
      chat;
    const generator = estimate.expected.tokens.generator;
    expect(generator).toEqual({
      prompt: passages + 4 * generatorFrame,
      completion: 4 * (4 * ASSUMED_PAIR_TOKENS + 20),
    });
    expect(estimate.worstCase.tokens.generator).toEqual({
      prompt: 2 * generator.prompt,
      completion: 2 * generator.completion,
    });
    const verifier = estimate.expected.tokens.verifier;
    expect((verifier.prompt - 4 * passages) % 16).toBe(0);
    expect(verifier.completion).toBe(16 * 16);
    expect(estimate.expected.costUsd.generator).toBeCloseTo(
      (generator.prompt * 0.15 + generator.completion * 0.6) / 1e6,
      12,
    );
    expect(estimate.expected.costUsd.verifier).toBeCloseTo(
      (verifier.prompt * 0.1 + verifier.completion * 0.3) / 1e6,
      12,
    );
    expect(estimate.expected.costUsd.total).toBeCloseTo(
      estimate.expected.costUsd.generator! + estimate.expected.costUsd.verifier!,
      12,
    );
    expect(estimate.assumptions.join("\n")).toMatch(/4 pairs × 40 \+ 20/);
    expect(output.text()).toContain(
      "chunk questions: 2 instance(s), 5 chunk(s): 0 cached, 5 to build (4 distinct text(s))",
    );
    expect(output.text()).toMatch(/worst case 24 calls/);
    console.log(output.text());

    // A reply budget replaces the assumed reply size; no pricing means no cost, not zero.
    const bounded = await run(cachePath, {
      dryRun: true,
      options: { questionsPerChunk: 2, candidatesPerChunk: 4, generatorSampling: { maxTokens: 256 } },
      pricing: {},
    });
    expect(bounded.estimate.expected.tokens.generator.completion).toBe(4 * 256);
    expect(bounded.estimate.expected.costUsd).toEqual({ generator: null, verifier: null, total: null });
  });

  it("asks the confirm hook with the estimate and stops when it says no", async () => {
    const before = server.requests.length;
    let seen: number | undefined;
    const result = await run(join(folder, "declined.jsonl"), {
      confirm: async (estimate) => {
        seen = estimate.chunksToBuild;
        return false;
      },
    });
    expect(seen).toBe(5);
    expect(result.status).toBe("declined");
    expect(formatChunkQaResult(result)).toBe("declined: no model was called");
    expect(server.requests.length).toBe(before);
  });

  let reference: BenchmarkInstance[];

  it("builds verified questions for every instance, then a second run makes zero requests", async () => {
    const cachePath = join(folder, "reference.jsonl");
    const before = server.requests.length;
    const output = capture();
    const result = await run(cachePath, { stream: output.stream, confirm: async () => true });
    // 4 generator calls (one per distinct text) and one verifier call per candidate: 3 + 4 + 2 + 3.
    expect(result.calls).toEqual({ generator: 4, verifier: 12 });
    expect(server.requests.length - before).toBe(16);
    expect(result).toMatchObject({
      status: "built",
      cachedChunks: 0,
      builtChunks: 5,
      questions: 9,
      chunksBelowK: 1,
      keptInstances: 0,
    });
    reference = [...result.instances];
    for (const item of reference) expect(benchmarkInstanceValidator.validate(item).ok).toBe(true);
    expect(reference[0]!.chunkQuestions).toEqual([
      [
        { id: "c0.q0", question: "What is the capital of Norland?", gold: "Varn", metric: VERIFIED_BY },
        { id: "c0.q1", question: "What is the river of Norland?", gold: "Tesk", metric: VERIFIED_BY },
      ],
      [
        { id: "c1.q0", question: "What is the founder of Acme?", gold: "Ada Park", metric: VERIFIED_BY },
        { id: "c1.q1", question: "What is the city of Acme?", gold: "Lisbon", metric: VERIFIED_BY },
      ],
      // One fact: the unanswerable pair was dropped by the verifier, so fewer than K remain.
      [{ id: "c2.q0", question: "What is the mascot of Brio?", gold: "Otter", metric: VERIFIED_BY }],
    ]);
    // The repeated text shares the generation, under this instance's own chunk id.
    expect(reference[1]!.chunkQuestions[0]).toEqual(
      reference[0]!.chunkQuestions[1]!.map((question, index) => ({ ...question, id: `c0.q${index}` })),
    );
    expect(reference[1]!.questions).toEqual(INSTANCES[1]!.questions);
    const finalLine = output.text().trim().split("\n").at(-1)!;
    expect(finalLine).toMatch(/^chunk-qa \[#+\] 5\/5 {2}100%/);
    expect(finalLine).toMatch(/tokens \d+ {2}cost \$0\.\d{4}/);

    const again = capture();
    const second = await run(cachePath, { stream: again.stream });
    expect(server.requests.length - before).toBe(16);
    expect(second).toMatchObject({
      status: "built",
      calls: { generator: 0, verifier: 0 },
      cachedChunks: 5,
      builtChunks: 0,
    });
    expect(second.estimate).toMatchObject({ cachedChunks: 5, chunksToBuild: 0, textsToBuild: 0 });
    expect(second.estimate.expected.tokens.total).toBe(0);
    expect(second.estimate.expected.costUsd.total).toBe(0);
    expect(second.instances).toEqual(reference);
    expect(formatChunkQaResult(second)).toBe(
      "built 0 chunk(s), 5 from the cache; 0 generator + 0 verifier call(s); 9 question(s), 1 chunk(s) with fewer than K",
    );
    expect(again.text()).toMatch(/chunk-qa \[#+\] 5\/5 {2}100% .*resumed 5/);
  });

  it("resumes an aborted build: the restart asks only about the chunks not finished", async () => {
    const cachePath = join(folder, "aborted.jsonl");
    const controller = new AbortController();
    const stopAfterFirst = (progress: ChunkQaProgress) => {
      if (progress.done >= 1) controller.abort();
    };
    const killedStart = server.requests.length;
    await expect(
      run(cachePath, {
        options: { questionsPerChunk: 2, candidatesPerChunk: 4, concurrency: 1 },
        onProgress: stopAfterFirst,
        signal: controller.signal,
      }),
    ).rejects.toBeInstanceOf(AbortedError);
    const killedPassages = new Set(
      server.requests.slice(killedStart).map((request) => passageOf(request.body as ChatBody)),
    );
    expect([...killedPassages]).toEqual([DISTINCT_TEXTS[0]]);

    const restartStart = server.requests.length;
    const output = capture();
    const resumed = await run(cachePath, { stream: output.stream });
    expect(resumed.estimate).toMatchObject({ cachedChunks: 1, chunksToBuild: 4, textsToBuild: 3 });
    // The cache tells exactly which texts remain, so their tokens are counted, not scaled.
    expect(resumed.estimate.assumptions.join("\n")).not.toMatch(/scaled/);
    const restartPassages = server.requests.slice(restartStart).map((request) => passageOf(request.body as ChatBody));
    expect(restartPassages.length).toBe(12);
    expect(restartPassages).not.toContain(DISTINCT_TEXTS[0]);
    expect(resumed).toMatchObject({ cachedChunks: 1, builtChunks: 4, calls: { generator: 3 } });
    expect(resumed.instances).toEqual(reference);
    expect(output.text()).toMatch(/resumed 1/);
  });

  it("keeps instances that already have chunk questions unless told to replace them", async () => {
    const synthetic = generateSyntheticInstance(resolveSyntheticOptions({ chunkCount: 3 }), 0);
    const result = await run(join(folder, "kept.jsonl"), { instances: [synthetic, INSTANCES[0]!], dryRun: true });
    expect(result).toMatchObject({ keptInstances: 1, estimate: { instances: 1, chunks: 3 } });
    const replaced = await run(join(folder, "kept.jsonl"), {
      instances: [synthetic, INSTANCES[0]!],
      dryRun: true,
      replaceExisting: true,
    });
    expect(replaced).toMatchObject({ keptInstances: 0, estimate: { instances: 2, chunks: 6 } });
  });

  it("names a missing cache path and a missing input", async () => {
    await expect(run("")).rejects.toMatchObject({ code: "invalid_option", path: ["cachePath"] });
    await expect(run(join(folder, "none.jsonl"), { instances: undefined as never })).rejects.toMatchObject({
      code: "no_input",
    });
  });
});
