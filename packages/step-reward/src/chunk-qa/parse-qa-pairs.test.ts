import { describe, expect, it } from "vitest";
import { parseQaPairs } from "./parse-qa-pairs.js";

const PAIRS = [
  { question: "Who founded Acme?", answer: "Ada Park" },
  { question: "In which year was Acme founded?", answer: "1987" },
];
const JSON_REPLY = JSON.stringify({ pairs: PAIRS });

describe("parseQaPairs", () => {
  it.each([
    ["plain JSON", JSON_REPLY],
    ["a json code fence with prose around it", `Here are the pairs:\n\`\`\`json\n${JSON_REPLY}\n\`\`\`\nHope this helps.`],
    ["prose before and after bare JSON", `Sure! ${JSON_REPLY} Let me know.`],
    ["a bare array", JSON.stringify(PAIRS)],
    ["a </think> prefix", `<think>The passage says {"pairs": []} maybe.</think>\n${JSON_REPLY}`],
    ["trailing commas", '{"pairs": [{"question": "Who founded Acme?", "answer": "Ada Park",}, {"question": "In which year was Acme founded?", "answer": "1987"},],}'],
    ["another wrapping key", JSON.stringify({ result: { pairs: PAIRS } })],
    ["capitalised keys and a numeric answer", '{"Pairs": [{"Question": "Who founded Acme?", "Answer": "Ada Park"}, {"question": "In which year was Acme founded?", "answer": 1987}]}'],
  ])("reads %s", (_name, reply) => {
    const parsed = parseQaPairs(reply);
    expect(parsed.problem).toBeNull();
    expect(parsed.pairs).toEqual(PAIRS);
  });

  it("salvages the whole pairs of a reply cut off mid-list", () => {
    const parsed = parseQaPairs(`${JSON_REPLY.slice(0, -2)}, {"question": "Where is Ac`);
    expect(parsed).toMatchObject({ problem: null, salvaged: true, pairs: PAIRS });
  });

  it("salvages pair objects written one after another without a list", () => {
    const parsed = parseQaPairs(PAIRS.map((pair, i) => `${i + 1}. ${JSON.stringify(pair)}`).join("\n"));
    expect(parsed).toMatchObject({ problem: null, salvaged: true, pairs: PAIRS });
  });

  it("accepts an empty list: a chunk with nothing to ask about is not a malformed reply", () => {
    expect(parseQaPairs('{"pairs": []}')).toEqual({ pairs: [], dropped: [], problem: null, salvaged: false });
  });

  it.each([
    ["", "empty_reply"],
    ["<think>still thinking</think>   ", "empty_reply"],
    ['<think>maybe {"pairs": [{"question": "Who?", "answer": "Ada"}]}', "empty_reply"],
    ["I cannot help with that.", "no_json"],
    ['{"pairs": [{"question": "Who', "invalid_json"],
    ['{"answers": ["Ada Park"]}', "wrong_shape"],
    ['{"pairs": "none"}', "wrong_shape"],
    ["42", "wrong_shape"],
  ])("reports %j as %s without throwing", (reply, kind) => {
    const parsed = parseQaPairs(reply);
    expect(parsed.pairs).toEqual([]);
    expect(parsed.problem?.kind).toBe(kind);
  });

  it("never throws on garbage", () => {
    for (const reply of ["{{{{", "]]]", '"\\', "{".repeat(5000), '```json\n{"pairs": [', "\u0000\uffff", "[1, 2, 3]"]) {
      expect(() => parseQaPairs(reply)).not.toThrow();
    }
  });

  it("drops empty, over-long and unusable pairs, naming each one's reason", () => {
    const reply = JSON.stringify({
      pairs: [
        { question: "  ", answer: "x" },
        { question: "Who?", answer: "" },
        { question: "q".repeat(31), answer: "a" },
        { question: "Which city?", answer: "a".repeat(11) },
        { question: "What is it?", answer: "The!" },
        { question: "Is it known?", answer: "Unknown" },
        "not a pair",
        { question: "  Who founded Acme? ", answer: " Ada Park " },
      ],
    });
    const parsed = parseQaPairs(reply, { maxQuestionChars: 30, maxAnswerChars: 10 });
    expect(parsed.pairs).toEqual([{ question: "Who founded Acme?", answer: "Ada Park" }]);
    expect(parsed.dropped.map((drop) => drop.reason)).toEqual([
      "empty_question",
      "empty_answer",
      "question_too_long",
      "answer_too_long",
      "unusable_answer",
      "unusable_answer",
      "not_a_pair",
    ]);
  });

  it("bounds questions at 300 and answers at 100 characters by default", () => {
    const reply = JSON.stringify([
      { question: "q".repeat(300), answer: "a".repeat(100) },
      { question: "q".repeat(301), answer: "a" },
      { question: "q", answer: "a".repeat(101) },
    ]);
    expect(parseQaPairs(reply).pairs).toHaveLength(1);
  });
});
