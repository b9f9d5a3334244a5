/**
 * MemoryAgentBench's scorer (`utils/eval_other_utils.py`), ported so that every figure equals the
 * original's: normalisation, exact / substring match, token F1, the max over golds, `parse_output`,
 * `calculate_metrics` (with ROUGE) and the per-sub-dataset `post_process` router. Mem-α's
 * `memalpha/llm_agent/metrics.py` is a near copy and reuses these functions.
 *
 * Golds are typed as JSON values because the datasets and the original accept more than strings
 * (nested lists, numbers), and the original's behaviour on each shape — including where it raises —
 * is part of what is ported. Where it raises, these functions throw {@link MetricInputError}.
 */
import type { JsonValue } from "@finemem/spec";
import { MetricInputError, UnsupportedMetricError } from "./metric-errors.js";
import { ASCII_PUNCTUATION, isJsonArray, PY_WORD_CLASS, pyLower, pySplit, pyStrip, pyTypeName } from "./python-text.js";
import { rougeLScores } from "./rouge.js";

/** A figure as the original returns it: a bool for the match metrics, a number for F1, ROUGE and recalls. */
export type MetricValue = boolean | number;

/** Metric name → value, in the original dict's key order (which `post_process` outputs keep). */
export type MetricsDict = { [name: string]: MetricValue };

/** `calculate_metrics`'s figures, in its key order. */
export interface CalculatedMetrics extends MetricsDict {
  exact_match: boolean;
  f1: number;
  substring_exact_match: boolean;
  rougeL_f1: number;
  rougeL_recall: number;
  rougeLsum_f1: number;
  rougeLsum_recall: number;
}

/** A per-gold metric as `drqa_metric_max_over_ground_truths` takes it. */
export type GoldMetric<T extends MetricValue> = (prediction: string, groundTruth: string) => T;

const PUNCTUATION = new Set(Array.from(ASCII_PUNCTUATION));
// Python `re.sub(r'\b(a|an|the)\b', ' ', text)`: the article must not touch a Unicode word character
// on either side (JS `\b` would treat "é" as a boundary and eat the "a" of "aé").
const ARTICLE = new RegExp(`(?<![${PY_WORD_CLASS}])(?:a|an|the)(?![${PY_WORD_CLASS}])`, "gu");
const SPECIAL_ANSWERS = new Set(["yes", "no", "noanswer"]);

/** `normalize_answer`: lowercase, drop ASCII punctuation, drop the whole words a/an/the, collapse whitespace. */
export function normalizeAnswer(text: string): string {
  let out = "";
  for (const ch of pyLower(text)) if (!PUNCTUATION.has(ch)) out += ch;
  return pySplit(out.replace(ARTICLE, " ")).join(" ");
}

/** `drqa_exact_match_score`: the normalised texts are equal. */
export function drqaExactMatchScore(prediction: string, groundTruth: string): boolean {
  return normalizeAnswer(prediction) === normalizeAnswer(groundTruth);
}

/** `substring_exact_match_score`: the normalised gold occurs in the normalised prediction (an empty gold always does). */
export function substringExactMatchScore(prediction: string, groundTruth: string): boolean {
  return normalizeAnswer(prediction).includes(normalizeAnswer(groundTruth));
}

/**
 * `f1_score`: token F1 of the normalised texts as [f1, precision, recall]; all zero when either side
 * is yes / no / noanswer and they differ, or when no token is shared.
 */
