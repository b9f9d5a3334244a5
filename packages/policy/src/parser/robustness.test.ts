import { memoryOperationValidator, PARSE_FAILURE_REASONS, parseOutcomeValidator, type ToolCall } from "@finemem/spec";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ToolSetId } from "../tools/tool-sets.js";
import { type ParsedReply, parseManagerReply } from "./parse-manager-reply.js";
import { renderOperations } from "./render-reply.js";
import { JSON_REPAIRS } from "./repairs.js";
import {
  FORMATS,
  operationsArbitrary,
  PROSE_WORDS,
  prosePiecesArbitrary,
  TOOL_SETS,
} from "./test-support/reply-arbitraries.js";

const MAX_INPUT = 8 * 1024;
const REPAIR_NAMES: ReadonlySet<string> = new Set(JSON_REPAIRS.map((repair) => repair.name));
const REASONS: ReadonlySet<string> = new Set(PARSE_FAILURE_REASONS);

/** What must hold for every reply, however broken. */
function checkInvariants(parsed: ParsedReply): void {
  const outcomes = parsed.parseOutcomes;
  expect(outcomes.length).toBeGreaterThanOrEqual(1);
  expect(outcomes.map((outcome) => outcome.fragment)).toStrictEqual(outcomes.map((_, index) => index));
  const indices: number[] = [];
  for (const outcome of outcomes) {
    expect(parseOutcomeValidator.validate(outcome).ok).toBe(true);
    // No reply, however garbled, may reach the reader's own failure path.
    expect(outcome.status).not.toBe("internal_error");
    if (outcome.status === "internal_error") continue;
    if (outcome.status === "failed") {
      expect(REASONS.has(outcome.reason)).toBe(true);
      expect(outcome.message.length).toBeLessThanOrEqual(2000);
      expect(outcome.message).not.toMatch(/^internal parser error/);
      if (outcome.reason === "empty_reply") expect(outcomes).toHaveLength(1);
    } else {
      indices.push(outcome.operationIndex);
      expect(outcome.repairs.length === 0).toBe(outcome.status === "parsed");
      expect(new Set(outcome.repairs).size).toBe(outcome.repairs.length);
      for (const repair of outcome.repairs) expect(REPAIR_NAMES.has(repair)).toBe(true);
    }
  }
  expect(indices).toStrictEqual(parsed.operations.map((_, index) => index));
  for (const operation of parsed.operations) expect(memoryOperationValidator.validate(operation).ok).toBe(true);
}

const toolSetArbitrary = fc.constantFrom<ToolSetId>(...TOOL_SETS);

/** Tokens that steer the scanner into every branch. */
const TOKENS = [
  "<tool_call>",
  "</tool_call>",
  "✿FUNCTION✿:",
  "✿ARGS✿:",
  "✿RESULT✿:",
  "✿RETURN✿:",
  '{"name":',
  '"arguments":',
  '"parameters":',
  '"type": "INSERT"',
  '"type": "delete"',
  '"content":',
  '"memory_id": "m1"',
  '"memory_type": "semantic"',
  '"operations": [',
  '"tool_calls": [',
  '"function": {',
  " memory_insert ",
  '"memory_update"',
  '"memory_skip"',
  "new_memory_insert",
  "```json\n",
  "```",
  "{",
  "}",
  "[",
  "]",
  '"',
  "'",
  "\\",
  ":",
  ",",
  "\n",
  "True",
  "None",
  "null",
  "1.5e",
  "\\u00",
  "{a: ",
];

const tokenSoup = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...TOKENS) },
      { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
    ),
    { maxLength: 300 },
  )
  .map((parts) => parts.join("").slice(0, MAX_INPUT));

/** A rendered reply in any format. */
const renderedArbitrary = fc
  .record({
    toolSet: toolSetArbitrary,
    format: fc.constantFrom(...FORMATS),
    prose: prosePiecesArbitrary,
    bareOperation: fc.boolean(),
  })
  .chain((base) => operationsArbitrary(base.toolSet).map((operations) => ({ ...base, operations })))
  .map(({ toolSet, format, prose, operations, bareOperation }) => ({
    toolSet,
    operations,
    reply: renderOperations(operations, {
      toolSet,
      format,
      prose,
      ...(bareOperation ? { bareJsonStyle: "operation" as const } : {}),
    }),
  }));

