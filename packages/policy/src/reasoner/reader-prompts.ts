import { versionedPromptHash } from "../prompts/prompt-text.js";

/**
 * The reasoning agent's prompt, versioned and hashed like the manager's. Items are numbered in the
 * prompt rather than shown by id, so a reader that cites refers to positions it can see, and ids
 * (which carry no meaning to the model) do not leak into answers.
 */
export interface ReaderPromptTemplate {
  readonly version: string;
  readonly system: string;
  /** Placeholders: `{prefix}` (the data source's instruction, or nothing), `{memory}`, `{question}`, `{cite}`. */
  readonly user: string;
  /** Filled into `{cite}` when citations are asked for. */
  readonly citeInstruction: string;
}

export const READER_PROMPT: ReaderPromptTemplate = {
  version: "finemem-reader-v1",
  system:
    "You answer questions about a long history using only the memory notes you are given. The notes are all you know about it. If they do not hold the answer, give your best short guess.",
  user: "{prefix}Memory notes:\n{memory}\n\nQuestion: {question}\n\nAnswer concisely.{cite}",
  citeInstruction:
    '\nThen, on a line of its own, write "Evidence:" followed by the numbers of the notes you used, for example "Evidence: [2, 5]".',
};

export function readerPromptHash(template: ReaderPromptTemplate): string {
  return versionedPromptHash(template.version, {
    version: template.version,
    system: template.system,
    user: template.user,
    cite: template.citeInstruction,
  });
}

const EVIDENCE_LINE = /^[ \t]*\**evidence\**[ \t]*:[ \t]*(.*)$/gim;

/**
 * Splits a cited reply into the answer and the note numbers it cites. The last "Evidence:" line wins;
 * numbers outside 1..count are dropped (a model may cite a note it was not shown). A reply without the
 * line cites nothing.
 */
export function splitCitations(
  reply: string,
  count: number,
): { readonly answer: string; readonly cited: readonly number[] } {
  let last: RegExpExecArray | undefined;
  for (const match of reply.matchAll(EVIDENCE_LINE)) last = match;
  if (last === undefined) return { answer: reply.trim(), cited: [] };
  const numbers = [...(last[1] ?? "").matchAll(/\d+/g)].map((match) => Number(match[0]));
  const cited = [...new Set(numbers.filter((number) => number >= 1 && number <= count))];
  const answer = (reply.slice(0, last.index) + reply.slice(last.index + last[0].length)).trim();
  return { answer, cited };
}