export function f1Score(prediction: string, groundTruth: string): [number, number, number] {
  const normalizedPrediction = normalizeAnswer(prediction);
  const normalizedGold = normalizeAnswer(groundTruth);
  if (
    (SPECIAL_ANSWERS.has(normalizedPrediction) || SPECIAL_ANSWERS.has(normalizedGold)) &&
    normalizedPrediction !== normalizedGold
  ) {
    return [0, 0, 0];
  }
  const predictionTokens = pySplit(normalizedPrediction);
  const goldTokens = pySplit(normalizedGold);
  // Counter(prediction) & Counter(gold): each token counts min(times in prediction, times in gold).
  const goldCounts = new Map<string, number>();
  for (const token of goldTokens) goldCounts.set(token, (goldCounts.get(token) ?? 0) + 1);
  let common = 0;
  for (const token of predictionTokens) {
    const left = goldCounts.get(token) ?? 0;
    if (left > 0) {
      common += 1;
      goldCounts.set(token, left - 1);
    }
  }
  if (common === 0) return [0, 0, 0];
  const precision = common / predictionTokens.length;
  const recall = common / goldTokens.length;
  return [(2 * precision * recall) / (precision + recall), precision, recall];
}

/**
 * The golds a metric is maximised over, as the original flattens them: a string is one gold; a list
 * whose first element is a list is flattened one level; any other list is taken as is.
 */
export function flattenGroundTruths(groundTruths: JsonValue): JsonValue[] {
  if (typeof groundTruths === "string") return [groundTruths];
  if (!isJsonArray(groundTruths)) {
    throw new MetricInputError(
      "wrong_type",
      pythonIterationError(groundTruths),
      `golds must be a string or a list, not ${pyTypeName(groundTruths)}`,
    );
  }
  const first = groundTruths[0];
  if (first !== undefined && isJsonArray(first)) return groundTruths.flatMap((sublist) => pyIterate(sublist));
  return [...groundTruths];
}

/**
 * `drqa_metric_max_over_ground_truths`: the metric's maximum over the golds. Like Python's `max`, the
 * first of equal maxima is returned, so a bool stays a bool.
 */
export function drqaMetricMaxOverGroundTruths<T extends MetricValue>(
  metric: GoldMetric<T>,
  prediction: string,
  groundTruths: JsonValue,
): T {
  const golds = flattenGroundTruths(groundTruths);
  if (golds.length === 0) {
    throw new MetricInputError(
      "empty_ground_truths",
      "ValueError: max() arg is an empty sequence",
      "no gold answer to score against",
    );
  }
  let best: T | undefined;
  for (const gold of golds) {
    const value = metric(prediction, requireString(gold, "lower"));
    if (best === undefined || pyGreater(value, best)) best = value;
  }
  return best!;
}

// The original's first pattern: the text after the first "Answer:" (any case) up to the newline.
// Python's `.` stops only at "\n" (JS `.` also stops at "\r", "\u2028", "\u2029"), hence [^\n].
// The `u` flag makes case-insensitive matching use Unicode simple case folding, as Python's does.
const AFTER_PREFIX = /Answer:([^\n]*)/iu;
const FIRST_LINE = /^[^\n]*/u;
const REPEATED_PREFIX = /^Answer:/iu;

/**
 * `parse_output` with its default prefix `Answer:`: the text after the first "Answer:" (any case) up
 * to the end of that line, else the first line; stripped, with one repeated leading "Answer:"
 * removed. The original's `None` branch cannot be reached (the first-line pattern always matches).
 */
export function parseOutput(outputText: string): string {
  const match = AFTER_PREFIX.exec(outputText);
  const extracted = match === null ? FIRST_LINE.exec(outputText)![0] : match[1]!;
  return pyStrip(pyStrip(extracted).replace(REPEATED_PREFIX, ""));
}

/**
 * `calculate_metrics`: exact match, token F1 and substring match (each the max over golds), then
 * ROUGE-L and ROUGE-Lsum F-measure and recall (each maximised separately over golds).
 */