type Mutation =
  | { readonly kind: "delete"; readonly at: number; readonly length: number }
  | { readonly kind: "insert"; readonly at: number; readonly text: string }
  | { readonly kind: "replace"; readonly at: number; readonly text: string }
  | { readonly kind: "truncate"; readonly at: number }
  | { readonly kind: "duplicate"; readonly at: number; readonly length: number };

const insertedText = fc.oneof(
  fc.constantFrom(...TOKENS),
  fc.string({ maxLength: 3 }),
  fc.string({ unit: "binary", maxLength: 2 }),
);
const mutationArbitrary: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), text: insertedText }),
  fc.record({ kind: fc.constant("replace" as const), at: fc.nat(), text: insertedText }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("duplicate" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 200 }) }),
);

function mutate(text: string, mutation: Mutation): string {
  const at = text.length === 0 ? 0 : mutation.at % (text.length + 1);
  switch (mutation.kind) {
    case "delete":
      return text.slice(0, at) + text.slice(at + mutation.length);
    case "insert":
      return text.slice(0, at) + mutation.text + text.slice(at);
    case "replace":
      return text.slice(0, at) + mutation.text + text.slice(at + mutation.text.length);
    case "truncate":
      return text.slice(0, at);
    case "duplicate":
      return (
        text.slice(0, at + mutation.length) + text.slice(at, at + mutation.length) + text.slice(at + mutation.length)
      );
  }
}

