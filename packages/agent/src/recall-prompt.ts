/** The first line of a recall prompt that found notes. */
export const RECALL_PROMPT_HEADER = "Notes from memory, most relevant first:";

/** The whole recall prompt when memory holds nothing relevant. */
export const EMPTY_RECALL_PROMPT = "Notes from memory: none.";

/**
 * The ready-to-paste block of numbered notes: `[1] …`, `[2] …`, best first. Continuation lines of a
 * multi-line note are indented under it so a reader never mistakes one for a note of its own.
 */
export function renderRecallPrompt(contents: readonly string[]): string {
  if (contents.length === 0) return EMPTY_RECALL_PROMPT;
  const notes = contents.map((content, index) => {
    const label = `[${index + 1}] `;
    return (
      label +
      content
        .trim()
        .split(/\r?\n/u)
        .join(`\n${" ".repeat(label.length)}`)
    );
  });
  return [RECALL_PROMPT_HEADER, ...notes].join("\n");
}
