/**
 * Instructions put before a question, by data source. The metrics decide what a right answer looks
 * like (a `\boxed{label}` for classification, a short span for QA, keywords for summaries), so the
 * reader is told. The wording is this project's own; `questionPrefixFor` matches exact names first,
 * then the prefixes of families (`icl_`, `infbench_sum`).
 */
const BOXED_LABEL =
  "The memory holds labelled examples and the rules behind the labels. Decide which label the input below belongs to, and give the final prediction as \\boxed{label}, where the label is a single number.";
const SUMMARY =
  "The memory holds notes on a long text, including a running summary in the core memory. Use them to fulfil the request.";
const SHORT_ANSWER =
  "The text has been stored in the memory. Answer as briefly as possible: give only the answer, with no other words.";

export const QUESTION_PREFIXES: Readonly<Record<string, string>> = {
  "pubmed-rct": BOXED_LABEL,
  ttl_train: BOXED_LABEL,
  test_time_learning: BOXED_LABEL,
  booksum: SUMMARY,
  long_range_understanding: SUMMARY,
  infbench_qa_eng_shots2: SHORT_ANSWER,
};

const FAMILY_PREFIXES: readonly (readonly [string, string])[] = [
  ["icl_", BOXED_LABEL],
  ["infbench_sum", SUMMARY],
];

/** The instruction for a data source, `undefined` when its questions need none. */
export function questionPrefixFor(
  dataSource: string | undefined,
  overrides?: Readonly<Record<string, string | null>>,
): string | undefined {
  if (dataSource === undefined) return undefined;
  if (overrides !== undefined && Object.hasOwn(overrides, dataSource)) return overrides[dataSource] ?? undefined;
  if (Object.hasOwn(QUESTION_PREFIXES, dataSource)) return QUESTION_PREFIXES[dataSource];
  return FAMILY_PREFIXES.find(([prefix]) => dataSource.startsWith(prefix))?.[1];
}
