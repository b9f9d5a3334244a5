// Every line of the shared goldens — outputs of the original Python scorers on hand-made and real
// inputs — must come out identical: numbers with ===, Python bools as booleans, dicts with the same
// keys in the same order, and a typed error naming the Python exception where the original raised.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { JsonValue } from "@finemem/spec";
import { checkService, probeSharedFile, sharedDir } from "@finemem/testing";
import { describe, expect, it } from "vitest";
import { computeMemalphaScore } from "./memalpha-scorer.js";
import {
  calculateMetrics,
  defaultPostProcess,
  drqaExactMatchScore,
  drqaMetricMaxOverGroundTruths,
  f1Score,
  type GoldMetric,
  type MetricValue,
  normalizeAnswer,
  parseOutput,
  postProcess,
  substringExactMatchScore,
} from "./memoryagentbench-scorer.js";
import { MetricInputError } from "./metric-errors.js";

const MAB_FILE = "goldens/metrics-memoryagentbench.jsonl";
const MEMALPHA_FILE = "goldens/metrics-memalpha.jsonl";

interface MabLine {
  readonly fn: string;
  readonly input: { readonly [key: string]: JsonValue };
  readonly output: JsonValue;
  readonly error?: string;
}

interface MemalphaLine {
  readonly data_source: string;
  readonly prediction: string;
  readonly gold: JsonValue;
  readonly score: number | null;
  readonly error?: string;
}

function readJsonl<T>(relativePath: string): T[] {
  return readFileSync(join(sharedDir(), relativePath), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as T);
}

const str = (value: JsonValue | undefined): string => {
  if (typeof value !== "string") throw new Error(`golden input is not a string: ${JSON.stringify(value)}`);
  return value;
};

const METRICS: Record<string, GoldMetric<MetricValue>> = {
  drqa_exact_match_score: drqaExactMatchScore,
  "f1_score[0]": (prediction, gold) => f1Score(prediction, gold)[0],
  substring_exact_match_score: substringExactMatchScore,
};

/** Runs the ported function a golden line names, returning a value shaped like the recorded output. */
function runMab({ fn, input }: MabLine): unknown {
  switch (fn) {
    case "normalize_answer":
      return normalizeAnswer(str(input.text));
    case "drqa_exact_match_score":
      return drqaExactMatchScore(str(input.prediction), str(input.ground_truth));
    case "substring_exact_match_score":
      return substringExactMatchScore(str(input.prediction), str(input.ground_truth));
    case "f1_score":
      return f1Score(str(input.prediction), str(input.ground_truth));
    case "parse_output":
      return parseOutput(str(input.output_text));
    case "drqa_metric_max_over_ground_truths": {
      const metric = METRICS[str(input.metric)];
      if (metric === undefined) throw new Error(`unknown metric ${String(input.metric)}`);
      return drqaMetricMaxOverGroundTruths(metric, str(input.prediction), input.ground_truths ?? null);
    }
    case "calculate_metrics":
      return calculateMetrics(str(input.prediction), input.ground_truths ?? null);
    case "post_process_default": {
      const { metrics, parsedOutput } = defaultPostProcess(str(input.output), input.answer ?? null);
      return { metrics, parsed_output: parsedOutput };
    }
    case "post_process": {
      const { metrics, info } = postProcess(str(input.sub_dataset), str(input.output), input.answer ?? null);
      return { metrics, info: { parsed_output: info.parsedOutput } };
    }
    default:
      throw new Error(`no port for ${fn}`);
  }
}

/** Key order matters (the original's dicts are ordered), so objects are compared through their entries. */
function ordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(ordered);
  if (value !== null && typeof value === "object")
    return Object.entries(value).map(([key, item]) => [key, ordered(item)]);
  return value;
}

function expectThrowsPython(run: () => unknown, pythonError: string): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(MetricInputError);
  expect((thrown as MetricInputError).pythonError).toBe(pythonError);
}

const shared = await checkService("shared", () => probeSharedFile(MAB_FILE) ?? probeSharedFile(MEMALPHA_FILE));

describe.skipIf(!shared.available)("MemoryAgentBench goldens", () => {
  const lines = shared.available ? readJsonl<MabLine>(MAB_FILE) : [];

  it("has all 327 lines", () => {
    expect(lines).toHaveLength(327);
  });

  it.each(lines.map((line, index) => [index + 1, line.fn, line] as const))("line %i (%s)", (_index, _fn, line) => {
    if (line.error !== undefined) {
      expectThrowsPython(() => runMab(line), line.error);
      return;
    }
    const actual = runMab(line);
    expect(actual).toEqual(line.output);
    expect(ordered(actual)).toEqual(ordered(line.output));
  });
});

describe.skipIf(!shared.available)("Mem-α goldens", () => {
  const lines = shared.available ? readJsonl<MemalphaLine>(MEMALPHA_FILE) : [];

  it("has all 195 lines", () => {
    expect(lines).toHaveLength(195);
  });

  it.each(lines.map((line, index) => [index + 1, line.data_source, line] as const))(
    "line %i (%s)",
    (_index, _source, line) => {
      const run = () => computeMemalphaScore(line.data_source, line.prediction, line.gold);
      if (line.error !== undefined) {
        expectThrowsPython(run, line.error);
        return;
      }
      expect(run()).toBe(line.score);
    },
  );
});
