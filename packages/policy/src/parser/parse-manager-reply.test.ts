import type { ParseOutcome, ToolCall } from "@finemem/spec";
import { describe, expect, it } from "vitest";
import type { ToolSetId } from "../tools/tool-sets.js";
import { DEFAULT_MAX_INPUT_CHARS, type ParsedReply, parseManagerReply } from "./parse-manager-reply.js";

function parse(text: string, toolSet: ToolSetId = "flat", toolCalls?: ToolCall[]): ParsedReply {
  return parseManagerReply(toolCalls === undefined ? { text } : { text, toolCalls }, { toolSet });
}

/** The outcomes in short: `parsed`, the repairs' names, or the failure reason. */
function summary(parsed: ParsedReply): (string | readonly string[])[] {
  return parsed.parseOutcomes.map((outcome) =>
    outcome.status === "failed"
      ? outcome.reason
      : outcome.status === "internal_error"
        ? "internal_error"
        : outcome.status === "parsed"
          ? "parsed"
          : outcome.repairs,
  );
}

const call = (name: string, args: unknown): string => JSON.stringify({ name, arguments: args });
const tagged = (name: string, args: unknown): string => `<tool_call>\n${call(name, args)}\n</tool_call>`;
const toolCall = (index: number, name: string, args: string): ToolCall => ({
  id: `call_${index}`,
  name,
  arguments: args,
});

