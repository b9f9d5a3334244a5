import { createHash } from "node:crypto";
import { benchmarkInstanceValidator } from "@finemem/spec";
import { describe, expect, it } from "vitest";
import { parseSyntheticBenchmark, serializeSyntheticBenchmark } from "./serialize.js";
import { generateSyntheticBenchmark } from "./synthetic-generator.js";

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

describe("synthetic benchmark determinism", () => {
  it("the same seed and options give byte-identical JSONL", () => {
    for (const options of [
      {},
      { seed: 7 },
      { seed: "fine-mem", chunkCount: 12, factsPerChunk: 6, changedShare: 0.8, paraphraseShare: 0.5 },
    ]) {
      const first = serializeSyntheticBenchmark(generateSyntheticBenchmark(options));
      const second = serializeSyntheticBenchmark(generateSyntheticBenchmark(options));
      expect(first.length).toBeGreaterThan(1000);
      expect(second).toBe(first);
      expect(Buffer.from(second, "utf8").equals(Buffer.from(first, "utf8"))).toBe(true);
    }
  });

  it("a different seed gives different bytes, down to the chunk text", () => {
    const a = generateSyntheticBenchmark({ seed: 1 });
    const b = generateSyntheticBenchmark({ seed: 2 });
    expect(serializeSyntheticBenchmark(b)).not.toBe(serializeSyntheticBenchmark(a));
    expect(b[0]!.chunks[0]!.text).not.toBe(a[0]!.chunks[0]!.text);
    // Instances of one benchmark differ from each other too.
    expect(a[1]!.chunks[0]!.text).not.toBe(a[0]!.chunks[0]!.text);
  });

  it("a numeric seed and its decimal string are the same seed", () => {
    expect(serializeSyntheticBenchmark(generateSyntheticBenchmark({ seed: 42 }))).toBe(
      serializeSyntheticBenchmark(generateSyntheticBenchmark({ seed: "42" })),
    );
  });

  it("instance i does not depend on how many instances are generated", () => {
    const few = generateSyntheticBenchmark({ instanceCount: 2 });
    const many = generateSyntheticBenchmark({ instanceCount: 5 });
    few.forEach((instance, index) => {
      const other = many[index]!;
      expect(other.instanceId).toBe(instance.instanceId);
      expect(other.chunks).toEqual(instance.chunks);
      expect(other.chunkQuestions).toEqual(instance.chunkQuestions);
      expect(other.questions).toEqual(instance.questions);
      expect(other.source).toEqual(instance.source);
    });
  });

  it("serialisation is canonical: it round-trips through the validator to the same bytes", () => {
    const text = serializeSyntheticBenchmark(generateSyntheticBenchmark());
    const parsed = parseSyntheticBenchmark(text);
    expect(parsed).toHaveLength(5);
    expect(serializeSyntheticBenchmark(parsed)).toBe(text);
    // One instance per line, keys sorted.
    const lines = text.split("\n").filter(Boolean);
    expect(lines).toHaveLength(5);
    expect(lines[0]!.startsWith('{"chunkQuestions":')).toBe(true);
  });

  it("every instance passes the spec's BenchmarkInstance validator", () => {
    for (const instance of generateSyntheticBenchmark({ instanceCount: 10 })) {
      const result = benchmarkInstanceValidator.validate(instance);
      expect(result.ok, result.ok ? "" : result.error.message).toBe(true);
    }
  });

  it("the default benchmark's bytes are pinned (bump SYNTHETIC_GENERATOR_VERSION when they change)", () => {
    // The revision "generator-v2" promises that these options always give these bytes: results
    // recorded against it stay comparable. A change to the vocabulary, the generator or the spec's
    // random source changes this hash and must come with a new generator version.
    expect(sha256(serializeSyntheticBenchmark(generateSyntheticBenchmark()))).toBe(
      "fc6b43e8f47b1587fc6d20b2586ef021bb43d28ab2d7859f0811b772f59507b7",
    );
  });
});
