import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AbortedError, type Chunk, type LanguageModel, type Metric, SPECIFICATION_VERSION } from "@finemem/spec";
import { describe, expect, it } from "vitest";
import { createChunkQaBuilder } from "./build-chunk-qa.js";
import { ChunkQaError } from "./chunk-qa-error.js";
import type { ChunkQaBuilderOptions, ChunkQaProgress } from "./chunk-qa-options.js";
import { chunkQaPromptHash } from "./chunk-qa-prompts.js";
import { rejection, type ScriptedChunk, scriptedQaModels, useTempDirs } from "./test-support/scripted-qa-models.js";

const tempDir = useTempDirs();

const ACME: ScriptedChunk = {
  chunk: { id: "c1", text: "Ada Park founded Acme in Lisbon in 1987. Its first product was a kettle." },
  pairs: [
    { question: "Who founded Acme?", answer: "Ada Park", verifierSays: "It was Ada Park." },
    { question: "What did Ada Park found?", answer: "Acme", verifierSays: "unknown" },
    { question: "In which city was Acme founded?", answer: "Lisbon" },
    { question: "who founded ACME", answer: "Ada Park" },
    { question: "In which year was Acme founded?", answer: "1987" },
    { question: "What was Acme's first product?", answer: "a kettle", verifierSays: "a toaster" },
    { question: "What was the first product of Acme?", answer: "kettle" },
  ],
};

/** A world of `count` chunks with three verifiable pairs each. */
function world(count: number): ScriptedChunk[] {
  return Array.from({ length: count }, (_, i) => ({
    chunk: { id: `doc:c${i + 1}`, text: `Chunk ${i + 1}: Mira ${i + 1} owns ${i + 3} cats and lives in Town${i + 1}.` },
    pairs: [
      { question: `How many cats does Mira ${i + 1} own?`, answer: String(i + 3) },
      { question: `Where does Mira ${i + 1} live?`, answer: `Town${i + 1}` },
      { question: `Who owns ${i + 3} cats in chunk ${i + 1}?`, answer: `Mira ${i + 1}` },
    ],
  }));
}

const chunksOf = (entries: readonly ScriptedChunk[]): Chunk[] => entries.map((entry) => entry.chunk);

/** The route a pair verified by the default metric records: MemoryAgentBench's substring exact match. */
const SUBSTRING = { protocol: "memoryagentbench", dataSource: "chunk_qa" } as const;

function builderFor(entries: readonly ScriptedChunk[], options: Partial<ChunkQaBuilderOptions> = {}) {
  const models = scriptedQaModels(entries);
  const builder = createChunkQaBuilder({ generator: models.generator, verifier: models.verifier, ...options });
  return { builder, models };
}