describe("formats", () => {
  it("reads OpenAI tool_calls for every flat tool, ignoring the text", () => {
    const parsed = parse("I will remember two things.", "flat", [
      toolCall(0, "memory_insert", '{"content": "Ada lives in Paris"}'),
      toolCall(1, "memory_update", '{"memory_id": "m3", "new_content": "Ada lives in Rome"}'),
      toolCall(2, "memory_delete", '{"memory_id": "m4"}'),
      toolCall(3, "memory_skip", "{}"),
    ]);
    expect(parsed.operations).toStrictEqual([
      { type: "INSERT", content: "Ada lives in Paris" },
      { type: "UPDATE", id: "m3", content: "Ada lives in Rome" },
      { type: "DELETE", id: "m4" },
      { type: "SKIP" },
    ]);
    expect(parsed.parseOutcomes).toStrictEqual(
      [0, 1, 2, 3].map((index) => ({ fragment: index, status: "parsed", operationIndex: index, repairs: [] })),
    );
    expect(parsed.inputCapped).toBe(false);
  });

  it("reads <tool_call> blocks with prose around and between them", () => {
    const text = `Let me think.\n${tagged("memory_insert", { content: "Ada plays chess" })}\nAlso:\n${tagged("memory_delete", { memory_id: "m1" })}\nDone.`;
    const parsed = parse(text);
    expect(parsed.operations).toStrictEqual([
      { type: "INSERT", content: "Ada plays chess" },
      { type: "DELETE", id: "m1" },
    ]);
    expect(summary(parsed)).toStrictEqual(["parsed", "parsed"]);
  });

  it("reads blocks JSON-aware: content may quote </tool_call>, <tool_call> and ✿FUNCTION✿", () => {
    const content = 'Write </tool_call> then <tool_call> and ✿FUNCTION✿: x, "quoted" {braces} \\ done';
    const parsed = parse(`${tagged("memory_insert", { content })}${tagged("memory_skip", {})}`);
    expect(parsed.operations).toStrictEqual([{ type: "INSERT", content }, { type: "SKIP" }]);
  });

  it("reads Qwen-Agent blocks and skips the ✿RESULT✿ that follows a call", () => {
    const text = [
      "Saving it.",
      "✿FUNCTION✿: memory_insert",
      '✿ARGS✿: {"content": "Ada ✿FUNCTION✿ lives in Paris"}',
      '✿RESULT✿: {"name": "memory_delete", "arguments": {"memory_id": "m9"}}',
      "✿RETURN✿: Saved.",
      "✿FUNCTION✿: memory_update",
      '✿ARGS✿: {"memory_id": "m2", "new_content": "Bob is 41"}',
      "✿RETURN✿: Updated.",
    ].join("\n");
    const parsed = parse(text);
    expect(parsed.operations).toStrictEqual([
      { type: "INSERT", content: "Ada ✿FUNCTION✿ lives in Paris" },
      { type: "UPDATE", id: "m2", content: "Bob is 41" },
    ]);
    expect(summary(parsed)).toStrictEqual(["parsed", "parsed"]);
  });

  it("reads bare JSON calls in prose", () => {
    const parsed = parse(
      `Here: ${call("memory_insert", { content: "x" })} and ${call("memory_delete", { memory_id: "m2" })}.`,
    );
    expect(parsed.operations).toStrictEqual([
      { type: "INSERT", content: "x" },
      { type: "DELETE", id: "m2" },
    ]);
    expect(summary(parsed)).toStrictEqual(["parsed", "parsed"]);
  });

  it("reads operation objects with type, operation or op, id or memory_id, content or new_content", () => {
    const text = [
      '{"type": "INSERT", "content": "a"}',
      '{"operation": "UPDATE", "memory_id": "m1", "new_content": "b"}',
      '{"op": "DELETE", "id": "m2"}',
      '{"type": "SKIP"}',
      '{"type": "INSERT", "content": "c", "timestamp": "2024-05-01"}',
    ].join("\n");
    const parsed = parse(text);
    expect(parsed.operations).toStrictEqual([
      { type: "INSERT", content: "a" },
      { type: "UPDATE", id: "m1", content: "b" },
      { type: "DELETE", id: "m2" },
      { type: "SKIP" },
      { type: "INSERT", content: "c", timestamp: "2024-05-01" },
    ]);
    expect(summary(parsed)).toStrictEqual(["parsed", "parsed", "parsed", "parsed", "parsed"]);
  });

  it("makes each element of an array or a wrapper its own fragment", () => {
    const parsed = parse(
      [
        '[{"type": "INSERT", "content": "a"}, {"type": "DELETE", "id": "m1"}]',
        '{"operations": [{"type": "SKIP"}, {"note": "not a call"}]}',
        `{"tool_calls": [{"id": "call_9", "type": "function", "function": {"name": "memory_insert", "arguments": "{\\"content\\": \\"b\\"}"}}]}`,
      ].join("\n"),
    );
    expect(parsed.operations).toStrictEqual([
      { type: "INSERT", content: "a" },
      { type: "DELETE", id: "m1" },
      { type: "SKIP" },
      { type: "INSERT", content: "b" },
    ]);
    expect(summary(parsed)).toStrictEqual(["parsed", "parsed", "parsed", "invalid_arguments", "parsed"]);
    expect(parsed.parseOutcomes.map((outcome) => outcome.fragment)).toStrictEqual([0, 1, 2, 3, 4]);
  });

  it("leaves JSON in prose alone when it is not a call", () => {
    const parsed = parse(
      'A record {"name": "Ada", "age": 36}, a schema {"type": "object"}, a list [1, 2], and {like this}.',
    );
    expect(parsed.operations).toStrictEqual([]);
    expect(summary(parsed)).toStrictEqual(["empty_reply"]);
  });

  it("numbers tool_calls first, then the text's fragments by position", () => {
    const parsed = parse(`${tagged("memory_skip", {})} {"type": "DELETE", "id": "m7"}`, "flat", [
      toolCall(0, "memory_insert", '{"content": "first"}'),
    ]);
    expect(parsed.operations).toStrictEqual([
      { type: "INSERT", content: "first" },
      { type: "SKIP" },
      { type: "DELETE", id: "m7" },
    ]);
    expect(
      parsed.parseOutcomes.map((outcome) => [
        outcome.fragment,
        outcome.status === "failed" || outcome.status === "internal_error" ? -1 : outcome.operationIndex,
      ]),
    ).toStrictEqual([
      [0, 0],
      [1, 1],
      [2, 2],
    ]);
  });

  it("keeps operationIndex aligned with operations when some fragments fail", () => {
    const parsed = parse(
      `${tagged("memory_forget", {})}${tagged("memory_insert", { content: "a" })}${tagged("memory_insert", { content: " " })}${tagged("memory_skip", {})}`,
    );
    expect(parsed.operations).toStrictEqual([{ type: "INSERT", content: "a" }, { type: "SKIP" }]);
    expect(parsed.parseOutcomes).toMatchObject([
      { fragment: 0, status: "failed", reason: "unknown_tool" },
      { fragment: 1, status: "parsed", operationIndex: 0 },
      { fragment: 2, status: "failed", reason: "empty_content" },
      { fragment: 3, status: "parsed", operationIndex: 1 },
    ]);
  });
});

