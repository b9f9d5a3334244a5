import type { MemoryOperation } from "@finemem/spec";
import { describe, expect, it } from "vitest";
import { renderOperations } from "./render-reply.js";

const operations: MemoryOperation[] = [
  { type: "INSERT", content: 'Ada said "hi"' },
  { type: "DELETE", id: "m2" },
];

describe("renderOperations", () => {
  it("openai-tool-calls: tool calls with ids call_0…, the prose as the text", () => {
    expect(
      renderOperations(operations, { toolSet: "flat", format: "openai-tool-calls", prose: ["Saving.", "", "Done."] }),
    ).toStrictEqual({
      text: "Saving.\nDone.",
      toolCalls: [
        { id: "call_0", name: "memory_insert", arguments: '{"content":"Ada said \\"hi\\""}' },
        { id: "call_1", name: "memory_delete", arguments: '{"memory_id":"m2"}' },
      ],
    });
  });

  it("tool-call-tags: one block per call, prose before, between and after", () => {
    expect(
      renderOperations(operations, { toolSet: "flat", format: "tool-call-tags", prose: ["Saving.", "Then:", "Done."] })
        .text,
    ).toBe(
      [
        "Saving.",
        "<tool_call>",
        '{"name":"memory_insert","arguments":{"content":"Ada said \\"hi\\""}}',
        "</tool_call>",
        "Then:",
        "<tool_call>",
        '{"name":"memory_delete","arguments":{"memory_id":"m2"}}',
        "</tool_call>",
        "Done.",
      ].join("\n"),
    );
  });

  it("qwen-agent: ✿FUNCTION✿ and ✿ARGS✿ lines", () => {
    expect(renderOperations(operations, { toolSet: "flat", format: "qwen-agent" })).toStrictEqual({
      text: '✿FUNCTION✿: memory_insert\n✿ARGS✿: {"content":"Ada said \\"hi\\""}\n✿FUNCTION✿: memory_delete\n✿ARGS✿: {"memory_id":"m2"}',
      toolCalls: [],
    });
  });

  it("bare-json: call objects, or operation objects on request", () => {
    expect(renderOperations(operations, { toolSet: "flat", format: "bare-json" }).text).toBe(
      '{"name":"memory_insert","arguments":{"content":"Ada said \\"hi\\""}}\n{"name":"memory_delete","arguments":{"memory_id":"m2"}}',
    );
    const typed: MemoryOperation[] = [{ type: "UPDATE", id: "core", content: "Ada.", memoryType: "core" }];
    expect(renderOperations(typed, { toolSet: "memalpha", format: "bare-json", bareJsonStyle: "operation" }).text).toBe(
      '{"type":"UPDATE","id":"core","content":"Ada.","memoryType":"core"}',
    );
  });

  it("writes Mem-α's typed calls", () => {
    const typed: MemoryOperation[] = [
      { type: "INSERT", content: "Ada likes tea", memoryType: "semantic" },
      { type: "UPDATE", id: "core", content: "Ada.", memoryType: "core" },
    ];
    expect(
      renderOperations(typed, { toolSet: "memalpha", format: "openai-tool-calls" }).toolCalls.map((call) => [
        call.name,
        JSON.parse(call.arguments),
      ]),
    ).toStrictEqual([
      ["new_memory_insert", { memory_type: "semantic_memory", content: "Ada likes tea" }],
      ["memory_update", { memory_type: "core_memory", new_content: "Ada." }],
    ]);
  });

  it("throws a TypeError for an operation the tool set cannot express", () => {
    expect(() => renderOperations([{ type: "SKIP" }], { toolSet: "memalpha", format: "tool-call-tags" })).toThrow(
      TypeError,
    );
    expect(() =>
      renderOperations([{ type: "INSERT", content: "x", memoryType: "semantic" }], {
        toolSet: "flat",
        format: "bare-json",
      }),
    ).toThrow(TypeError);
  });

  it("renders no operations as the prose alone", () => {
    expect(renderOperations([], { toolSet: "flat", format: "tool-call-tags", prose: ["Nothing new."] })).toStrictEqual({
      text: "Nothing new.",
      toolCalls: [],
    });
  });
});
