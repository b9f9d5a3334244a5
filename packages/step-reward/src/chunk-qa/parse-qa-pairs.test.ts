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
    [
      "a json code fence with prose around it",
      `Here are the pairs:\n\`\`\`json\n${JSON_REPLY}\n\`\`\`\nHope this helps.`,
    ],
    ["prose before and after bare JSON", `Sure! ${JSON_REPLY} Let me know.`],
    ["a bare array", JSON.stringify(PAIRS)],
    ["a </think> prefix", `<think>The passage says {"pairs": []} maybe.</think>\n${JSON_REPLY}`],
    [
      "trailing commas",
      '{"pairs": [{"question": "Who founded Acme?", "answer": "Ada Park",}, {"question": "In which year was Acme founded?", "answer": "1987"},],}',
    ],
    ["another wrapping key", JSON.stringify({ result: { pairs: PAIRS } })],
    [
      "capitalised keys and a numeric answer",
      '{"Pairs": [{"Question": "Who founded Acme?", "Answer": "Ada Park"}, {"question": "In which year was Acme founded?", "answer": 1987}]}',
    ],
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
    for (const reply of [
      "{{{{",
      "]]]",
      '"\\',
      "{".repeat(5000),
      '```json\n{"pairs": [',
      "\u0000\uffff",
      "[1, 2, 3]",
      "null",
      "[x]",
      "{x}",
      "x {y} [z]",
      '{"pairs": null}',
      "[null]",
    ]) {
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

  it("reports each problem with a message and nothing else", () => {
    const failed = (kind: string, message: string) => ({
      pairs: [],
      dropped: [],
      problem: { kind, message },
      salvaged: false,
    });
    expect(parseQaPairs("<think>done</think>  ")).toEqual(
      failed("empty_reply", "the reply has no text after its thinking"),
    );
    expect(parseQaPairs("<think>let me see")).toEqual(
      failed("empty_reply", "the reply ends inside its thinking (raise maxTokens?)"),
    );
    expect(parseQaPairs("No JSON here.")).toEqual(failed("no_json", "the reply holds no JSON"));
    expect(parseQaPairs('{"pairs": [{"question": "Wh')).toEqual(
      failed("invalid_json", "the reply's JSON does not parse"),
    );
    expect(parseQaPairs('{"count": 2}')).toEqual(
      failed("wrong_shape", 'the JSON holds no list of {"question", "answer"} objects'),
    );
  });

  it("reads a second thinking block after a closed one as text, not as a reply cut off while thinking", () => {
    // Only the text after the last </think> counts: here '<think>{"pairs": []}', which holds an empty list.
    expect(parseQaPairs('<think>a</think>\n<think>{"pairs": []}')).toEqual({
      pairs: [],
      dropped: [],
      problem: null,
      salvaged: false,
    });
  });

  it("reads a lone pair object as a list of one", () => {
    expect(parseQaPairs('{"question": "Who founded Acme?", "answer": "Ada Park"}')).toEqual({
      pairs: [PAIRS[0]],
      dropped: [],
      problem: null,
      salvaged: false,
    });
  });

  it("prefers the list of a wrapper over the wrapper itself, even when it looks like a pair", () => {
    const reply = JSON.stringify({ question: "Who?", answer: "Ada", pairs: PAIRS });
    expect(parseQaPairs(reply)).toMatchObject({ pairs: PAIRS, salvaged: false });
  });

  it("finds a bare array, or a wrapped list, inside prose without salvaging", () => {
    expect(parseQaPairs(`Here you go: ${JSON.stringify(PAIRS)} Thanks!`)).toEqual({
      pairs: PAIRS,
      dropped: [],
      problem: null,
      salvaged: false,
    });
    expect(parseQaPairs(`Sure! ${JSON_REPLY} Let me know.`)).toEqual({
      pairs: PAIRS,
      dropped: [],
      problem: null,
      salvaged: false,
    });
    // JSON that holds no pairs before the list is passed over.
    expect(parseQaPairs(`Scores [1, 2] and {"note": "x"}, then ${JSON_REPLY}`)).toEqual({
      pairs: PAIRS,
      dropped: [],
      problem: null,
      salvaged: false,
    });
    // Nested deeper than one level of wrapping: found by scanning the brackets, not salvaged.
    expect(parseQaPairs(JSON.stringify({ response: { data: { pairs: PAIRS } } }))).toEqual({
      pairs: PAIRS,
      dropped: [],
      problem: null,
      salvaged: false,
    });
  });

  it("looks one level into a wrapper, at the first non-empty list, before scanning brackets", () => {
    const deeper = [{ question: "Deeper?", answer: "yes" }];
    // "meta" holds a list two levels down (too deep for the wrapper rule), "empty" holds none:
    // the list under "result" is the one read.
    const reply = JSON.stringify({ meta: { inner: deeper }, empty: [], result: PAIRS });
    expect(parseQaPairs(reply)).toEqual({ pairs: PAIRS, dropped: [], problem: null, salvaged: false });
  });

  it("an empty bare array is an empty list", () => {
    expect(parseQaPairs("[]")).toEqual({ pairs: [], dropped: [], problem: null, salvaged: false });
  });

  it("keeps a list whose entries are all unusable, and drops them one by one", () => {
    // Under "pairs" any list counts; a bare array needs one pair-like entry.
    expect(parseQaPairs('Result: {"pairs": ["junk"]} end')).toEqual({
      pairs: [],
      dropped: [{ index: 0, reason: "not_a_pair" }],
      problem: null,
      salvaged: false,
    });
    expect(parseQaPairs('Result: {"pairs": [{"question": "Who?"}]} end')).toMatchObject({
      pairs: [],
      dropped: [{ index: 0, reason: "empty_answer" }],
      problem: null,
    });
    expect(parseQaPairs(JSON.stringify([PAIRS[0], "junk"]))).toEqual({
      pairs: [PAIRS[0]],
      dropped: [{ index: 1, reason: "not_a_pair" }],
      problem: null,
      salvaged: false,
    });
    expect(parseQaPairs(JSON.stringify([null, PAIRS[0]]))).toMatchObject({
      pairs: [PAIRS[0]],
      dropped: [{ index: 0, reason: "not_a_pair" }],
    });
  });

  it("does not take an array of half pairs for a list", () => {
    expect(parseQaPairs('[{"question": "Who?"}]').problem?.kind).toBe("wrong_shape");
    expect(parseQaPairs('[{"answer": "Ada"}]').problem?.kind).toBe("wrong_shape");
  });

  it("reads numbers and booleans as written, and refuses other non-string fields", () => {
    const parsed = parseQaPairs(
      '{"pairs": [{"question": "Is it open?", "answer": true}, {"question": null, "answer": "x"}, {"question": "How big?", "answer": 1e999}, {"question": "Who?", "answer": {"name": "Ada"}}, {"question": "What?", "answer": null}]}',
    );
    expect(parsed.pairs).toEqual([{ question: "Is it open?", answer: "true" }]);
    // 1e999 parses as Infinity: not a number as written.
    expect(parsed.dropped).toEqual([
      { index: 1, reason: "empty_question" },
      { index: 2, reason: "empty_answer" },
      { index: 3, reason: "empty_answer" },
      { index: 4, reason: "empty_answer" },
    ]);
  });

  it("prefers a field spelled exactly over one in another case", () => {
    expect(parseQaPairs('[{"Question": "Upper?", "question": "Lower?", "answer": "Ada"}]').pairs).toEqual([
      { question: "Lower?", answer: "Ada" },
    ]);
  });

  it("salvages pair objects however far into the reply they start", () => {
    const prose = "The passage is long, so here is a careful reading of it before the pairs. ".repeat(4);
    const parsed = parseQaPairs(`${prose}${JSON.stringify(PAIRS[0])} and ${JSON.stringify(PAIRS[1])}`);
    expect(parsed).toEqual({ pairs: PAIRS, dropped: [], problem: null, salvaged: true });
  });

  it("tries the first 200 brackets only, in the bracket scan and in salvaging", () => {
    // 200 bracketed bits that do not parse use up the scan, so the list after them is not read as a
    // list; salvaging (which tries only "{") still finds its one pair object.
    const listAfter = parseQaPairs(`${"[x] ".repeat(200)}{"pairs": [{"question": "Who?", "answer": "Ada"}]}`);
    expect(listAfter).toEqual({
      pairs: [{ question: "Who?", answer: "Ada" }],
      dropped: [],
      problem: null,
      salvaged: true,
    });
    // 199 of them leave the list as the 200th start: read as a list.
    const listAt200 = parseQaPairs(`${"[x] ".repeat(199)}{"pairs": [{"question": "Who?", "answer": "Ada"}]}`);
    expect(listAt200).toMatchObject({ salvaged: false, problem: null });
    // 200 "{x}" use up salvaging too: the pair after them is never reached.
    expect(parseQaPairs(`${"{x} ".repeat(200)}{"question": "Who?", "answer": "Ada"}`).problem?.kind).toBe(
      "invalid_json",
    );
    expect(parseQaPairs(`${"{x} ".repeat(199)}{"question": "Who?", "answer": "Ada"}`)).toMatchObject({
      salvaged: true,
      pairs: [{ question: "Who?", answer: "Ada" }],
    });
  });
});