describe("memalpha tools", () => {
  it("maps Mem-α's typed tools; the core memory needs no id", () => {
    const parsed = parse(
      [
        tagged("new_memory_insert", { memory_type: "semantic_memory", content: "Ada likes tea" }),
        tagged("new_memory_insert", { memory_type: "episodic_memory", content: "2024-05-01: Ada moved" }),
        tagged("memory_update", { memory_type: "core_memory", new_content: "Ada is a chess player." }),
        tagged("memory_update", { memory_type: "semantic_memory", new_content: "Ada likes coffee", memory_id: "s2" }),
        tagged("memory_delete", { memory_type: "episodic_memory", memory_id: "e1" }),
        tagged("memory_delete", { memory_type: "core_memory" }),
        tagged("memory_update", { memory_type: "core_memory", new_content: "Core.", memory_id: "m5" }),
      ].join("\n"),
      "memalpha",
    );
    expect(parsed.operations).toStrictEqual([
      { type: "INSERT", content: "Ada likes tea", memoryType: "semantic" },
      { type: "INSERT", content: "2024-05-01: Ada moved", memoryType: "episodic" },
      { type: "UPDATE", id: "core", content: "Ada is a chess player.", memoryType: "core" },
      { type: "UPDATE", id: "s2", content: "Ada likes coffee", memoryType: "semantic" },
      { type: "DELETE", id: "e1", memoryType: "episodic" },
      { type: "DELETE", id: "core", memoryType: "core" },
      { type: "UPDATE", id: "core", content: "Core.", memoryType: "core" },
    ]);
    expect(summary(parsed).every((entry) => entry === "parsed")).toBe(true);
  });

  it("reads operation objects with a memory type in either spelling, and SKIP without one", () => {
    const parsed = parse(
      '{"type": "INSERT", "content": "a", "memoryType": "semantic"} {"type": "DELETE", "id": "e3", "memory_type": "episodic_memory"} {"type": "SKIP"}',
      "memalpha",
    );
    expect(parsed.operations).toStrictEqual([
      { type: "INSERT", content: "a", memoryType: "semantic" },
      { type: "DELETE", id: "e3", memoryType: "episodic" },
      { type: "SKIP" },
    ]);
    expect(summary(parsed)).toStrictEqual(["parsed", "parsed", "parsed"]);
  });

  it("fails what the typed layout cannot do", () => {
    const parsed = parse(
      [
        tagged("memory_skip", {}),
        tagged("memory_insert", { content: "flat tool" }),
        tagged("new_memory_insert", { memory_type: "core_memory", content: "x" }),
        tagged("new_memory_insert", { memory_type: "procedural_memory", content: "x" }),
        tagged("memory_update", { memory_type: "semantic_memory", new_content: "x" }),
        tagged("memory_update", { memory_type: "semantic_memory", new_content: "x", memory_id: "core" }),
        tagged("memory_delete", { memory_type: 3, memory_id: "m1" }),
        '{"type": "INSERT", "content": "no type"}',
      ].join("\n"),
      "memalpha",
    );
    expect(summary(parsed)).toStrictEqual([
      "unknown_tool",
      "unknown_tool",
      "invalid_arguments",
      "invalid_arguments",
      "missing_id",
      "invalid_arguments",
      "invalid_arguments",
      "invalid_arguments",
    ]);
    expect(parsed.operations).toStrictEqual([]);
  });

  it("rejects the typed tools in the flat tool set", () => {
    expect(summary(parse(tagged("new_memory_insert", { memory_type: "semantic_memory", content: "x" })))).toStrictEqual(
      ["unknown_tool"],
    );
  });
});

