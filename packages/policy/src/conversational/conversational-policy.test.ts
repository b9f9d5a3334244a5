import type { MemoryItem, PolicyInput } from "@finemem/spec";
import { describe, expect, it } from "vitest";
import { transcriptTurns } from "./chat-transcript.js";
import { createConversationalPolicy } from "./conversational-policy.js";
import { restatementScore, statementKey } from "./statement-key.js";

function item(id: string, content: string, step = 1): MemoryItem {
  return { id, content, version: 1, createdStep: step, step, operationId: `op-${id}` };
}

function input(text: string, items: MemoryItem[] = [], step = 2): PolicyInput {
  return {
    step,
    chunk: { id: `chunk-${step}`, text },
    view: { layout: "flat", namespace: "default", step: step - 1, items },
  } as unknown as PolicyInput;
}

describe("reading a transcript", () => {
  it("splits role lines, keeps continuation lines and times, and reads plain text as one turn", () => {
    expect(transcriptTurns("[2026-05-04] user: I work at Corvex.\nassistant: Noted.\nIt is a fine firm.")).toEqual([
      { role: "user", at: "2026-05-04", content: "I work at Corvex." },
      { role: "assistant", at: null, content: "Noted.\nIt is a fine firm." },
    ]);
    expect(transcriptTurns("Ada lives in Lisbon. Bo lives in Oslo.")).toEqual([
      { role: null, at: null, content: "Ada lives in Lisbon. Bo lives in Oslo." },
    ]);
  });
});

describe("what a statement is about", () => {
  it("names its subjects: the speaker, the speaker's things, names after the first word", () => {
    expect([...statementKey("My sister Anna lives in Berlin.").subjects]).toEqual(["my sister", "anna", "berlin"]);
    expect([...statementKey("I take my coffee black.").subjects]).toEqual(["speaker", "my coffee"]);
    expect([...statementKey("Actually my dog is called Max now.").subjects]).toEqual(["my dog", "max"]);
  });

  it("scores a restatement by shared words, when the stored one lacks at most its old value", () => {
    const stored = statementKey("I live in Leeds.");
    // Worked by hand: both say "speaker"; stored terms {live, leeds}, restated {move, month, so?, live, york}:
    // shared {live} = 1, missing {leeds} = 1 ≤ max(1, ⌊2/2⌋) → 1.
    expect(restatementScore(stored, statementKey("I moved last month, so I live in York now."))).toBe(1);
    // Another subject: the sister's city is not the user's.
    expect(restatementScore(stored, statementKey("My sister Anna lives in Berlin."))).toBe(0);
    // Same speaker, another kind of fact: {live, leeds} vs {work, nurse}: nothing shared.
    expect(restatementScore(stored, statementKey("I work as a nurse."))).toBe(0);
    // A value of several words: {take, coffee, oat, milk} lacks {oat, milk} in the new one: 2 ≤ ⌊4/2⌋.
    expect(
      restatementScore(statementKey("I take my coffee with oat milk."), statementKey("Lately I take my coffee black.")),
    ).toBe(2);
    // {dog, call, rex} vs {partner, call, sam}: different subjects ("my dog" / "my partner").
    expect(restatementScore(statementKey("My dog is called Rex."), statementKey("My partner is called Sam."))).toBe(0);
  });
});

describe("the conversational policy", () => {
  const policy = createConversationalPolicy();

  it("stores what the user says without the role prefix, and not the assistant's replies or questions", async () => {
    const decision = await policy.decide(
      input("user: I am allergic to peanuts. Can you remember that?\nassistant: Of course, noted."),
    );
    expect(decision.operations).toEqual([{ type: "INSERT", content: "I am allergic to peanuts." }]);
  });

  it("keeps unrelated facts apart and updates a restated one", async () => {
    const view = [
      item("m1", "I am allergic to peanuts."),
      item("m2", "My dog is called Rex."),
      item("m3", "I work as a nurse in Leeds."),
    ];
    const decision = await policy.decide(
      input("user: Actually my dog is called Max now.\nuser: I love hiking.", view, 4),
    );
    expect(decision.operations).toEqual([
      { type: "UPDATE", id: "m2", content: "Actually my dog is called Max now." },
      { type: "INSERT", content: "I love hiking." },
    ]);
  });

  it("within one chunk, a restated fact replaces its first statement", async () => {
    const decision = await policy.decide(
      input("user: My dog is called Rex.\nuser: Sorry, my dog is called Max, not Rex."),
    );
    expect(decision.operations).toEqual([{ type: "INSERT", content: "Sorry, my dog is called Max, not Rex." }]);
  });

  it("keeps a turn's time with the fact, and matches restatements across times", async () => {
    const view = [item("m1", "[2026-05-04] I work at Corvex.")];
    const decision = await policy.decide(input("[2026-05-05] user: I now work at Brindle.", view));
    expect(decision.operations).toEqual([{ type: "UPDATE", id: "m1", content: "[2026-05-05] I now work at Brindle." }]);
  });

  it("reads every sentence of text without roles, leaves exact repeats alone, and skips a chunk with nothing new", async () => {
    const view = [item("m1", "Ada lives in Lisbon.")];
    expect((await policy.decide(input("Ada lives in Lisbon. Bo plays chess.", view))).operations).toEqual([
      { type: "INSERT", content: "Bo plays chess." },
    ]);
    expect((await policy.decide(input("user: Thanks!\nassistant: You are welcome.", view))).operations).toEqual([
      { type: "SKIP" },
    ]);
  });

  it("reads the roles it is given", async () => {
    const both = createConversationalPolicy({ roles: ["user", "Assistant"] });
    expect((await both.decide(input("assistant: Your flight leaves at nine."))).operations).toEqual([
      { type: "INSERT", content: "Your flight leaves at nine." },
    ]);
    expect(() => createConversationalPolicy({ roles: [""] })).toThrow(
      expect.objectContaining({ code: "invalid_option", path: ["roles"] }),
    );
  });
});