export function calculateMetrics(prediction: string, groundTruths: JsonValue): CalculatedMetrics {
  const exactMatch = drqaMetricMaxOverGroundTruths(drqaExactMatchScore, prediction, groundTruths);
  const f1 = drqaMetricMaxOverGroundTruths((p, g) => f1Score(p, g)[0], prediction, groundTruths);
  const substring = drqaMetricMaxOverGroundTruths(substringExactMatchScore, prediction, groundTruths);
  const scores = flattenGroundTruths(groundTruths).map((gold) =>
    rougeLScores(requireString(gold, "lower"), prediction),
  );
  const best = (pick: (score: (typeof scores)[number]) => number) => scores.map(pick).reduce((a, b) => Math.max(a, b));
  return {
    exact_match: exactMatch,
    f1,
    substring_exact_match: substring,
    rougeL_f1: best((s) => s.rougeL.fmeasure),
    rougeL_recall: best((s) => s.rougeL.recall),
    rougeLsum_f1: best((s) => s.rougeLsum.fmeasure),
    rougeLsum_recall: best((s) => s.rougeLsum.recall),
  };
}

/** What `default_post_process` returns: the figures and the parsed output. */
export interface DefaultPostProcessResult {
  readonly metrics: MetricsDict;
  readonly parsedOutput: string;
}

/** `default_post_process`: every figure is the max of the raw output's and the parsed output's. */
export function defaultPostProcess(output: string, answer: JsonValue): DefaultPostProcessResult {
  const raw = calculateMetrics(output, answer);
  const parsedOutput = parseOutput(output);
  const parsed = calculateMetrics(parsedOutput, answer);
  return { metrics: maxPerMetric(raw, parsed), parsedOutput };
}

/** What `post_process` returns: the figures and the `info` dict (the parsed output). */
export interface PostProcessResult {
  readonly metrics: MetricsDict;
  readonly info: { readonly parsedOutput: string };
}

/**
 * `post_process`: routes on substrings of the sub-dataset name, in the original's order — `icl`,
 * `eventqa`, `infbench`/`longmemeval` (`choice_eng` special-cased), `ruler`/`mermory_merging` (sic;
 * `ruler_niah` special-cased), `recsys`, else `default_post_process`. Substring routing is the
 * original's: any name containing "icl" (say "article") takes the ICL route.
 *
 * @throws {UnsupportedMetricError} for `recsys` (ReDial Recall@k needs `entity2id.json` and edit distance)
 */
export function postProcess(subDataset: string, output: string, answer: JsonValue): PostProcessResult {
  if (subDataset.includes("icl")) {
    const parsedOutput = parseOutput(output);
    return { metrics: calculateMetrics(parsedOutput, answer), info: { parsedOutput } };
  }
  if (subDataset.includes("eventqa")) {
    // Recall is computed first, so an empty gold list fails on the division as in the original.
    const recall = shareFound(answer, output);
    const parsedOutput = parseOutput(output);
    const metrics: MetricsDict = { ...calculateMetrics(parsedOutput, answer), eventqa_recall: recall === 1 ? 1 : 0 };
    return { metrics, info: { parsedOutput } };
  }
  if (subDataset.includes("infbench") || subDataset.includes("longmemeval")) {
    if (subDataset.includes("choice_eng")) return choiceEng(output, answer);
    return fromDefault(defaultPostProcess(output, answer));
  }
  if (subDataset.includes("ruler") || subDataset.includes("mermory_merging")) {
    if (subDataset.includes("ruler_niah"))
      return { metrics: { ruler_recall: shareFound(answer, output) }, info: { parsedOutput: output } };
    return fromDefault(defaultPostProcess(output, answer));
  }
  if (subDataset.includes("recsys")) {
    throw new UnsupportedMetricError(
      "memoryagentbench",
      subDataset,
      "memoryagentbench:recsys",
      "ReDial Recall@k needs the entity2id.json movie table and edit-distance matching, which this port does not ship",
    );
  }
  return fromDefault(defaultPostProcess(output, answer));
}

function fromDefault({ metrics, parsedOutput }: DefaultPostProcessResult): PostProcessResult {
  return { metrics, info: { parsedOutput } };
}