describe("repairs", () => {
  const insert = (args: string): string => `<tool_call>{"name": "memory_insert", "arguments": ${args}}</tool_call>`;

  it.each([
    ["trailing_commas", insert('{"content": "a",}'), "a"],
    ["single_quoted_strings", insert(`{'content': 'it\\'s "fine"'}`), `it's "fine"`],
    ["unquoted_keys", insert('{content: "a"}'), "a"],
    ["raw_control_characters", insert('{"content": "line one\nline\ttwo"}'), "line one\nline\ttwo"],
    ["invalid_escapes", insert('{"content": "it\\\'s \\d"}'), "it's d"],
    ["invalid_escapes", insert('{"content": "\\u12G4"}'), "u12G4"],
    ["double_encoded_arguments", insert('"{\\"content\\": \\"a\\"}"'), "a"],
    [
      "code_fence",
      '<tool_call>\n```json\n{"name": "memory_insert", "arguments": {"content": "a"}}\n```\n</tool_call>',
      "a",
    ],
    ["code_fence", 'Here:\n```json\n{"name": "memory_insert", "arguments": {"content": "a"}}\n```', "a"],
    ["code_fence", '✿FUNCTION✿: memory_insert\n✿ARGS✿: ```\n{"content": "a"}\n```', "a"],
    ["parameters_key", '<tool_call>{"name": "memory_insert", "parameters": {"content": "a"}}</tool_call>', "a"],
    ["unclosed_tag", '<tool_call>{"name": "memory_insert", "arguments": {"content": "a"}}\nThat is all.', "a"],
    ["extra_arguments_dropped", insert('{"content": "a", "confidence": 0.9}'), "a"],
    ["lowercase_operation_type", '{"type": "insert", "content": "a"}', "a"],
    ["lowercase_operation_type", '{"op": "Insert", "content": "a"}', "a"],
  ])("%s: %j", (repair, text, content) => {
    const parsed = parse(text);
    expect(parsed.operations).toStrictEqual([{ type: "INSERT", content }]);
    expect(parsed.parseOutcomes).toStrictEqual([
      { fragment: 0, status: "repaired", operationIndex: 0, repairs: [repair] },
    ]);
  });

  it("a block holding a second call or a remark after its JSON is still closed", () => {
    const parsed = parse(
      `<tool_call>\n${call("memory_insert", { content: "a" })}\n${call("memory_skip", {})}\n</tool_call>\n<tool_call>${call("memory_delete", { memory_id: "m1" })} (done)</tool_call>`,
    );
    expect(parsed.operations).toStrictEqual([
      { type: "INSERT", content: "a" },
      { type: "SKIP" },
      { type: "DELETE", id: "m1" },
    ]);
    expect(summary(parsed)).toStrictEqual(["parsed", "parsed", "parsed"]);
  });

  it("python_literals: True, False and None", () => {
    const parsed = parse(
      '<tool_call>{"name": "memory_skip", "arguments": {}, "strict": True, "a": [False, None]}</tool_call>',
    );
    expect(parsed.operations).toStrictEqual([{ type: "SKIP" }]);
    expect(summary(parsed)).toStrictEqual([["python_literals"]]);
  });

  it("empty_arguments: an empty arguments text or no arguments key", () => {
    const parsed = parse('<tool_call>{"name": "memory_skip"}</tool_call>', "flat", [toolCall(0, "memory_skip", "  ")]);
    expect(parsed.operations).toStrictEqual([{ type: "SKIP" }, { type: "SKIP" }]);
    expect(summary(parsed)).toStrictEqual([["empty_arguments"], ["empty_arguments"]]);
  });

  it("repairs OpenAI arguments: fenced, lenient, encoded twice", () => {
    const parsed = parse("", "flat", [
      toolCall(0, "memory_insert", '```json\n{"content": "a"}\n```'),
      toolCall(1, "memory_insert", "{'content': 'b',}"),
      toolCall(2, "memory_insert", JSON.stringify(JSON.stringify({ content: "c" }))),
    ]);
    expect(parsed.operations.map((operation) => (operation.type === "INSERT" ? operation.content : ""))).toStrictEqual([
      "a",
      "b",
      "c",
    ]);
    expect(summary(parsed)).toStrictEqual([
      ["code_fence"],
      ["single_quoted_strings", "trailing_commas"],
      ["double_encoded_arguments"],
    ]);
  });

  it("memory_type_alias: short or differently cased memory types", () => {
    const parsed = parse(
      [
        tagged("new_memory_insert", { memory_type: "semantic", content: "a" }),
        tagged("memory_update", { memory_type: "Core_Memory", new_content: "b" }),
        tagged("memory_delete", { memory_type: "episodic memory", memory_id: "e1" }),
      ].join(""),
      "memalpha",
    );
    expect(parsed.operations).toStrictEqual([
      { type: "INSERT", content: "a", memoryType: "semantic" },
      { type: "UPDATE", id: "core", content: "b", memoryType: "core" },
      { type: "DELETE", id: "e1", memoryType: "episodic" },
    ]);
    expect(summary(parsed)).toStrictEqual([["memory_type_alias"], ["memory_type_alias"], ["memory_type_alias"]]);
  });

  it("extra_arguments_dropped: a memory type in a flat operation object", () => {
    const parsed = parse('{"type": "INSERT", "content": "a", "memoryType": "semantic"}');
    expect(parsed.operations).toStrictEqual([{ type: "INSERT", content: "a" }]);
    expect(summary(parsed)).toStrictEqual([["extra_arguments_dropped"]]);
  });

  it("lists repairs in the order applied, once each", () => {
    const parsed = parse(
      "<tool_call>\n```json\n{name: 'memory_insert', 'parameters': {'content': 'a\tb', x: 1, y: 2,},}\n```\nno closing tag",
    );
    expect(summary(parsed)).toStrictEqual([
      [
        "code_fence",
        "unquoted_keys",
        "single_quoted_strings",
        "raw_control_characters",
        "trailing_commas",
        "unclosed_tag",
        "parameters_key",
        "extra_arguments_dropped",
      ],
    ]);
  });

  it("treats a fenced OpenAI-shaped call in prose as a call with native string arguments", () => {
    const parsed = parse(
      '```json\n{"type": "function", "function": {"name": "memory_delete", "arguments": "{\\"memory_id\\": \\"m8\\"}"}}\n```',
    );
    expect(parsed.operations).toStrictEqual([{ type: "DELETE", id: "m8" }]);
    expect(summary(parsed)).toStrictEqual([["code_fence"]]);
  });
});

