// Chunk question construction against a real HTTP server speaking the OpenAI chat-completions
// protocol: the generator and the verifier are OpenAI-compatible models, and the "models" behind the
// server are a stand-in routed by what each request asks (which prompt, which chunk, which question).
// What is under test is the builder's path over real sockets (verification, duplicates, the cache and
// resuming after a kill), not the stand-in.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createOpenAICompatibleModel } from "@finemem/policy";
import {
  chatCompletion,
  type OpenAIReplayServer,
  type ReplayEntry,
  startOpenAIReplayServer,
} from "@finemem/policy/testing";
import { AbortedError, type Chunk } from "@finemem/spec";
import {
  CHUNK_QA_PROMPTS,
  type ChunkQaBuilderOptions,
  type ChunkQaProgress,
  createChunkQaBuilder,
} from "@finemem/step-reward";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

interface StandInPair {
  readonly question: string;
  readonly answer: string;
  /** What the stand-in verifier answers. */
  readonly verifierSays: string;
}

const WORLD: readonly { readonly chunk: Chunk; readonly pairs: readonly StandInPair[] }[] = [
  {
    chunk: {
      id: "lme:s1:c1",
      text: "Ada Park founded Acme Kettles in Lisbon in 1987. The first model was called the Tagus.",
    },
    pairs: [
      { question: "Who founded Acme Kettles?", answer: "Ada Park", verifierSays: "Ada Park" },
      {
        question: "In which city was Acme Kettles founded?",
        answer: "Lisbon",
        verifierSays: "It was founded in Lisbon.",
      },
      // The verifier cannot answer it from the chunk: dropped.
      { question: "How many employees did Acme Kettles have?", answer: "forty", verifierSays: "unknown" },
      // The same question as the first, reworded only in case and articles: dropped.
      { question: "who founded the acme kettles", answer: "Ada Park", verifierSays: "Ada Park" },
      { question: "What was the first Acme Kettles model called?", answer: "the Tagus", verifierSays: "Tagus" },
    ],
  },
  {
    chunk: {
      id: "lme:s1:c2",
      text: "In 1994 Ada Park moved the Acme Kettles workshop to Porto and hired Rui Lopes as its foreman.",
    },
    pairs: [
      {
        question: "Where did Ada Park move the Acme Kettles workshop in 1994?",
        answer: "Porto",
        verifierSays: "Porto",
      },
      { question: "Who did Ada Park hire as foreman?", answer: "Rui Lopes", verifierSays: "Rui Lopes" },
      // Answered wrongly: dropped.
      { question: "In which year did the workshop move to Porto?", answer: "1994", verifierSays: "1993" },
    ],
  },
  {
    chunk: {
      id: "lme:s1:c3",
      text: "Rui Lopes designed the Douro kettle in 1999; it sold twelve thousand units in its first year.",
    },
    pairs: [
      { question: "Who designed the Douro kettle?", answer: "Rui Lopes", verifierSays: "Rui Lopes" },
      {
        question: "How many Douro kettles sold in the first year?",
        answer: "twelve thousand",
        verifierSays: "twelve thousand units",
      },
    ],
  },
  {
    chunk: { id: "lme:s1:c4", text: "Acme Kettles closed its Porto workshop in 2011 and now builds kettles in Braga." },
    pairs: [
      { question: "When did Acme Kettles close its Porto workshop?", answer: "2011", verifierSays: "2011" },
      { question: "Where does Acme Kettles build kettles now?", answer: "Braga", verifierSays: "In Braga." },
    ],
  },
];

const CHUNKS = WORLD.map((entry) => entry.chunk);

interface ChatBody {
  readonly model: string;
  readonly messages: readonly { readonly role: string; readonly content: string }[];
}

function passageOf(body: ChatBody): string {
  const user = body.messages.findLast((message) => message.role === "user")?.content ?? "";
  return /<passage>\n([\s\S]*?)\n<\/passage>/.exec(user)?.[1] ?? "";
}

/** The stand-in: a generator replying as Qwen does (JSON in a code fence), a verifier replying with a short answer. */
function standIn(requestBody: unknown): ReplayEntry {
  const body = requestBody as ChatBody;
  const passage = passageOf(body);
  const entry = WORLD.find((candidate) => candidate.chunk.text === passage);
  if (entry === undefined) throw new Error(`the stand-in knows no chunk ${JSON.stringify(passage)}`);
  const usage = { promptTokens: Math.ceil(JSON.stringify(body.messages).length / 4), completionTokens: 40 };
  if (body.messages[0]?.content === CHUNK_QA_PROMPTS.generator.system) {
    const json = JSON.stringify({ pairs: entry.pairs.map(({ question, answer }) => ({ question, answer })) }, null, 2);
    return { body: chatCompletion({ content: `\`\`\`json\n${json}\n\`\`\``, model: body.model, usage }) };
  }
  const user = body.messages.findLast((message) => message.role === "user")?.content ?? "";
  const question = /Question: ([\s\S]*)\nAnswer:$/.exec(user)?.[1];
  const pair = entry.pairs.find((candidate) => candidate.question === question);
  return {
    body: chatCompletion({
      content: pair?.verifierSays ?? "unknown",
      model: body.model,
      usage: { ...usage, completionTokens: 4 },
    }),
  };
}