/**
 * `_process_choice_eng_dataset`: the max over raw and parsed output of every figure but substring
 * match, which is replaced by "the option text (the gold's second element) occurs in the raw output,
 * case-insensitively" and, when true, also sets exact match.
 */
function choiceEng(output: string, answer: JsonValue): PostProcessResult {
  const withoutSubstring = ({ substring_exact_match: _dropped, ...rest }: CalculatedMetrics): MetricsDict => rest;
  const raw = withoutSubstring(calculateMetrics(output, answer));
  const parsedOutput = parseOutput(output);
  const metrics = maxPerMetric(raw, withoutSubstring(calculateMetrics(parsedOutput, answer)));
  const option = requireString(pyIndex(answer, 1), "lower");
  const substring = pyLower(output).includes(pyLower(option));
  metrics.substring_exact_match = substring;
  if (substring) metrics.exact_match = true;
  return { metrics, info: { parsedOutput } };
}

/** `{name: max(raw[name], parsed[name])}` in the raw dict's key order; Python's `max` keeps the first on ties. */
function maxPerMetric(raw: MetricsDict, parsed: MetricsDict): MetricsDict {
  const out: MetricsDict = {};
  for (const [name, value] of Object.entries(raw)) {
    const other = parsed[name]!;
    out[name] = pyGreater(other, value) ? other : value;
  }
  return out;
}

/**
 * `sum(el.lower() in prediction.lower() for el in answer) / len(answer)`: the share of gold elements
 * found in the raw prediction. Iterating a string gold yields its characters, as in Python.
 */
export function shareFound(answer: JsonValue, prediction: string): number {
  const elements = pyIterate(answer);
  if (elements.length === 0)
    throw new MetricInputError("zero_division", "ZeroDivisionError: division by zero", "the gold list is empty");
  const haystack = pyLower(prediction);
  let found = 0;
  for (const element of elements) if (haystack.includes(pyLower(requireString(element, "lower")))) found += 1;
  return found / elements.length;
}

/** Python's `a > b` for two figures (bools compare as 0 and 1). */
function pyGreater(a: MetricValue, b: MetricValue): boolean {
  return Number(a) > Number(b);
}

/** The elements `for x in value` visits: a string's characters (code points), a list's items, a dict's keys. */
export function pyIterate(value: JsonValue): JsonValue[] {
  if (typeof value === "string") return Array.from(value);
  if (isJsonArray(value)) return [...value];
  if (value !== null && typeof value === "object") return Object.keys(value);
  throw new MetricInputError(
    "wrong_type",
    pythonIterationError(value),
    `cannot iterate over a ${pyTypeName(value)} gold`,
  );
}

/** `value[index]` for a string (by code point) or a list. */
export function pyIndex(value: JsonValue, index: number): JsonValue {
  if (typeof value === "string" || isJsonArray(value)) {
    const items = typeof value === "string" ? Array.from(value) : value;
    const item = items[index];
    if (item === undefined) {
      const what = typeof value === "string" ? "string" : "list";
      throw new MetricInputError(
        "index_out_of_range",
        `IndexError: ${what} index out of range`,
        `the gold has no element ${index}`,
      );
    }
    return item;
  }
  throw new MetricInputError(
    "wrong_type",
    `TypeError: '${pyTypeName(value)}' object is not subscriptable`,
    `cannot index a ${pyTypeName(value)} gold`,
  );
}

/**
 * The value as a string, or the error Python raises when it calls the string method `method` on it
 * (`AttributeError: 'int' object has no attribute 'lower'`).
 */
export function requireString(value: JsonValue, method: string): string {
  if (typeof value === "string") return value;
  throw new MetricInputError(
    "wrong_type",
    `AttributeError: '${pyTypeName(value)}' object has no attribute '${method}'`,
    `a gold must be a string here, not ${pyTypeName(value)}`,
  );
}

function pythonIterationError(value: JsonValue): string {
  return `TypeError: '${pyTypeName(value)}' object is not iterable`;
}