describe("failures", () => {
  it("an empty reply is one empty_reply outcome", () => {
    for (const text of ["", "   \n", "I have nothing to add. {see above} [1] <b>ok</b>"]) {
      const parsed = parse(text);
      expect(parsed.operations).toStrictEqual([]);
      expect(parsed.parseOutcomes).toStrictEqual([
        { fragment: 0, status: "failed", reason: "empty_reply", message: expect.any(String) },
      ]);
    }
  });

  it("truncated: JSON cut by the end of the reply, in every format", () => {
    const cases: [string, ToolCall[]?][] = [
      ['<tool_call>{"name": "memory_insert", "arguments": {"content": "Ada li'],
      ["<tool_call>"],
      ['Sure: {"name": "memory_insert", "arguments": {"content": "Ada'],
      ['[{"type": "INSERT", "content": "a"}, {"type": "DEL'],
      ["✿FUNCTION✿: memory_insert\n"],
      ['✿FUNCTION✿: memory_insert\n✿ARGS✿: {"content": "Ada'],
      ["", [toolCall(0, "memory_insert", '{"content": "Ada')]],
      ['<tool_call>{"name": "memory_insert", "arguments": {"content": "a\\u00'],
      ['<tool_call>{"name": "memory_skip", "arguments": {"x": tr'],
      ['<tool_call>{"name": "memory_skip", "arguments": {"x": 1.'],
    ];
    for (const [text, toolCalls] of cases) {
      expect(summary(parse(text, "flat", toolCalls)), text).toStrictEqual(["truncated"]);
    }
  });

  it("truncated: a call cut by maxInputChars, with inputCapped", () => {
    const text = `Prose. ${tagged("memory_insert", { content: "x".repeat(100) })}`;
    const parsed = parseManagerReply({ text }, { toolSet: "flat", maxInputChars: 60 });
    expect(parsed.inputCapped).toBe(true);
    expect(summary(parsed)).toStrictEqual(["truncated"]);
    expect(parseManagerReply({ text }, { toolSet: "flat", maxInputChars: text.length }).inputCapped).toBe(false);
    expect(DEFAULT_MAX_INPUT_CHARS).toBe(262_144);
  });

  it("malformed_json: unreadable JSON, after which scanning goes on", () => {
    const text = [
      "<tool_call>memory_skip()</tool_call>",
      '<tool_call>{"name": "memory_insert", "arguments": {"content": "a" "b"}}</tool_call>',
      '<tool_call>{"name": "memory_insert", "arguments": {"content": "unterminated}}</tool_call>',
      "✿FUNCTION✿: memory_skip\nno args here",
      "✿FUNCTION✿: memory_skip\n✿ARGS✿: nothing",
      '{"name": "memory_skip", "arguments": {oops}}',
      tagged("memory_skip", {}),
    ].join("\n");
    const parsed = parse(text);
    expect(summary(parsed)).toStrictEqual([
      "malformed_json",
      "malformed_json",
      "malformed_json",
      "malformed_json",
      "malformed_json",
      "malformed_json",
      "parsed",
    ]);
    expect(parsed.operations).toStrictEqual([{ type: "SKIP" }]);
  });

  it("malformed_json: OpenAI arguments with text after the JSON", () => {
    expect(summary(parse("", "flat", [toolCall(0, "memory_skip", "{} and more")]))).toStrictEqual(["malformed_json"]);
  });

  it("unknown_tool: a name outside the tool set, in any format", () => {
    const parsed = parse(
      `${tagged("memory_forget", { memory_id: "m1" })}\n✿FUNCTION✿: search\n✿ARGS✿: {}\n{"name": "web_search", "arguments": {}}`,
      "flat",
      [toolCall(0, "", "{}")],
    );
    expect(summary(parsed)).toStrictEqual(["unknown_tool", "unknown_tool", "unknown_tool", "unknown_tool"]);
    expect(parsed.parseOutcomes[1]).toMatchObject({ message: expect.stringContaining("memory_insert") });
  });

  it("invalid_arguments: wrong types, bad ids, missing content, not a call", () => {
    const parsed = parse(
      [
        tagged("memory_insert", { content: 42 }),
        tagged("memory_insert", {}),
        tagged("memory_update", { memory_id: 3, new_content: "a" }),
        tagged("memory_delete", { memory_id: "m 3" }),
        tagged("memory_delete", { memory_id: "[m3]" }),
        tagged("memory_insert", ["content"]),
        '<tool_call>{"tool": "memory_skip"}</tool_call>',
        '<tool_call>{"name": 7, "arguments": {}}</tool_call>',
        '{"type": "INSERT", "content": "a", "timestamp": 5}',
      ].join("\n"),
    );
    expect(summary(parsed)).toStrictEqual(Array.from({ length: 9 }, () => "invalid_arguments"));
  });

  it("missing_id: UPDATE or DELETE without an id", () => {
    const parsed = parse(
      [
        tagged("memory_update", { new_content: "a" }),
        tagged("memory_delete", { memory_id: " " }),
        '{"type": "DELETE"}',
        '{"type": "UPDATE", "content": "a"}',
      ].join("\n"),
    );
    expect(summary(parsed)).toStrictEqual(["missing_id", "missing_id", "missing_id", "missing_id"]);
  });

  it("empty_content: content that is empty or whitespace only", () => {
    const parsed = parse(
      [
        tagged("memory_insert", { content: "" }),
        tagged("memory_update", { memory_id: "m1", new_content: " \n\t" }),
        '{"type": "INSERT", "content": "\\u3000"}',
      ].join("\n"),
    );
    expect(summary(parsed)).toStrictEqual(["empty_content", "empty_content", "empty_content"]);
  });

  it("keeps failure messages within 2000 characters", () => {
    const parsed = parse(tagged("x".repeat(5000), {}), "flat", [
      toolCall(0, "memory_delete", JSON.stringify({ memory_id: "bad id ".repeat(1000) })),
    ]);
    for (const outcome of parsed.parseOutcomes as ParseOutcome[]) {
      expect(outcome.status).toBe("failed");
      if (outcome.status === "failed") expect(outcome.message.length).toBeLessThanOrEqual(2000);
    }
  });

  it("tolerates tool calls with odd fields", () => {
    const odd = [
      { id: "a", name: "memory_skip" },
      { id: "b", name: "memory_insert", arguments: "null" },
    ] as unknown as ToolCall[];
    expect(summary(parse("", "flat", odd))).toStrictEqual([["empty_arguments"], "invalid_arguments"]);
  });

  it("throws a TypeError only for invalid options", () => {
    expect(() => parseManagerReply({ text: "" }, { toolSet: "nope" as ToolSetId })).toThrow(TypeError);
    expect(() => parseManagerReply({ text: "" }, { toolSet: "flat", maxInputChars: -1 })).toThrow(TypeError);
    expect(() => parseManagerReply({ text: "" }, { toolSet: "flat", maxInputChars: Number.NaN })).toThrow(TypeError);
  });
});

