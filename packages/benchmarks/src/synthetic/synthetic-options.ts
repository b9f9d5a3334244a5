/**
 * The knobs of the synthetic benchmark, their defaults, and their validation.
 *
 * Options arrive from configuration files and command lines, so a wrong knob is reported as a typed
 * error naming the option (never silently clamped): a benchmark generated from a misspelt or
 * out-of-range knob would be recorded under options it was not made with.
 */
import { FineMemError, type FineMemErrorOptions } from "@finemem/spec";

/** The generator's version; bumped whenever the same options would produce different text. */
export const SYNTHETIC_GENERATOR_VERSION = 2;

/** At most this many fact sentences per instance: the invented name pools hold 1,200 entities. */
export const SYNTHETIC_MAX_STATEMENTS = 1000;

export interface SyntheticOptions {
  /** The seed of every random choice (a number is used as its decimal string). */
  readonly seed: string;
  /** Instances to generate. Instance `i` does not depend on this count (nor on the others). */
  readonly instanceCount: number;
  /** Chunks per instance. */
  readonly chunkCount: number;
  /** Fact sentences per chunk: first statements, changes and distractors together. */
  readonly factsPerChunk: number;
  /** K: questions per chunk, each about a different fact of that chunk (≤ factsPerChunk). */
  readonly questionsPerChunk: number;
  /**
   * Share of the questioned facts that a later chunk changes, in [0, 1]. Realised exactly when the
   * chunk layout allows it (the share actually used is in the instance's `metadata.stats`).
   */
  readonly changedShare: number;
  /**
   * Share of each instance's sentences that are distractors, in [0, 1): facts nobody asks about
   * globally that share subject words with asked ones (a namesake's fact on the same attribute, or
   * another attribute of the same entity).
   */
  readonly distractorShare: number;
  /**
   * Share of changes restated with a paraphrase template rather than the original one, in [0, 1]:
   * 1 = every change is paraphrased (hard for lexical retrieval over everything ever said, where the
   * stale original outranks it; easy once memory has replaced the stale fact), 0 = none (a change
   * reads like the original with a new value).
   */
  readonly paraphraseShare: number;
}

/** What callers pass: any subset of the options; the rest take their defaults. */
export interface SyntheticOptionsInput {
  readonly seed?: number | string | undefined;
  readonly instanceCount?: number | undefined;
  readonly chunkCount?: number | undefined;
  readonly factsPerChunk?: number | undefined;
  readonly questionsPerChunk?: number | undefined;
  readonly changedShare?: number | undefined;
  readonly distractorShare?: number | undefined;
  readonly paraphraseShare?: number | undefined;
}

/**
 * Defaults for a quick embedded run: 5 instances × 10 chunks × 8 facts (80 sentences, about 40
 * questioned facts of which half change, 20 distractors), K = 5, every change paraphrased.
 */
export const SYNTHETIC_DEFAULT_OPTIONS: SyntheticOptions = Object.freeze({
  seed: "0",
  instanceCount: 5,
  chunkCount: 10,
  factsPerChunk: 8,
  questionsPerChunk: 5,
  changedShare: 0.5,
  distractorShare: 0.25,
  paraphraseShare: 1,
});

const OPTION_NAMES = Object.keys(SYNTHETIC_DEFAULT_OPTIONS) as (keyof SyntheticOptions)[];

/** Codes of {@link SyntheticOptionsError}. */
export type SyntheticOptionsErrorCode =
  | "wrong_type"
  | "invalid_value"
  | "out_of_range"
  | "inconsistent"
  | "unknown_field";

/** A synthetic-benchmark knob is missing its mark; `path` is `[optionName]` (empty for a non-object). */
export class SyntheticOptionsError extends FineMemError {
  declare readonly code: SyntheticOptionsErrorCode;
  /** The offending option, or `undefined` when the options are not an object at all. */
  readonly option: string | undefined;

  constructor(
    code: SyntheticOptionsErrorCode,
    option: string | undefined,
    message: string,
    options: FineMemErrorOptions = {},
  ) {
    super(code, option === undefined ? message : `${option}: ${message}`, {
      ...options,
      path: option === undefined ? [] : [option],
    });
    this.option = option;
  }
}

/** The caller's value, or the default when the option is absent or `undefined` (`null` is refused as a wrong type). */
function read(input: SyntheticOptionsInput, name: keyof SyntheticOptions): unknown {
  const value = (input as Record<string, unknown>)[name];
  return value === undefined ? SYNTHETIC_DEFAULT_OPTIONS[name] : value;
}

function integerOption(input: SyntheticOptionsInput, name: keyof SyntheticOptions, min: number, max: number): number {
  const value = read(input, name);
  if (typeof value !== "number")
    throw new SyntheticOptionsError("wrong_type", name, `expected a number, got ${describe(value)}`);
  if (!Number.isInteger(value))
    throw new SyntheticOptionsError("invalid_value", name, `expected an integer, got ${value}`);
  if (value < min || value > max)
    throw new SyntheticOptionsError("out_of_range", name, `expected ${min} to ${max}, got ${value}`);
  return value;
}

