/**
 * Mem-α's per-question scorer, `AgentResultsEvaluator._compute_score` (evaluate_agent_results.py),
 * with `evaluate_wrt_source` and `_extract_answer_from_response` from memalpha/llm_agent/metrics.py,
 * ported so that every score equals the original's (after `evaluate_agent_results` turns a bool into
 * 1.0 / 0.0). The LLM-judged sources are left to `llm-judge.ts`.
 */
import type { JsonValue } from "@finemem/spec";
import { defaultPostProcess, postProcess, pyIndex, requireString, shareFound } from "./memoryagentbench-scorer.js";
import { JudgeRequiredError, MetricInputError, UnsupportedMetricError } from "./metric-errors.js";
import { isJsonArray, isPyDecimalString, pyLower, pyStr, pyStrip, pyTypeName } from "./python-text.js";

// Mem-α's check is `"<think>" and "</think>" in prediction`, which Python reads as `"</think>" in
// prediction` (a non-empty string literal is truthy): a closing tag alone is enough.
const THINK_CLOSE = "</think>";
const THINK_OPEN = "<think>";

/**
 * Mem-α's reasoning-trace rule: keep the text between the first and the second `</think>` (stripped),
 * then, if a `<think>` is still there (an unfinished or second trace), the answer is "Empty".
 */
export function stripThinking(prediction: string): string {
  let text = prediction;
  if (text.includes(THINK_CLOSE)) text = pyStrip(text.split(THINK_CLOSE)[1]!);
  if (text.includes(THINK_OPEN)) text = "Empty";
  return text;
}

/** True for the sources Mem-α scores with an LLM judge: `lme_train`, and the literal name `longmemeval_s*`. */
export function isMemalphaJudgedSource(dataSource: string): boolean {
  // The original compares with ==, so only a source literally named "longmemeval_s*" is judged; a
  // real "longmemeval_s" falls through to evaluate_wrt_source's substring match.
  return dataSource === "lme_train" || dataSource === "longmemeval_s*";
}

// Pinned Mem-α (metrics.py last changed in ce690721): the first \boxed{…} without nested braces.
const BOXED = /\\boxed\{([^}]*)\}/u;

/**
 * `_extract_answer_from_response`: the stripped content of the first `\boxed{...}` that holds no
 * `}`, else the whole response stripped. `\boxed{\text{3}}` therefore yields `\text{3`.
 */
export function extractAnswerFromResponse(response: string): string {
  const match = BOXED.exec(response);
  return pyStrip(match === null ? response : match[1]!);
}

/**
 * `_compute_score(data_source, prediction, gold)` as a float in [0, 1].
 *
 * @throws {JudgeRequiredError} for the judged sources (see {@link isMemalphaJudgedSource})
 * @throws {MetricInputError} where the original raises (empty keyword list, dict gold without `text`, ruler_niah…)
 * @throws {UnsupportedMetricError} for recsys
 */
export function computeMemalphaScore(dataSource: string, prediction: string, gold: JsonValue): number {
  const text = stripThinking(prediction);

  if (dataSource === "booksum" || dataSource === "infbench_sum_eng_shots2") return keywordShare(text, gold);
  if (dataSource === "pubmed-rct" || dataSource.includes("icl")) return boxedDigitsMatch(text, gold);
  if (dataSource === "squad" || dataSource === "hotpotqa")
    return pyLower(text).includes(pyLower(containmentGold(gold))) ? 1 : 0;
  if (dataSource === "perltqa") return perltqaScore(text, gold);
  if (isMemalphaJudgedSource(dataSource)) throw new JudgeRequiredError(dataSource);
  return evaluateWrtSource(text, gold, dataSource);
}

/** booksum / infbench_sum: the share of gold keywords found case-insensitively; a string gold is split on ", ". */
function keywordShare(prediction: string, gold: JsonValue): number {
  // The same loop as MemoryAgentBench's recall: share of elements found, lowercased, in the prediction.
  return shareFound(isJsonArray(gold) ? gold : requireString(gold, "split").split(", "), prediction);
}

/**
 * pubmed-rct and icl_*: the extracted answer, stripped of quotes and whitespace, must be all Unicode
 * decimal digits (Python's `\d`, so "١٢" and "３" pass) and equal the gold as text, so "03" ≠ "3".
 */