describe("robustness: never throws, outcomes stay consistent", () => {
  it("random strings (3000 runs)", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 2000 }),
          fc.string({ unit: "binary", maxLength: 2000 }),
          fc.string({ unit: "grapheme", maxLength: 500 }),
        ),
        toolSetArbitrary,
        (text, toolSet) => {
          checkInvariants(parseManagerReply({ text }, { toolSet }));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("strings sprinkled with tags, markers and JSON pieces (3000 runs)", () => {
    fc.assert(
      fc.property(tokenSoup, toolSetArbitrary, (text, toolSet) => {
        checkInvariants(parseManagerReply({ text }, { toolSet }));
      }),
      { numRuns: 3000 },
    );
  });

  it("mutated rendered replies: deleted, inserted, replaced, truncated, duplicated (3000 runs)", () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(
        renderedArbitrary,
        fc.array(mutationArbitrary, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        ({ toolSet, reply }, mutations, mutateToolCalls) => {
          const text = mutations.reduce(mutate, reply.text).slice(0, MAX_INPUT);
          const toolCalls: ToolCall[] = mutateToolCalls
            ? reply.toolCalls.map((call, index) => ({
                ...call,
                arguments: mutate(call.arguments, mutations[index % mutations.length]!),
              }))
            : reply.toolCalls;
          const parsed = parseManagerReply({ text, toolCalls }, { toolSet });
          checkInvariants(parsed);
          for (const outcome of parsed.parseOutcomes)
            seen.add(outcome.status === "failed" ? outcome.reason : outcome.status);
        },
      ),
      { numRuns: 3000 },
    );
    // The mutations reach nearly every kind of outcome, not just the happy path (blanking a content by
    // chance is rare; the unit tests cover empty_content).
    for (const kind of [
      "parsed",
      "repaired",
      "empty_reply",
      "malformed_json",
      "truncated",
      "unknown_tool",
      "invalid_arguments",
      "missing_id",
    ])
      expect(seen).toContain(kind);
  });

  it("random tool calls (1000 runs)", () => {
    const toolCallArbitrary = fc.record({
      id: fc.constant("call_0"),
      name: fc.oneof(
        fc.constantFrom("memory_insert", "memory_update", "memory_delete", "memory_skip", "new_memory_insert"),
        fc.string({ maxLength: 10 }),
      ),
      arguments: fc.oneof(
        tokenSoup.map((text) => text.slice(0, 200)),
        fc.json(),
        fc.string({ maxLength: 50 }),
      ),
    });
    fc.assert(
      fc.property(
        fc.array(toolCallArbitrary, { maxLength: 4 }),
        fc.string({ maxLength: 100 }),
        toolSetArbitrary,
        (toolCalls, text, toolSet) => {
          checkInvariants(parseManagerReply({ text, toolCalls }, { toolSet }));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("mutations of the prose alone leave one outcome per call (1000 runs)", () => {
    const proseEdit = fc.record({
      piece: fc.nat(6),
      at: fc.nat(),
      remove: fc.nat(5),
      insert: fc.array(fc.constantFrom(...PROSE_WORDS), { maxLength: 3 }),
    });
    const caseArbitrary = toolSetArbitrary.chain((toolSet) =>
      fc.record({
        toolSet: fc.constant(toolSet),
        operations: operationsArbitrary(toolSet),
        format: fc.constantFrom(...FORMATS),
        prose: prosePiecesArbitrary,
        edits: fc.array(proseEdit, { maxLength: 6 }),
      }),
    );
    fc.assert(
      fc.property(caseArbitrary, ({ toolSet, operations, format, prose, edits }) => {
        const edited = [...prose];
        for (const edit of edits) {
          const piece = edited[edit.piece]!;
          const at = edit.at % (piece.length + 1);
          edited[edit.piece] = piece.slice(0, at) + edit.insert.join("") + piece.slice(at + edit.remove);
        }
        const parsed = parseManagerReply(renderOperations(operations, { toolSet, format, prose: edited }), { toolSet });
        checkInvariants(parsed);
        expect(parsed.parseOutcomes).toHaveLength(Math.max(1, operations.length));
        expect(parsed.operations).toStrictEqual(operations);
      }),
      { numRuns: 1000 },
    );
  });
});

describe("large replies", () => {
  const call = '<tool_call>\n{"name": "memory_insert", "arguments": {"content": "Ada lives in Paris"}}\n</tool_call>';

  it("reads about 1 MB of prose with calls, capped at maxInputChars", () => {
    const unit = `${"The quick brown fox jumps over the lazy dog. ".repeat(40)}\n${call}\n`;
    const text = unit.repeat(Math.ceil(1_000_000 / unit.length));
    const capped = parseManagerReply({ text }, { toolSet: "flat" });
    expect(capped.inputCapped).toBe(true);
    checkInvariants(capped);
    expect(capped.operations.length).toBeGreaterThan(100);
    const whole = parseManagerReply({ text }, { toolSet: "flat", maxInputChars: Number.POSITIVE_INFINITY });
    expect(whole.inputCapped).toBe(false);
    expect(whole.operations).toHaveLength(Math.ceil(1_000_000 / unit.length));
  });

  it("reads a 1 MB unterminated string inside a <tool_call>", () => {
    const text = `<tool_call>{"name": "memory_insert", "arguments": {"content": "${'a\\" {['.repeat(200_000)}`;
    const capped = parseManagerReply({ text }, { toolSet: "flat" });
    expect(capped.inputCapped).toBe(true);
    expect(capped.parseOutcomes).toMatchObject([{ fragment: 0, status: "failed", reason: "truncated" }]);
    const whole = parseManagerReply({ text }, { toolSet: "flat", maxInputChars: 2_000_000 });
    expect(whole.parseOutcomes).toMatchObject([{ fragment: 0, status: "failed", reason: "truncated" }]);
  });

  // No timing is asserted: a quadratic scan of 1 MB would take minutes and hit the test timeout,
  // a linear one finishes each piece well under a second.
  it("handles 1 MB adversarial repetitions", () => {
    const pieces = [
      "<tool_call>x",
      "{a: [",
      '{"a": "',
      "✿FUNCTION✿ x\n",
      "{'",
      "[{",
      '{"name": "memory_skip"} ',
      "```json\n{",
      "{a: x ",
      '{"a":"x" ',
      "[[[[",
      '{"content": "a',
    ];
    for (const piece of pieces) {
      const text = piece.repeat(Math.ceil(1_000_000 / piece.length));
      const parsed = parseManagerReply({ text }, { toolSet: "flat", maxInputChars: 2_000_000 });
      expect(parsed.parseOutcomes.every((outcome, index) => outcome.fragment === index)).toBe(true);
      expect(
        parsed.parseOutcomes.some((outcome) => outcome.status === "failed" && outcome.message.startsWith("internal")),
      ).toBe(false);
    }
  });
});
