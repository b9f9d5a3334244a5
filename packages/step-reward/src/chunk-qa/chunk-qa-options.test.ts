import { languageModelRequestValidator, type Metric, SPECIFICATION_VERSION } from "@finemem/spec";
import { createScriptedLanguageModel } from "@finemem/spec/testing";
import { describe, expect, it } from "vitest";
import { ChunkQaError } from "./chunk-qa-error.js";
import { type ChunkQaBuilderOptions, resolveChunkQaOptions } from "./chunk-qa-options.js";
import { CHUNK_QA_PROMPTS } from "./chunk-qa-prompts.js";

const generator = createScriptedLanguageModel([], { modelId: "gen" });
const verifier = createScriptedLanguageModel([], { modelId: "ver" });
const base = { generator, verifier };

/** The ChunkQaError that resolving `options` throws. */
function refusal(options: unknown): ChunkQaError {
  try {
    resolveChunkQaOptions(options as ChunkQaBuilderOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(ChunkQaError);
    expect(error).toMatchObject({ code: "invalid_option" });
    return error as ChunkQaError;
  }
  throw new Error("expected the options to be refused");
}

const metric: Metric = {
  specificationVersion: SPECIFICATION_VERSION,
  name: "m",
  protocol: "memoryagentbench",
  judged: false,
  score: async () => ({ score: 1 }),
};

describe("resolveChunkQaOptions", () => {
  it("fills in the documented defaults", () => {
    const resolved = resolveChunkQaOptions(base);
    expect(resolved).toMatchObject({
      generator,
      verifier,
      dataSource: "chunk_qa",
      minVerifierScore: 1,
      questionsPerChunk: 5,
      candidatesPerChunk: 10,
      cachePath: undefined,
      concurrency: 4,
      duplicateThreshold: 0.8,
      generatorSampling: { temperature: 0 },
      verifierSampling: { temperature: 0 },
      maxGeneratorAttempts: 2,
      maxQuestionChars: 300,
      maxAnswerChars: 100,
      prompts: CHUNK_QA_PROMPTS,
      onProgress: undefined,
    });
    expect(resolved.metric).toMatchObject({ name: "memoryagentbench_post_process", protocol: "memoryagentbench" });
  });

  it("keeps the values given, at the edges of their ranges", () => {
    const onProgress = () => undefined;
    const prompts = {
      version: "mine-v1",
      generator: { system: "", user: "{passage}" },
      verifier: { system: "", user: "{passage} {question}" },
    };
    const resolved = resolveChunkQaOptions({
      ...base,
      metric,
      dataSource: "my_source",
      minVerifierScore: 1,
      questionsPerChunk: 3,
      candidatesPerChunk: 3,
      cachePath: "qa.jsonl",
      concurrency: 1,
      duplicateThreshold: 0.01,
      generatorSampling: { seed: 7 },
      verifierSampling: { temperature: 0.5 },
      maxGeneratorAttempts: 1,
      maxQuestionChars: 1,
      maxAnswerChars: 1,
      prompts,
      onProgress,
    });
    expect(resolved).toMatchObject({
      metric,
      dataSource: "my_source",
      questionsPerChunk: 3,
      candidatesPerChunk: 3,
      cachePath: "qa.jsonl",
      concurrency: 1,
      duplicateThreshold: 0.01,
      maxGeneratorAttempts: 1,
      maxQuestionChars: 1,
      maxAnswerChars: 1,
      prompts,
      onProgress,
    });
    // Sampling is merged over { temperature: 0 }.
    expect(resolved.generatorSampling).toEqual({ temperature: 0, seed: 7 });
    expect(resolved.verifierSampling).toEqual({ temperature: 0.5 });
  });

  it("refuses a value that is not an options object", () => {
    for (const [options, got] of [
      [null, "null"],
      [[base], "an array"],
      ["options", '"options"'],
    ] as const) {
      const error = refusal(options);
      expect(error.path).toEqual([]);
      expect(error.message).toBe(`options: expected an options object, got ${got}`);
    }
  });

  it("refuses an unknown option, listing the known ones", () => {
    const error = refusal({ ...base, cacheFile: "qa.jsonl" });
    expect(error.path).toEqual(["cacheFile"]);
    expect(error.message).toBe(
      'cacheFile: unknown option "cacheFile"; expected one of generator, verifier, metric, dataSource, minVerifierScore, questionsPerChunk, candidatesPerChunk, cachePath, concurrency, duplicateThreshold, generatorSampling, verifierSampling, maxGeneratorAttempts, maxQuestionChars, maxAnswerChars, prompts, onProgress',
    );
  });

  it.each([
    ["questionsPerChunk", 0, "questionsPerChunk: expected an integer ≥ 1 (K, the questions kept per chunk), got 0"],
    ["candidatesPerChunk", 0, "candidatesPerChunk: expected an integer ≥ 1 (candidate pairs asked per chunk), got 0"],
    ["concurrency", 1.5, "concurrency: expected an integer ≥ 1 (chunks and model calls in flight), got 1.5"],
    ["maxGeneratorAttempts", "2", 'maxGeneratorAttempts: expected an integer ≥ 1 (generator calls per chunk), got "2"'],
    [
      "maxQuestionChars",
      null,
      "maxQuestionChars: expected an integer ≥ 1 (the longest question kept, in characters), got null",
    ],
    [
      "maxAnswerChars",
      true,
      "maxAnswerChars: expected an integer ≥ 1 (the longest answer kept, in characters), got true",
    ],
  ] as const)("refuses %s = %j, saying what it means", (option, value, message) => {
    const error = refusal({ ...base, [option]: value });
    expect(error.path).toEqual([option]);
    expect(error.message).toBe(message);
  });

  it("refuses fewer candidates than questions kept; as many is enough", () => {
    const error = refusal({ ...base, questionsPerChunk: 5, candidatesPerChunk: 4 });
    expect(error.path).toEqual(["candidatesPerChunk"]);
    expect(error.message).toBe(
      "candidatesPerChunk: expected at least questionsPerChunk (5) candidates, got 4: verification only removes pairs",
    );
    expect(resolveChunkQaOptions({ ...base, questionsPerChunk: 4, candidatesPerChunk: 4 }).candidatesPerChunk).toBe(4);
  });

  it.each([
    ["minVerifierScore", 0, "got 0"],
    ["minVerifierScore", 1.01, "got 1.01"],
    ["minVerifierScore", "0.5", 'got "0.5"'],
    ["duplicateThreshold", -0.2, "got -0.2"],
    ["duplicateThreshold", Number.NaN, "got NaN"],
  ] as const)("refuses %s = %j outside (0, 1]", (option, value, got) => {
    const error = refusal({ ...base, [option]: value });
    expect(error.path).toEqual([option]);
    expect(error.message).toBe(`${option}: expected a number in (0, 1], ${got}`);
  });

  it.each([
    ["dataSource", "", 'dataSource: expected the data source the metric routes by, e.g. "chunk_qa", got ""'],
    ["dataSource", "   ", 'dataSource: expected the data source the metric routes by, e.g. "chunk_qa", got "   "'],
    ["dataSource", 5, 'dataSource: expected the data source the metric routes by, e.g. "chunk_qa", got 5'],
    ["cachePath", " ", 'cachePath: expected a file path for the JSONL cache, or no cachePath, got " "'],
    ["cachePath", {}, "cachePath: expected a file path for the JSONL cache, or no cachePath, got object"],
  ] as const)("refuses %s = %j, which must be a non-blank string", (option, value, message) => {
    const error = refusal({ ...base, [option]: value });
    expect(error.path).toEqual([option]);
    expect(error.message).toBe(message);
  });

  it("shortens a long value to 40 characters in the message", () => {
    // 41 characters: the first 40 and an ellipsis. 40 characters: as they are.
    expect(refusal({ ...base, concurrency: "y".repeat(41) }).message).toBe(
      `concurrency: expected an integer ≥ 1 (chunks and model calls in flight), got "${"y".repeat(40)}…"`,
    );
    expect(refusal({ ...base, concurrency: "y".repeat(40) }).message).toBe(
      `concurrency: expected an integer ≥ 1 (chunks and model calls in flight), got "${"y".repeat(40)}"`,
    );
  });

  it.each([
    ["generator", undefined, "undefined"],
    ["generator", { modelId: "g" }, "object"],
    ["verifier", { modelId: 5, generate: () => undefined }, "object"],
    ["verifier", { modelId: "", generate: () => undefined }, "object"],
    ["verifier", [verifier], "an array"],
  ] as const)("refuses %s = %j, which is not a LanguageModel", (option, value, got) => {
    const error = refusal({ ...base, [option]: value });
    expect(error.path).toEqual([option]);
    expect(error.message).toBe(`${option}: expected a LanguageModel (with generate() and a modelId), got ${got}`);
  });

  it.each([
    ["no score()", { ...metric, score: 1 }],
    ["no name", { ...metric, name: undefined }],
    ["no protocol", { ...metric, protocol: 1 }],
    ["null", null],
  ])("refuses a metric with %s", (_what, value) => {
    const error = refusal({ ...base, metric: value });
    expect(error.path).toEqual(["metric"]);
    expect(error.message).toBe(
      `metric: expected a Metric (with score(), name and protocol), got ${value === null ? "null" : "object"}`,
    );
  });

  it("refuses sampling that is not an object, or that the spec's request validator refuses, naming the field", () => {
    const notObject = refusal({ ...base, generatorSampling: 5 });
    expect(notObject.path).toEqual(["generatorSampling"]);
    expect(notObject.message).toBe(
      "generatorSampling: expected sampling options such as { temperature: 0, seed: 1 }, got 5",
    );
    expect(refusal({ ...base, verifierSampling: [] }).path).toEqual(["verifierSampling"]);

    const negative = refusal({ ...base, generatorSampling: { temperature: -1 } });
    expect(negative.path).toEqual(["generatorSampling", "temperature"]);
    // The message is the spec's own issue for that field, after the option's dotted path.
    const checked = languageModelRequestValidator.validate({
      messages: [{ role: "user", content: "x" }],
      sampling: { temperature: -1 },
    });
    expect(checked.ok).toBe(false);
    const issue = checked.ok ? "" : checked.error.issues[0]!.message;
    expect(negative.message).toBe(`generatorSampling.temperature: ${issue}`);
  });

  it.each([
    ["not an object", "v1"],
    ["no version", { generator: CHUNK_QA_PROMPTS.generator, verifier: CHUNK_QA_PROMPTS.verifier }],
    ["an empty version", { ...CHUNK_QA_PROMPTS, version: "" }],
    ["a generator without a system text", { ...CHUNK_QA_PROMPTS, generator: { user: "{passage}" } }],
    ["a generator whose user text is not a string", { ...CHUNK_QA_PROMPTS, generator: { system: "", user: 1 } }],
    ["a verifier that is not an object", { ...CHUNK_QA_PROMPTS, verifier: "{passage} {question}" }],
    ["a verifier without a user text", { ...CHUNK_QA_PROMPTS, verifier: { system: "" } }],
  ])("refuses prompts with %s", (_what, value) => {
    const error = refusal({ ...base, prompts: value });
    expect(error.path).toEqual(["prompts"]);
    expect(error.message).toBe(
      "prompts: expected { version, generator: { system, user }, verifier: { system, user } }",
    );
  });

  it.each([
    ["the generator's {passage}", { generator: { system: "", user: "Write {count} pairs." } }],
    ["the verifier's {passage}", { verifier: { system: "", user: "Question: {question}" } }],
    ["the verifier's {question}", { verifier: { system: "", user: "<passage>{passage}</passage>" } }],
  ])("refuses prompts without %s", (_what, change) => {
    const error = refusal({ ...base, prompts: { ...CHUNK_QA_PROMPTS, ...change } });
    expect(error.path).toEqual(["prompts"]);
    expect(error.message).toBe(
      "prompts: the generator's user prompt needs {passage}; the verifier's needs {passage} and {question}",
    );
  });

  it("refuses an onProgress that is not a function", () => {
    const error = refusal({ ...base, onProgress: { log: true } });
    expect(error.path).toEqual(["onProgress"]);
    expect(error.message).toBe("onProgress: expected a function, got object");
  });
});