describe("createChunkQaBuilder", () => {
  it("keeps verified, distinct pairs: unverifiable and duplicate ones are dropped", async () => {
    const { builder, models } = builderFor([ACME]);
    const result = await builder.build([ACME.chunk]);
    expect(result.questions).toEqual([
      [
        { id: "c1.q0", question: "Who founded Acme?", gold: "Ada Park", metric: SUBSTRING },
        { id: "c1.q1", question: "In which city was Acme founded?", gold: "Lisbon", metric: SUBSTRING },
        { id: "c1.q2", question: "In which year was Acme founded?", gold: "1987", metric: SUBSTRING },
        { id: "c1.q3", question: "What was the first product of Acme?", gold: "kettle", metric: SUBSTRING },
      ],
    ]);
    expect(result.stats[0]).toEqual({
      chunkId: "c1",
      cached: false,
      generatorAttempts: 1,
      generated: 7,
      invalid: 0,
      surplus: 0,
      unverifiable: 2,
      duplicates: 1,
      available: 4,
      kept: 4,
    });
    expect(result.calls).toEqual({ generator: 1, verifier: 7 });
    expect(models.verifier.calls).toHaveLength(7);
    // Deterministic by default, and the generator is asked for the candidate count.
    expect(models.generator.calls[0]?.sampling).toEqual({ temperature: 0 });
    expect(models.generator.calls[0]?.messages[1]?.content).toContain("Write 10 question-answer pairs");
  });

  it("keeps at most K questions per chunk, the generator's first", async () => {
    const { builder } = builderFor([ACME], { questionsPerChunk: 2 });
    const result = await builder.build([ACME.chunk]);
    expect(result.questions[0]?.map((question) => question.id)).toEqual(["c1.q0", "c1.q1"]);
    expect(result.stats[0]).toMatchObject({ available: 4, kept: 2 });
  });

  it("verifies at most candidatesPerChunk pairs, counting the rest as surplus", async () => {
    const { builder, models } = builderFor([ACME], { questionsPerChunk: 2, candidatesPerChunk: 3 });
    const result = await builder.build([ACME.chunk]);
    expect(models.verifier.calls).toHaveLength(3);
    expect(result.stats[0]).toMatchObject({ generated: 7, surplus: 4, unverifiable: 1, kept: 2 });
  });

  it("makes no model call on a second build with the same cache, and gives the same questions", async () => {
    const cachePath = join(tempDir(), "qa.jsonl");
    const entries = world(4);
    const first = await builderFor(entries, { cachePath }).builder.build(chunksOf(entries));
    expect(first.calls).toEqual({ generator: 4, verifier: 12 });
    expect(readFileSync(cachePath, "utf8").trim().split("\n")).toHaveLength(4);

    const { builder, models } = builderFor(entries, { cachePath });
    const second = await builder.build(chunksOf(entries));
    expect(second.calls).toEqual({ generator: 0, verifier: 0 });
    expect(models.generator.calls.length + models.verifier.calls.length).toBe(0);
    expect(second.cachedChunks).toBe(4);
    expect(second.questions).toEqual(first.questions);
    expect(second.stats.every((stats) => stats.cached)).toBe(true);
  });

  it("applies K and the duplicate threshold on read: changing them makes no call, changing the candidate count does", async () => {
    const cachePath = join(tempDir(), "qa.jsonl");
    await builderFor([ACME], { cachePath }).builder.build([ACME.chunk]);

    const fewer = await builderFor([ACME], { cachePath, questionsPerChunk: 1, duplicateThreshold: 1 }).builder.build([
      ACME.chunk,
    ]);
    expect(fewer.calls).toEqual({ generator: 0, verifier: 0 });
    expect(fewer.questions[0]).toHaveLength(1);

    const more = await builderFor([ACME], { cachePath, candidatesPerChunk: 12 }).builder.build([ACME.chunk]);
    expect(more.calls.generator).toBe(1);
  });

  it("resumes an aborted build: the rebuild calls the models only for the chunks not yet finished", async () => {
    const cachePath = join(tempDir(), "qa.jsonl");
    const entries = world(5);
    const uninterrupted = await builderFor(entries).builder.build(chunksOf(entries));

    const controller = new AbortController();
    const seen: ChunkQaProgress[] = [];
    const onProgress = (progress: ChunkQaProgress) => {
      seen.push(progress);
      if (progress.done === 2) controller.abort();
    };
    const killed = builderFor(entries, { cachePath, concurrency: 1, onProgress });
    const error = await rejection(killed.builder.build(chunksOf(entries), { signal: controller.signal }));
    expect(error).toBeInstanceOf(AbortedError);
    expect(killed.models.generatedFor()).toEqual(entries.slice(0, 2).map((entry) => entry.chunk.text));
    expect(seen.map((progress) => progress.done)).toEqual([0, 1, 2]);
    expect(seen[2]).toEqual({ done: 2, total: 5, cached: 0, calls: { generator: 2, verifier: 6 }, keptPairs: 6 });

    const restart = builderFor(entries, { cachePath });
    const resumed = await restart.builder.build(chunksOf(entries));
    expect(restart.models.generatedFor()).toEqual(entries.slice(2).map((entry) => entry.chunk.text));
    expect(resumed.calls).toEqual({ generator: 3, verifier: 9 });
    expect(resumed.cachedChunks).toBe(2);
    expect(resumed.questions).toEqual(uninterrupted.questions);
  });

  it("recovers from a kill mid-write: the torn line is cut and only its chunk is rebuilt", async () => {
    const cachePath = join(tempDir(), "qa.jsonl");
    const entries = world(3);
    const full = await builderFor(entries, { cachePath }).builder.build(chunksOf(entries));
    const text = readFileSync(cachePath, "utf8");
    writeFileSync(cachePath, text.slice(0, text.length - 30));

    const { builder, models } = builderFor(entries, { cachePath });
    const result = await builder.build(chunksOf(entries));
    expect(result.repairedCacheBytes).toBeGreaterThan(0);
    expect(models.generatedFor()).toEqual([entries[2]!.chunk.text]);
    expect(result.questions).toEqual(full.questions);
    const after = readFileSync(cachePath, "utf8");
    expect(after.endsWith("\n")).toBe(true);
    expect(after.trim().split("\n")).toHaveLength(3);
  });

  it("stops on a corrupt line in the middle of the cache before any model call, and leaves the file as it was", async () => {
    const cachePath = join(tempDir(), "qa.jsonl");
    const entries = world(3);
    await builderFor(entries, { cachePath }).builder.build(chunksOf(entries));
    const [first, , third] = readFileSync(cachePath, "utf8").split("\n");
    const damaged = `${first}\n{"format": 1, "key": \n${third}\n`;
    writeFileSync(cachePath, damaged);

    const { builder, models } = builderFor(entries, { cachePath });
    const error = await rejection(builder.build(chunksOf(entries)));
    expect(error).toBeInstanceOf(ChunkQaError);
    expect(error).toMatchObject({ code: "corrupt_cache", file: cachePath, line: 2 });
    expect(models.generator.calls).toHaveLength(0);
    expect(readFileSync(cachePath, "utf8")).toBe(damaged);
  });

  it("retries a malformed generator reply once", async () => {
    const good = JSON.stringify({ pairs: [{ question: "Who founded Acme?", answer: "Ada Park" }] });
    const { builder, models } = builderFor([{ chunk: ACME.chunk, pairs: ["Sorry, I can't do JSON today.", good] }]);
    const result = await builder.build([ACME.chunk]);
    expect(models.generator.calls).toHaveLength(2);
    expect(result.stats[0]).toMatchObject({ generatorAttempts: 2, kept: 0, unverifiable: 1 });
  });

  it("fails with a typed error naming the chunk when every attempt is malformed; finished chunks stay cached", async () => {
    const cachePath = join(tempDir(), "qa.jsonl");
    const entries = [
      ...world(1),
      {
        chunk: { id: "doc:bad", text: "A chunk the generator chokes on." },
        pairs: ['{"pairs": [{"question": "Who', "<think>hmm"],
      },
    ];
    const { builder, models } = builderFor(entries, { cachePath, concurrency: 1 });
    const error = await rejection(builder.build(chunksOf(entries)));
    expect(error).toBeInstanceOf(ChunkQaError);
    expect(error).toMatchObject({ code: "malformed_generator_reply", chunkId: "doc:bad", path: ["chunks", 1] });
    expect((error as Error).message).toContain("empty_reply");
    expect(models.generatedFor().filter((text) => text === entries[1]!.chunk.text)).toHaveLength(2);
    expect(readFileSync(cachePath, "utf8").trim().split("\n")).toHaveLength(1);

    const three = builderFor(entries, { maxGeneratorAttempts: 3 });
    await rejection(three.builder.build([entries[1]!.chunk]));
    expect(three.models.generator.calls).toHaveLength(3);
  });

  it("builds chunks with the same text once", async () => {
    const entries = world(1);
    const twin: Chunk = { id: "other:c9", text: entries[0]!.chunk.text };
    const { builder, models } = builderFor(entries);
    const result = await builder.build([entries[0]!.chunk, twin]);
    expect(models.generator.calls).toHaveLength(1);
    expect(result.questions[1]?.map((question) => question.id)).toEqual(["other:c9.q0", "other:c9.q1", "other:c9.q2"]);
    expect(result.questions[1]?.map((question) => question.question)).toEqual(
      result.questions[0]?.map((question) => question.question),
    );
  });

  it("keeps model calls in flight within the concurrency", async () => {
    const entries = world(6);
    const models = scriptedQaModels(entries);
    let inFlight = 0;
    let most = 0;
    const tracked = (model: LanguageModel): LanguageModel => ({
      ...model,
      async generate(request, options) {
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
        return model.generate(request, options);
      },
    });
    const builder = createChunkQaBuilder({
      generator: tracked(models.generator),
      verifier: tracked(models.verifier),
      concurrency: 3,
    });
    await builder.build(chunksOf(entries));
    expect(most).toBe(3);
  });

  it("scores the verifier's answer with the metric given, after its thinking, against minVerifierScore", async () => {
    const inputs: unknown[] = [];
    const halfCredit: Metric = {
      specificationVersion: SPECIFICATION_VERSION,
      name: "half",
      protocol: "memoryagentbench",
      judged: false,
      async score(input) {
        inputs.push(input);
        return { score: input.prediction === input.gold ? 1 : 0.5 };
      },
    };
    const entry: ScriptedChunk = {
      chunk: ACME.chunk,
      pairs: [{ question: "Who founded Acme?", answer: "Ada Park", verifierSays: "<think>Let me see.</think> Ada" }],
    };
    const strict = await builderFor([entry], { metric: halfCredit, dataSource: "my_source" }).builder.build([
      entry.chunk,
    ]);
    expect(strict.questions[0]).toEqual([]);
    expect(inputs[0]).toEqual({
      prediction: "Ada",
      gold: "Ada Park",
      dataSource: "my_source",
      question: "Who founded Acme?",
    });
    const lenient = await builderFor([entry], { metric: halfCredit, minVerifierScore: 0.5 }).builder.build([
      entry.chunk,
    ]);
    expect(lenient.questions[0]).toHaveLength(1);
    // The kept question records the route it was verified under, for r_chunk to score it the same way.
    expect(lenient.questions[0]![0]!.metric).toEqual({ protocol: "memoryagentbench", dataSource: "chunk_qa" });
    const mine = await builderFor([entry], {
      metric: halfCredit,
      minVerifierScore: 0.5,
      dataSource: "my_source",
    }).builder.build([entry.chunk]);
    expect(mine.questions[0]![0]!.metric).toEqual({ protocol: "memoryagentbench", dataSource: "my_source" });
  });

  it("plans the cost of a build without calling a model or touching the cache file", async () => {
    const cachePath = join(tempDir(), "qa.jsonl");
    const entries = world(4);
    const fresh = builderFor(entries, { cachePath, candidatesPerChunk: 6 });
    expect(await fresh.builder.plan(chunksOf(entries))).toEqual({
      chunks: 4,
      cachedChunks: 0,
      uncachedChunks: 4,
      textsToBuild: 4,
      maxCalls: { generator: 8, verifier: 24, total: 32 },
    });
    expect(existsSync(cachePath)).toBe(false);
    await fresh.builder.build(chunksOf(entries.slice(0, 3)));
    appendFileSync(cachePath, '{"format": 1, "ke');
    const before = readFileSync(cachePath, "utf8");
    const later = builderFor(entries, { cachePath, candidatesPerChunk: 6 });
    expect(await later.builder.plan(chunksOf(entries))).toMatchObject({
      cachedChunks: 3,
      uncachedChunks: 1,
      maxCalls: { total: 8 },
    });
    expect(readFileSync(cachePath, "utf8")).toBe(before);
    expect(later.models.generator.calls).toHaveLength(0);
  });

  it("reports the prompt hash it keys the cache by", () => {
    const { builder } = builderFor([]);
    expect(builder.promptHash).toBe(chunkQaPromptHash());
  });

  it("refuses to start when already aborted", async () => {
    const { builder, models } = builderFor(world(1));
    const error = await rejection(builder.build(chunksOf(world(1)), { signal: AbortSignal.abort() }));
    expect(error).toBeInstanceOf(AbortedError);
    expect(models.generator.calls).toHaveLength(0);
  });

  it.each([
    [{ id: "bad id", text: "x" }, ["chunks", 0, "id"]],
    [{ id: "c1", text: "   " }, ["chunks", 0, "text"]],
    [{ id: "c".repeat(126), text: "x" }, ["chunks", 0, "id"]],
  ])("refuses an invalid chunk %#", async (chunk, path) => {
    const { builder } = builderFor([]);
    const error = await rejection(builder.build([chunk]));
    expect(error).toMatchObject({ code: "invalid_chunk", path });
  });

  it.each([
    ["questionsPerChunk", 0],
    ["questionsPerChunk", 2.5],
    ["candidatesPerChunk", 3],
    ["concurrency", 0],
    ["duplicateThreshold", 0],
    ["duplicateThreshold", 1.5],
    ["minVerifierScore", Number.NaN],
    ["maxGeneratorAttempts", 0],
    ["maxQuestionChars", -1],
    ["dataSource", ""],
    ["cachePath", ""],
    ["metric", { score: 1 }],
    ["onProgress", "log"],
    ["generator", undefined],
    ["verifier", { modelId: "v" }],
    [
      "prompts",
      {
        version: "v",
        generator: { system: "", user: "no passage" },
        verifier: { system: "", user: "{passage} {question}" },
      },
    ],
    ["cacheFile", "qa.jsonl"],
  ] as const)("refuses option %s = %j, naming it", (option, value) => {
    const models = scriptedQaModels([]);
    const options = {
      generator: models.generator,
      verifier: models.verifier,
      [option]: value,
    } as unknown as ChunkQaBuilderOptions;
    let error: unknown;
    try {
      createChunkQaBuilder(options);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ChunkQaError);
    expect(error).toMatchObject({ code: "invalid_option", path: [option] });
    expect((error as Error).message).toContain(option);
  });

  it("checks sampling with the spec's rules, naming the bad field", () => {
    const models = scriptedQaModels([]);
    const make = () =>
      createChunkQaBuilder({
        generator: models.generator,
        verifier: models.verifier,
        verifierSampling: { temperature: -1 },
      });
    expect(make).toThrow(
      expect.objectContaining({ code: "invalid_option", path: ["verifierSampling", "temperature"] }),
    );
  });

  it("plans without a cache file: every chunk uncached, twins built once", async () => {
    const entries = world(2);
    const twin: Chunk = { id: "other:c1", text: entries[0]!.chunk.text };
    const { builder } = builderFor(entries, { maxGeneratorAttempts: 3 });
    // Two distinct texts: 2 × 3 generator attempts and 2 × 10 verifier calls at most.
    expect(await builder.plan([...chunksOf(entries), twin])).toEqual({
      chunks: 3,
      cachedChunks: 0,
      uncachedChunks: 3,
      textsToBuild: 2,
      maxCalls: { generator: 6, verifier: 20, total: 26 },
    });
  });

  it("stops planning when aborted", async () => {
    const cachePath = join(tempDir(), "qa.jsonl");
    const { builder } = builderFor(world(1), { cachePath });
    await expect(builder.plan(chunksOf(world(1)), { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(
      AbortedError,
    );
  });

  it("counts the generator attempts of a shared text once, on the first of its chunks", async () => {
    const entries = world(1);
    const twin: Chunk = { id: "other:c9", text: entries[0]!.chunk.text };
    const result = await builderFor(entries).builder.build([entries[0]!.chunk, twin]);
    expect(result.stats.map((stats) => [stats.chunkId, stats.generatorAttempts, stats.kept])).toEqual([
      ["doc:c1", 1, 3],
      ["other:c9", 0, 3],
    ]);
  });

  it("applies the length bounds when reading the reply, and counts dropped entries as generated", async () => {
    const entry: ScriptedChunk = {
      chunk: ACME.chunk,
      pairs: [
        { question: "Who founded Acme?", answer: "Ada Park" },
        { question: "In which year was Acme founded?", answer: "1987" },
        { question: "Where?", answer: "" },
      ],
    };
    // "Ada Park" is 8 characters, over maxAnswerChars 5; the empty answer is dropped too: 3 generated,
    // 2 invalid, 1 verified.
    const result = await builderFor([entry], { maxAnswerChars: 5 }).builder.build([entry.chunk]);
    expect(result.stats[0]).toMatchObject({ generated: 3, invalid: 2, surplus: 0, unverifiable: 0, kept: 1 });
    expect(result.questions[0]!.map((question) => question.gold)).toEqual(["1987"]);
  });

  it("passes the abort signal to the generator, the verifier and the metric", async () => {
    const signals: [string, AbortSignal | undefined][] = [];
    const models = scriptedQaModels([ACME]);
    const watched = (name: string, model: LanguageModel): LanguageModel => ({
      ...model,
      generate(request, options) {
        signals.push([name, options?.signal]);
        return model.generate(request, options);
      },
    });
    const metric: Metric = {
      specificationVersion: SPECIFICATION_VERSION,
      name: "exact",
      protocol: "memoryagentbench",
      judged: false,
      async score(input, options) {
        signals.push(["metric", options?.signal]);
        return { score: input.prediction === input.gold ? 1 : 0 };
      },
    };
    const builder = createChunkQaBuilder({
      generator: watched("generator", models.generator),
      verifier: watched("verifier", models.verifier),
      metric,
      candidatesPerChunk: 5,
      questionsPerChunk: 1,
    });
    const controller = new AbortController();
    await builder.build([ACME.chunk], { signal: controller.signal });
    expect(new Set(signals.map(([name]) => name))).toEqual(new Set(["generator", "verifier", "metric"]));
    expect(signals.every(([, signal]) => signal === controller.signal)).toBe(true);
  });

  it("fails with the verifier's own error once every verifier call of the chunk has ended", async () => {
    const models = scriptedQaModels([ACME]);
    const broken = new Error("verifier down");
    let finished = 0;
    const verifier: LanguageModel = {
      ...models.verifier,
      async generate(request, options) {
        await new Promise((resolve) => setImmediate(resolve));
        finished++;
        if (request.messages[1]!.content.includes("Who founded Acme?")) throw broken;
        return models.verifier.generate(request, options);
      },
    };
    const builder = createChunkQaBuilder({ generator: models.generator, verifier });
    const error = await rejection(builder.build([ACME.chunk]));
    expect(error).toBe(broken);
    expect(finished).toBe(7);
  });

  it("quotes the last malformed reply in the error, cut at 160 characters", async () => {
    const long = "No pairs. ".repeat(20);
    const one = builderFor([{ chunk: ACME.chunk, pairs: [long] }], { maxGeneratorAttempts: 1 });
    const error = await rejection(one.builder.build([ACME.chunk]));
    expect((error as Error).message).toBe(
      `chunk "c1": 1 generator reply held no readable list of pairs; the last: no_json (the reply holds no JSON), reply "${long.slice(0, 160)}…"`,
    );
    // Exactly 160 characters are quoted whole.
    const exact = "x".repeat(160);
    const two = builderFor([{ chunk: ACME.chunk, pairs: [exact] }]);
    expect(((await rejection(two.builder.build([ACME.chunk]))) as Error).message).toBe(
      `chunk "c1": 2 generator replies held no readable list of pairs; the last: no_json (the reply holds no JSON), reply "${exact}"`,
    );
  });

  it("refuses chunks that are not a list, or not chunks, before any call", async () => {
    const { builder, models } = builderFor([]);
    const notList = await rejection(builder.build("c1" as unknown as Chunk[]));
    expect(notList).toBeInstanceOf(ChunkQaError);
    expect(notList).toMatchObject({ code: "invalid_chunk", path: ["chunks"], message: "expected an array of chunks" });
    for (const [chunk, path, message] of [
      [null, ["chunks", 0, "id"], "chunks[0]: expected a chunk with an id matching ID_PATTERN"],
      ["c1", ["chunks", 0, "id"], "chunks[0]: expected a chunk with an id matching ID_PATTERN"],
      [{ id: "bad id", text: "x" }, ["chunks", 0, "id"], "chunks[0]: expected a chunk with an id matching ID_PATTERN"],
      [{ id: "c1", text: 5 }, ["chunks", 0, "text"], 'chunk "c1": expected non-empty text'],
      [{ id: "c1", text: " " }, ["chunks", 0, "text"], 'chunk "c1": expected non-empty text'],
    ] as const) {
      const error = await rejection(builder.plan([chunk as unknown as Chunk]));
      expect(error).toBeInstanceOf(ChunkQaError);
      expect(error).toMatchObject({ code: "invalid_chunk", path, message });
    }
    expect(models.generator.calls).toHaveLength(0);
  });

  it("refuses a chunk id too long to carry its last question id, which depends on K", async () => {
    // Ids are at most 128 characters. With K = 10 the last question id ends in ".q9": 125 + 3 = 128 fits,
    // 126 + 3 = 129 does not.
    const { builder } = builderFor([], { questionsPerChunk: 10 });
    expect(await builder.plan([{ id: "c".repeat(125), text: "x" }])).toMatchObject({ chunks: 1 });
    const error = await rejection(builder.plan([{ id: "c".repeat(126), text: "x" }]));
    expect(error).toMatchObject({
      code: "invalid_chunk",
      path: ["chunks", 0, "id"],
      chunkId: "c".repeat(126),
      message: `chunk "${"c".repeat(126)}": its question ids (${"c".repeat(126)}.q9) would exceed 128 characters; use a shorter chunk id`,
    });
  });
});
