import { FineMemError, type FineMemErrorOptions } from "@finemem/spec";

/**
 * Why a scorer input cannot be scored. Each kind is an input on which the original Python scorer
 * raises, so a port that returned a number instead would invent a score the original never gives:
 * - `empty_ground_truths`: no gold to take the maximum over (`ValueError: max() arg is an empty sequence`)
 * - `missing_key`: the route yields no such figure (`KeyError`, e.g. Mem-α asking ruler_niah for `substring_exact_match`)
 * - `zero_division`: a share over an empty list (`ZeroDivisionError: division by zero`)
 * - `dict_gold_without_text`: a dict gold without a `text` key (`AttributeError: 'dict' object has no attribute 'lower'`)
 * - `index_out_of_range`: a gold list too short for the element the rule reads (`IndexError`)
 * - `wrong_type`: a gold (or gold element) of a type the rule cannot handle (`AttributeError` / `TypeError`)
 */
export type MetricInputErrorKind =
  | "empty_ground_truths"
  | "missing_key"
  | "zero_division"
  | "dict_gold_without_text"
  | "index_out_of_range"
  | "wrong_type";

/** An input on which the original Python scorer raises; `pythonError` is what it raises, verbatim. */
export class MetricInputError extends FineMemError {
  readonly kind: MetricInputErrorKind;
  /** The exception the original raises on this input, as Python prints it (`ValueError: max() arg is an empty sequence`). */
  readonly pythonError: string;

  constructor(kind: MetricInputErrorKind, pythonError: string, detail: string, options: FineMemErrorOptions = {}) {
    super(kind, `${detail} (the original scorer raises ${pythonError})`, options);
    this.kind = kind;
    this.pythonError = pythonError;
  }
}

/**
 * A (protocol, data source) pair this port does not score. docs/method.md §17: a rule that is not
 * implemented is reported, never silently mapped to another rule.
 */
export class UnsupportedMetricError extends FineMemError {
  readonly protocol: string;
  readonly dataSource: string;
  /** The original rule that is not available, e.g. `memoryagentbench:recsys`. */
  readonly rule: string;

  constructor(protocol: string, dataSource: string, rule: string, reason: string, options: FineMemErrorOptions = {}) {
    super(
      "unsupported_metric",
      `no metric for ${protocol} data source "${dataSource}" (rule ${rule}): ${reason}`,
      options,
    );
    this.protocol = protocol;
    this.dataSource = dataSource;
    this.rule = rule;
  }
}

/** The data source is scored by an LLM judge, and none was given. */
export class JudgeRequiredError extends FineMemError {
  readonly dataSource: string;

  constructor(dataSource: string) {
    super("judge_required", `data source "${dataSource}" is scored by an LLM judge: pass a judge language model`);
    this.dataSource = dataSource;
  }
}

/** Rows that cannot be aggregated: a data source under two competencies, a repeated question, a score outside [0, 1]. */
export class AggregationInputError extends FineMemError {
  constructor(message: string, options: FineMemErrorOptions = {}) {
    super("inconsistent_rows", message, options);
  }
}