describe("a failure of the reader itself", () => {
  // A tool call whose fields cannot be read stands in for a bug in the parser: the error comes from
  // our side of the boundary, never from anything the model wrote.
  const poisoned = {
    id: "call_0",
    get name(): string {
      throw new Error("planted reader fault");
    },
    arguments: "{}",
  } as unknown as ToolCall;

  it("is an internal_error outcome, not the model's malformed_json, and is reported to the caller", () => {
    const seen: unknown[] = [];
    const parsed = parseManagerReply(
      { text: "", toolCalls: [poisoned] },
      { toolSet: "flat", onInternalError: (error) => seen.push(error) },
    );
    expect(parsed.operations).toEqual([]);
    expect(parsed.parseOutcomes).toHaveLength(1);
    expect(parsed.parseOutcomes[0]).toMatchObject({ fragment: 0, status: "internal_error" });
    expect((parsed.parseOutcomes[0] as { message: string }).message).toMatch(
      /^internal parser error: .*planted reader fault/,
    );
    expect(seen).toHaveLength(1);
    expect(String(seen[0])).toMatch(/planted reader fault/);
  });

  it("emits a process warning when no handler is given", async () => {
    const warnings: Error[] = [];
    const listen = (warning: Error) => warnings.push(warning);
    process.on("warning", listen);
    try {
      parseManagerReply({ text: "", toolCalls: [poisoned] }, { toolSet: "flat" });
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off("warning", listen);
    }
    expect(warnings.map((warning) => warning.name)).toEqual(["FineMemParserWarning"]);
    expect(warnings[0]!.message).toMatch(/internal_error/);
  });
});
