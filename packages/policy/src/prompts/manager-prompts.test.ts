import type { MemoryView } from "@finemem/spec";
import { describe, expect, it } from "vitest";
import { buildManagerMessages } from "./build-manager-messages.js";
import { FLAT_MANAGER_PROMPT, MEMALPHA_MANAGER_PROMPT, managerPromptHash } from "./manager-prompts.js";
import { EMPTY_MEMORY_TEXT, renderMemoryView } from "./render-memory.js";

const item = (id: string, content: string, extra: object = {}) => ({
  id,
  content,
  version: 1,
  createdStep: 1,
  step: 1,
  operationId: `o-${id}`,
  ...extra,
});

describe("manager prompts", () => {
  it("hash the version, the texts, the call style and the tools", () => {
    const tools = managerPromptHash(FLAT_MANAGER_PROMPT, "tools");
    expect(tools).toMatch(/^finemem-flat-v1:[0-9a-f]{16}$/);
    expect(managerPromptHash(FLAT_MANAGER_PROMPT, "tools")).toBe(tools);
    expect(managerPromptHash(FLAT_MANAGER_PROMPT, "text")).not.toBe(tools);
    expect(managerPromptHash({ ...FLAT_MANAGER_PROMPT, system: `${FLAT_MANAGER_PROMPT.system} ` }, "tools")).not.toBe(
      tools,
    );
    expect(managerPromptHash(MEMALPHA_MANAGER_PROMPT, "tools")).toMatch(/^memalpha-typed-v1:/);
  });

  it("render a flat memory as [id] lines in insertion order", () => {
    const view: MemoryView = {
      namespace: {},
      layout: "flat",
      step: 2,
      items: [item("m1", "Ada lives in London."), item("m2", "Ada owns a cat.")],
    };
    expect(renderMemoryView(view)).toBe("[m1] Ada lives in London.\n[m2] Ada owns a cat.");
    expect(renderMemoryView({ ...view, items: [] })).toBe(EMPTY_MEMORY_TEXT);
  });

  it("render a typed memory as the core paragraph and the two lists, with episodic times", () => {
    const view: MemoryView = {
      namespace: {},
      layout: "typed",
      step: 2,
      items: [
        item("core", "The user is Noor.", { memoryType: "core" }),
        item("m1", "Noor moved to Lisbon.", { memoryType: "episodic", timestamp: "2024-05-02" }),
      ],
    };
    expect(renderMemoryView(view)).toBe(
      `<core_memory>\nThe user is Noor.\n</core_memory>\n<semantic_memory>\n${EMPTY_MEMORY_TEXT}\n</semantic_memory>\n<episodic_memory>\n[m1] (2024-05-02) Noor moved to Lisbon.\n</episodic_memory>`,
    );
  });

  it("build the system and user messages, with tool instructions only in the text call style", () => {
    const view: MemoryView = { namespace: {}, layout: "flat", step: 0, items: [] };
    const chunk = { id: "c7", text: "The template literally says {memory}." };
    const [system, user] = buildManagerMessages(FLAT_MANAGER_PROMPT, "tools", view, chunk);
    expect(system).toEqual({ role: "system", content: FLAT_MANAGER_PROMPT.system });
    expect(user!.content).toBe(
      `<memory>\n${EMPTY_MEMORY_TEXT}\n</memory>\n\n<chunk id="c7">\nThe template literally says {memory}.\n</chunk>`,
    );
    const [textSystem] = buildManagerMessages(FLAT_MANAGER_PROMPT, "text", view, chunk);
    expect(textSystem!.content).toContain('"name":"memory_insert"');
    expect(textSystem!.content).toContain("<tool_call>");
  });
});