describe("chunk question construction over OpenAI-compatible HTTP", () => {
  let server: OpenAIReplayServer;
  let folder: string;
  beforeAll(async () => {
    server = await startOpenAIReplayServer(standIn);
    folder = mkdtempSync(join(tmpdir(), "finemem-chunk-qa-http-"));
  });
  afterAll(async () => {
    await server.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const builder = (cachePath: string, options: Partial<ChunkQaBuilderOptions> = {}) =>
    createChunkQaBuilder({
      // Two served models, as a run would use a larger generator and a smaller verifier; no retries, so a
      // stand-in bug fails at once instead of backing off.
      generator: createOpenAICompatibleModel({
        baseURL: server.baseURL,
        model: "Qwen/Qwen3-32B",
        engine: "vllm",
        role: "chunk-qa-generator",
        retry: { maxRetries: 0 },
      }),
      verifier: createOpenAICompatibleModel({
        baseURL: server.baseURL,
        model: "Qwen/Qwen3-4B-Instruct-2507",
        engine: "vllm",
        role: "chunk-qa-verifier",
        retry: { maxRetries: 0 },
      }),
      cachePath,
      ...options,
    });

  const requestsSince = (start: number) => server.requests.slice(start).map((request) => request.body as ChatBody);

  let reference: Awaited<ReturnType<ReturnType<typeof builder>["build"]>>;

  it("keeps verified, distinct pairs: unverifiable and duplicate ones are dropped", async () => {
    const start = server.requests.length;
    reference = await builder(join(folder, "reference.jsonl")).build(CHUNKS);
    const pairCount = WORLD.reduce((sum, entry) => sum + entry.pairs.length, 0);
    expect(reference.calls).toEqual({ generator: 4, verifier: pairCount });
    expect(server.requests.length - start).toBe(4 + pairCount);
    // Each kept pair records the metric route it was verified under (the builder's default, substring
    // exact match), for r_chunk to score it the same way.
    const metric = { protocol: "memoryagentbench", dataSource: "chunk_qa" };
    expect(reference.questions[0]).toEqual([
      { id: "lme:s1:c1.q0", question: "Who founded Acme Kettles?", gold: "Ada Park", metric },
      { id: "lme:s1:c1.q1", question: "In which city was Acme Kettles founded?", gold: "Lisbon", metric },
      { id: "lme:s1:c1.q2", question: "What was the first Acme Kettles model called?", gold: "the Tagus", metric },
    ]);
    expect(reference.stats[0]).toMatchObject({ generated: 5, unverifiable: 1, duplicates: 1, kept: 3 });
    expect(reference.questions[1]?.map((question) => question.gold)).toEqual(["Porto", "Rui Lopes"]);
    expect(reference.stats[1]).toMatchObject({ unverifiable: 1, duplicates: 0, kept: 2 });
    expect(reference.questions.map((list) => list.length)).toEqual([3, 2, 2, 2]);
  });

  it("makes no HTTP request on a second run over the same cache", async () => {
    const before = server.requests.length;
    const again = await builder(join(folder, "reference.jsonl")).build(CHUNKS);
    expect(server.requests.length).toBe(before);
    expect(again.calls).toEqual({ generator: 0, verifier: 0 });
    expect(again.cachedChunks).toBe(4);
    expect(again.questions).toEqual(reference.questions);
  });

  it("after a run killed once 2 chunks were done, the restart asks only about the remaining chunks", async () => {
    const cachePath = join(folder, "killed.jsonl");
    const controller = new AbortController();
    const onProgress = (progress: ChunkQaProgress) => {
      if (progress.done === 2) controller.abort();
    };
    const killedStart = server.requests.length;
    await expect(
      builder(cachePath, { concurrency: 1, onProgress }).build(CHUNKS, { signal: controller.signal }),
    ).rejects.toBeInstanceOf(AbortedError);
    const killedPassages = new Set(requestsSince(killedStart).map(passageOf));
    expect([...killedPassages]).toEqual([CHUNKS[0]!.text, CHUNKS[1]!.text]);

    const restartStart = server.requests.length;
    const resumed = await builder(cachePath).build(CHUNKS);
    const restartRequests = requestsSince(restartStart);
    expect(restartRequests.length).toBeGreaterThan(0);
    for (const body of restartRequests) {
      const text = JSON.stringify(body.messages);
      expect(text.includes(CHUNKS[2]!.text) || text.includes(CHUNKS[3]!.text)).toBe(true);
      expect(text).not.toContain(CHUNKS[0]!.text);
      expect(text).not.toContain(CHUNKS[1]!.text);
    }
    expect(resumed.cachedChunks).toBe(2);
    expect(resumed.questions).toEqual(reference.questions);
  });
});
