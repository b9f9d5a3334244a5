import { describe, expect, it } from "vitest";
import { EMPTY_RECALL_PROMPT, RECALL_PROMPT_HEADER, renderRecallPrompt } from "./recall-prompt.js";

describe("renderRecallPrompt", () => {
  it("numbers notes best first and indents a note's continuation lines under it", () => {
    expect(renderRecallPrompt(["first", "two\nlines"])).toBe(`${RECALL_PROMPT_HEADER}\n[1] first\n[2] two\n    lines`);
  });

  it("trims each note before numbering it", () => {
    expect(renderRecallPrompt(["  padded \n"])).toBe(`${RECALL_PROMPT_HEADER}\n[1] padded`);
  });

  it("says so when there is nothing to recall", () => {
    expect(renderRecallPrompt([])).toBe(EMPTY_RECALL_PROMPT);
  });
});