function boxedDigitsMatch(prediction: string, gold: JsonValue): number {
  const extracted = pyStrip(pyStrip(extractAnswerFromResponse(prediction), "\"'"));
  // A list gold is replaced by its first element before the digit check, so [] raises even for a non-digit answer.
  const first = isJsonArray(gold) ? pyIndex(gold, 0) : gold;
  if (!isPyDecimalString(extracted)) return 0;
  return extracted === pyStrip(pyStrip(pyStr(first), "\"'")) ? 1 : 0;
}

/** squad / hotpotqa: the text whose containment is checked — a list's first element, a dict's `text`, else `str(gold)`. */
function containmentGold(gold: JsonValue): string {
  if (isJsonArray(gold)) return gold.length === 0 ? "" : pyStr(gold[0]!);
  if (gold !== null && typeof gold === "object") {
    const text = gold.text;
    if (text === undefined) {
      throw new MetricInputError(
        "dict_gold_without_text",
        "AttributeError: 'dict' object has no attribute 'lower'",
        "a dict gold needs a text key",
      );
    }
    return requireString(text, "lower");
  }
  return pyStr(gold);
}

/**
 * perltqa: a gold with ";" scores the share of its parts (lowercased and stripped) found in the
 * prediction AS GIVEN — the original lowercases the parts but not the prediction, so "Tennis" in the
 * prediction misses the part "tennis". A gold without ";" is a case-insensitive containment check.
 */
function perltqaScore(prediction: string, gold: JsonValue): number {
  if (typeof gold !== "string") {
    const error =
      isJsonArray(gold) || (gold !== null && typeof gold === "object")
        ? `AttributeError: '${pyTypeName(gold)}' object has no attribute '${pyContains(gold, ";") ? "split" : "lower"}'`
        : `TypeError: argument of type '${pyTypeName(gold)}' is not iterable`;
    throw new MetricInputError("wrong_type", error, `a perltqa gold must be a string, not ${pyTypeName(gold)}`);
  }
  if (!gold.includes(";")) return pyLower(prediction).includes(pyLower(gold)) ? 1 : 0;
  const parts = gold.split(";");
  let hits = 0;
  for (const part of parts) if (prediction.includes(pyStrip(pyLower(part)))) hits += 1;
  return hits / parts.length;
}

/** Python `needle in container` for a list (element equality) or a dict (key membership). */
function pyContains(container: readonly JsonValue[] | { readonly [key: string]: JsonValue }, needle: string): boolean {
  return isJsonArray(container) ? container.includes(needle) : Object.hasOwn(container, needle);
}

/**
 * `evaluate_wrt_source(output, answer, sub_dataset_name)`, Mem-α's route for the MemoryAgentBench
 * sources, as a float: icl_* → substring match of the parsed output; eventqa → EventQA recall;
 * infbench → ROUGE-L F1 (max over raw and parsed output); ruler → substring match (ruler_niah has
 * none: the original raises KeyError); recsys → unsupported; detectiveqa → the gold equals the
 * extracted answer (a list gold never equals a string); anything else → substring match (max over
 * raw and parsed output).
 */
export function evaluateWrtSource(prediction: string, answer: JsonValue, subDataset: string): number {
  if (subDataset.includes("icl")) return Number(postProcess("icl", prediction, answer).metrics.substring_exact_match);
  if (subDataset.includes("eventqa")) return Number(postProcess("eventqa", prediction, answer).metrics.eventqa_recall);
  if (subDataset.includes("infbench")) return Number(postProcess(subDataset, prediction, answer).metrics.rougeL_f1);
  if (subDataset.includes("ruler") || subDataset.includes("mermory_merging")) {
    if (subDataset.includes("ruler_niah")) {
      shareFound(answer, prediction); // the niah figure is still computed (and may raise) before the lookup fails
      throw new MetricInputError(
        "missing_key",
        "KeyError: 'substring_exact_match'",
        `Mem-α's ${subDataset} route yields only ruler_recall`,
      );
    }
    return Number(defaultPostProcess(prediction, answer).metrics.substring_exact_match);
  }
  if (subDataset.includes("recsys")) {
    throw new UnsupportedMetricError(
      "memalpha",
      subDataset,
      "memalpha:recsys",
      "ReDial Recall@5 needs the entity2id.json movie table and edit-distance matching, which this port does not ship",
    );
  }
  if (subDataset.includes("detectiveqa")) return answer === extractAnswerFromResponse(prediction) ? 1 : 0;
  return Number(defaultPostProcess(prediction, answer).metrics.substring_exact_match);
}