function shareOption(input: SyntheticOptionsInput, name: keyof SyntheticOptions, maxExclusive = false): number {
  const value = read(input, name);
  if (typeof value !== "number")
    throw new SyntheticOptionsError("wrong_type", name, `expected a number, got ${describe(value)}`);
  const inRange = Number.isFinite(value) && value >= 0 && (maxExclusive ? value < 1 : value <= 1);
  if (!inRange)
    throw new SyntheticOptionsError(
      "out_of_range",
      name,
      `expected a share in [0, 1${maxExclusive ? ")" : "]"}, got ${value}`,
    );
  return value;
}

function seedOption(input: SyntheticOptionsInput): string {
  const value = read(input, "seed");
  if (typeof value === "number") {
    if (!Number.isFinite(value))
      throw new SyntheticOptionsError("out_of_range", "seed", `a numeric seed must be finite, got ${value}`);
    return String(value);
  }
  if (typeof value !== "string")
    throw new SyntheticOptionsError("wrong_type", "seed", `expected a number or a string, got ${describe(value)}`);
  if (value.length === 0 || value.length > 256)
    throw new SyntheticOptionsError("out_of_range", "seed", "a string seed must hold 1 to 256 characters");
  return value;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value;
}

/**
 * Fills defaults and validates every knob. Throws {@link SyntheticOptionsError} naming the first bad
 * option; unknown option names are refused so that a typo cannot silently fall back to a default.
 */
export function resolveSyntheticOptions(input: SyntheticOptionsInput = {}): SyntheticOptions {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new SyntheticOptionsError("wrong_type", undefined, "synthetic options must be an object");
  }
  for (const key of Object.keys(input)) {
    if (!(OPTION_NAMES as string[]).includes(key)) {
      throw new SyntheticOptionsError(
        "unknown_field",
        key,
        `unknown option; known options: ${OPTION_NAMES.join(", ")}`,
      );
    }
  }
  const seed = seedOption(input);
  const instanceCount = integerOption(input, "instanceCount", 1, 100_000);
  const chunkCount = integerOption(input, "chunkCount", 1, SYNTHETIC_MAX_STATEMENTS);
  const factsPerChunk = integerOption(input, "factsPerChunk", 1, SYNTHETIC_MAX_STATEMENTS);
  const questionsPerChunk = integerOption(input, "questionsPerChunk", 1, SYNTHETIC_MAX_STATEMENTS);
  const changedShare = shareOption(input, "changedShare");
  const distractorShare = shareOption(input, "distractorShare", true);
  const paraphraseShare = shareOption(input, "paraphraseShare");

  if (chunkCount * factsPerChunk > SYNTHETIC_MAX_STATEMENTS) {
    throw new SyntheticOptionsError(
      "out_of_range",
      "factsPerChunk",
      `chunkCount × factsPerChunk = ${chunkCount * factsPerChunk} sentences exceeds ${SYNTHETIC_MAX_STATEMENTS} per instance`,
    );
  }
  // Each of a chunk's K questions asks about a different fact of that chunk.
  if (questionsPerChunk > factsPerChunk) {
    throw new SyntheticOptionsError(
      "inconsistent",
      "questionsPerChunk",
      `${questionsPerChunk} questions per chunk need at least as many facts per chunk (factsPerChunk is ${factsPerChunk})`,
    );
  }
  // A change is restated in a chunk after the one that first stated the fact.
  if (changedShare > 0 && chunkCount < 2) {
    throw new SyntheticOptionsError(
      "inconsistent",
      "changedShare",
      "changed facts need chunkCount ≥ 2 (set changedShare to 0 for one chunk)",
    );
  }
  return Object.freeze({
    seed,
    instanceCount,
    chunkCount,
    factsPerChunk,
    questionsPerChunk,
    changedShare,
    distractorShare,
    paraphraseShare,
  });
}

/**
 * The options that shape one instance, as canonical JSON (sorted keys, the generator version
 * included). `instanceCount` is left out: instance `i` is the same whatever the count, so its id and
 * provenance must not change with it. Recorded as `source.file`, so an instance can be regenerated
 * from its provenance alone (with `source.row` as the index).
 */
export function canonicalInstanceOptionsJson(options: SyntheticOptions): string {
  return JSON.stringify({
    changedShare: options.changedShare,
    chunkCount: options.chunkCount,
    distractorShare: options.distractorShare,
    factsPerChunk: options.factsPerChunk,
    generatorVersion: SYNTHETIC_GENERATOR_VERSION,
    paraphraseShare: options.paraphraseShare,
    questionsPerChunk: options.questionsPerChunk,
    seed: options.seed,
  });
}
