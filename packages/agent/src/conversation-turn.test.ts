import { describe, expect, it } from "vitest";
import { type ConversationTurn, checkConversationTurn, renderConversationTurn } from "./conversation-turn.js";
import { MemoryManagerError } from "./memory-manager-error.js";

/** The error `checkConversationTurn` throws for `turn` (which the types would refuse: callers may be untyped). */
function rejection(turn: unknown): MemoryManagerError {
  try {
    checkConversationTurn(turn as ConversationTurn);
  } catch (error) {
    expect(error).toBeInstanceOf(MemoryManagerError);
    return error as MemoryManagerError;
  }
  throw new Error("expected a MemoryManagerError");
}

describe("checkConversationTurn", () => {
  it("trims role and at, and keeps content as it was said", () => {
    expect(checkConversationTurn({ role: " user ", content: "  hi  ", at: " 2026-05-04 " })).toEqual({
      role: "user",
      content: "  hi  ",
      at: "2026-05-04",
    });
    expect(checkConversationTurn({ role: "assistant", content: "ok" })).toEqual({ role: "assistant", content: "ok" });
  });

  it("refuses a turn that is not an object", () => {
    for (const turn of [null, undefined, "user: hi", 3]) {
      const error = rejection(turn);
      expect(error).toMatchObject({ code: "invalid_turn", path: [] });
      expect(error.message).toContain("must be an object");
    }
  });

  it("refuses a field of the wrong kind, naming the field and the value it got", () => {
    const cases: [unknown, string, string][] = [
      [{ role: 1, content: "hi" }, "role", "role must be one non-empty line of text, got 1"],
      [{ role: "   ", content: "hi" }, "role", 'got "   "'],
      [{ role: "user\r", content: "hi" }, "role", "role must be one non-empty line"],
      [{ role: "user", content: ["hi"] }, "content", 'content must hold something other than whitespace, got ["hi"]'],
      [{ role: "user", content: "\t" }, "content", 'got "\\t"'],
      [{ role: "user", content: "hi", at: 5 }, "at", "at must be one non-empty line of text when given, got 5"],
      [{ role: "user", content: "hi", at: "  " }, "at", 'got "  "'],
      [{ role: "user", content: "hi", at: "May\n4" }, "at", "at must be one non-empty line"],
    ];
    for (const [turn, field, message] of cases) {
      const error = rejection(turn);
      expect(error, JSON.stringify(turn)).toMatchObject({ code: "invalid_turn", path: [field] });
      expect(error.message).toContain(message);
    }
  });
});

describe("renderConversationTurn", () => {
  it("renders role: content, dated when the turn has an at, with the content trimmed", () => {
    expect(renderConversationTurn({ role: "user", content: "  I live in Paris.\n" })).toBe("user: I live in Paris.");
    expect(renderConversationTurn({ role: "user", content: "I live in Paris.", at: "2026-05-04" })).toBe(
      "[2026-05-04] user: I live in Paris.",
    );
  });
});
