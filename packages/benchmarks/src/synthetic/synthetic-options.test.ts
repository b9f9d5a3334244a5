import { FineMemError, isFineMemError } from "@finemem/spec";
import { describe, expect, it } from "vitest";
import { thrown } from "../test-support/thrown.js";
import { generateSyntheticBenchmark, generateSyntheticInstance } from "./synthetic-generator.js";
import { createSyntheticLoader } from "./synthetic-loader.js";
import {
  resolveSyntheticOptions,
  SYNTHETIC_DEFAULT_OPTIONS,
  SyntheticOptionsError,
  type SyntheticOptionsInput,
} from "./synthetic-options.js";

const BAD: readonly { readonly options: unknown; readonly option: string; readonly code: string }[] = [
  { options: { instanceCount: -1 }, option: "instanceCount", code: "out_of_range" },
  { options: { instanceCount: 0 }, option: "instanceCount", code: "out_of_range" },
  { options: { chunkCount: -3 }, option: "chunkCount", code: "out_of_range" },
  { options: { chunkCount: 2.5 }, option: "chunkCount", code: "invalid_value" },
  { options: { chunkCount: "10" }, option: "chunkCount", code: "wrong_type" },
  { options: { factsPerChunk: 0 }, option: "factsPerChunk", code: "out_of_range" },
  { options: { factsPerChunk: Number.NaN }, option: "factsPerChunk", code: "invalid_value" },
  { options: { questionsPerChunk: 0 }, option: "questionsPerChunk", code: "out_of_range" },
  { options: { questionsPerChunk: 9, factsPerChunk: 8 }, option: "questionsPerChunk", code: "inconsistent" },
  { options: { changedShare: 1.5 }, option: "changedShare", code: "out_of_range" },
  { options: { changedShare: -0.1 }, option: "changedShare", code: "out_of_range" },
  { options: { changedShare: Number.POSITIVE_INFINITY }, option: "changedShare", code: "out_of_range" },
  { options: { changedShare: 0.5, chunkCount: 1 }, option: "changedShare", code: "inconsistent" },
  { options: { distractorShare: 1 }, option: "distractorShare", code: "out_of_range" },
  { options: { distractorShare: -1 }, option: "distractorShare", code: "out_of_range" },
  { options: { paraphraseShare: 2 }, option: "paraphraseShare", code: "out_of_range" },
  { options: { paraphraseShare: null }, option: "paraphraseShare", code: "wrong_type" },
  { options: { chunkCount: 100, factsPerChunk: 20 }, option: "factsPerChunk", code: "out_of_range" },
  { options: { seed: Number.NaN }, option: "seed", code: "out_of_range" },
  { options: { seed: "" }, option: "seed", code: "out_of_range" },
  { options: { seed: { value: 1 } }, option: "seed", code: "wrong_type" },
  { options: { chunkcount: 5 }, option: "chunkcount", code: "unknown_field" },
];

describe("synthetic options validation", () => {
  for (const { options, option, code } of BAD) {
    it(`${JSON.stringify(options)} → ${code} at ${option}`, () => {
      const error = thrown(() => resolveSyntheticOptions(options as SyntheticOptionsInput));
      expect(error).toBeInstanceOf(SyntheticOptionsError);
      expect(error).toBeInstanceOf(FineMemError);
      expect(isFineMemError(error)).toBe(true);
      const typed = error as SyntheticOptionsError;
      expect(typed.code).toBe(code);
      expect(typed.path).toEqual([option]);
      expect(typed.option).toBe(option);
      expect(typed.name).toBe("SyntheticOptionsError");
      expect(typed.message).toContain(option);
    });
  }

  it("every entry point validates: the generator, one instance, the loader (at creation)", () => {
    const bad = { changedShare: 2 };
    for (const action of [
      () => generateSyntheticBenchmark(bad),
      () => generateSyntheticInstance(bad, 0),
      () => createSyntheticLoader(bad),
    ]) {
      expect(thrown(action)).toMatchObject({ code: "out_of_range", path: ["changedShare"] });
    }
  });

  it("a non-object is refused as a whole", () => {
    expect(thrown(() => resolveSyntheticOptions(5 as unknown as SyntheticOptionsInput))).toMatchObject({
      code: "wrong_type",
      path: [],
    });
  });

  it("defaults fill what is absent or undefined; numeric seeds become their decimal string", () => {
    expect(resolveSyntheticOptions()).toEqual(SYNTHETIC_DEFAULT_OPTIONS);
    expect(resolveSyntheticOptions({ chunkCount: undefined, seed: 12 })).toEqual({
      ...SYNTHETIC_DEFAULT_OPTIONS,
      seed: "12",
    });
    expect(SYNTHETIC_DEFAULT_OPTIONS).toEqual({
      seed: "0",
      instanceCount: 5,
      chunkCount: 10,
      factsPerChunk: 8,
      questionsPerChunk: 5,
      changedShare: 0.5,
      distractorShare: 0.25,
      paraphraseShare: 1,
    });
  });

  it("edge values that make sense are accepted", () => {
    expect(() =>
      resolveSyntheticOptions({ chunkCount: 1, changedShare: 0, factsPerChunk: 1, questionsPerChunk: 1 }),
    ).not.toThrow();
    expect(() => resolveSyntheticOptions({ changedShare: 1, distractorShare: 0, paraphraseShare: 0 })).not.toThrow();
    expect(() => resolveSyntheticOptions({ chunkCount: 50, factsPerChunk: 20 })).not.toThrow();
  });

  it("a bad instance index is a typed error too", () => {
    expect(thrown(() => generateSyntheticInstance({}, -1))).toMatchObject({ code: "out_of_range", path: ["index"] });
  });
});
