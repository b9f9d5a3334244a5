/**
 * The LLM judge for the sources Mem-α scores by asking a model (lme_train, `longmemeval_s*`). The
 * prompt is this project's own (docs/method.md §17: judge prompts are written here, never copied), is
 * versioned, and is identified in every result by its sha256, so a judged figure always says which
 * model judged it with which prompt. The verdict rule is Mem-α's: correct iff the lowercased reply
 * contains "yes" and does not contain "no" — as substrings, so "I do not know, yes" is NOT correct.
 */
import { createHash } from "node:crypto";
import type { CallOptions, Gold, LanguageModel, MetricResult, SamplingOptions } from "@finemem/spec";
import { JudgeRequiredError } from "./metric-errors.js";

/** Bumped whenever the template's wording changes; recorded figures name it through the hash. */
export const JUDGE_PROMPT_VERSION = "finemem-judge-v1";

/** The judge prompt. `{question}`, `{reference}` and `{response}` are filled in by {@link buildJudgePrompt}. */
export const JUDGE_PROMPT_TEMPLATE = [
  "You are grading one answer given by an assistant that keeps a long-term memory of its user.",
  "",
  "Question asked:",
  "{question}",
  "",
  "Reference (what a good answer must get right about the user):",
  "{reference}",
  "",
  "Assistant's answer:",
  "{response}",
  "",
  "Grade the answer as correct when it uses the user's personal details the way the reference",
  "requires. It may be worded differently and need not cover every point of the reference, but it",
  "must not contradict the reference or get the user's facts wrong.",
  "Reply with the single word yes (correct) or the single word no (incorrect).",
].join("\n");

/** sha256 (hex) of the version tag and the template: the identity of the prompt in every judged result. */
export const JUDGE_PROMPT_HASH = createHash("sha256")
  .update(`${JUDGE_PROMPT_VERSION}\n${JUDGE_PROMPT_TEMPLATE}`, "utf8")
  .digest("hex");

/** What the judge is shown. */
export interface JudgeInput {
  readonly question?: string;
  readonly gold: Gold;
  /** The answer to grade (after Mem-α's `</think>` rule). */
  readonly prediction: string;
}

/** Judge settings. Temperature 0 by default so a rerun asks the same question the same way. */
export interface JudgeOptions extends CallOptions {
  readonly sampling?: SamplingOptions;
}

const DEFAULT_SAMPLING: SamplingOptions = { temperature: 0 };

/** Fills the template. A list gold is shown one accepted answer per line. */
export function buildJudgePrompt({ question, gold, prediction }: JudgeInput): string {
  const reference = typeof gold === "string" ? gold : gold.map((item) => `- ${item}`).join("\n");
  // One pass over the placeholders, so braces inside the filled-in texts are never re-expanded.
  const values: Record<string, string> = {
    question: question ?? "(the question was not recorded)",
    reference,
    response: prediction,
  };
  return JUDGE_PROMPT_TEMPLATE.replace(/\{(question|reference|response)\}/g, (_match, name: string) => values[name]!);
}

/** Mem-α's verdict rule: the lowercased reply contains "yes" and does not contain "no" (substrings). */
export function isJudgeVerdictCorrect(reply: string): boolean {
  const text = reply.toLowerCase();
  return text.includes("yes") && !text.includes("no");
}

/**
 * Asks `judge` whether `prediction` answers correctly; score 1 or 0, with the judging model and the
 * prompt hash in `judge`. The model id is the one the backend reports, else the configured one.
 *
 * @throws {JudgeRequiredError} when `judge` is undefined
 */
export async function judgeAnswer(
  input: JudgeInput & { readonly dataSource: string },
  judge: LanguageModel | undefined,
  options: JudgeOptions = {},
): Promise<MetricResult> {
  if (judge === undefined) throw new JudgeRequiredError(input.dataSource);
  const response = await judge.generate(
    { messages: [{ role: "user", content: buildJudgePrompt(input) }], sampling: options.sampling ?? DEFAULT_SAMPLING },
    options.signal === undefined ? {} : { signal: options.signal },
  );
  const correct = isJudgeVerdictCorrect(response.text);
  return {
    score: correct ? 1 : 0,
    judge: { modelId: response.modelId ?? judge.modelId, promptHash: JUDGE_PROMPT_HASH, ownPrompt: true },
  };
}
