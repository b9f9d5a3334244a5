import type { ChatMessage, Chunk, MemoryView } from "@finemem/spec";
import { type CallStyle, type ManagerPromptTemplate, toolsOf } from "./manager-prompts.js";
import { fillPlaceholders } from "./prompt-text.js";
import { renderMemoryView } from "./render-memory.js";

/** The system and user messages of one manager step: instructions, the memory M_{t-1}, the chunk c_t. */
export function buildManagerMessages(
  template: ManagerPromptTemplate,
  callStyle: CallStyle,
  view: MemoryView,
  chunk: Chunk,
): ChatMessage[] {
  const tools = JSON.stringify(
    toolsOf(template).map((tool) => ({ name: tool.name, description: tool.description, parameters: tool.parameters })),
  );
  const system =
    callStyle === "text"
      ? template.system + fillPlaceholders(template.textCallInstructions, { tools })
      : template.system;
  const user = fillPlaceholders(template.user, {
    memory: renderMemoryView(view),
    chunk_id: chunk.id,
    chunk: chunk.text,
  });
  return [
    { role: "system", content: system },
    { role: "user", content: user },
  ];
}
