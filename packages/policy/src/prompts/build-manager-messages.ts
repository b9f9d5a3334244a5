import type { ChatMessage, Chunk, MemoryView } from "@finemem/spec";
import { toolsOf, type CallStyle, type ManagerPromptTemplate } from "./manager-prompts.js";
import { renderMemoryView } from "./render-memory.js";

// Placeholders are filled in one pass, so a chunk that itself contains "{memory}" stays as written.
function fill(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{(memory|chunk_id|chunk|tools)\}/g, (whole, key: string) => values[key] ?? whole);
}

/** The system and user messages of one manager step: instructions, the memory M_{t-1}, the chunk c_t. */
export function buildManagerMessages(template: ManagerPromptTemplate, callStyle: CallStyle, view: MemoryView, chunk: Chunk): ChatMessage[] {
  const tools = JSON.stringify(toolsOf(template).map((tool) => ({ name: tool.name, description: tool.description, parameters: tool.parameters })));
  const system = callStyle === "text" ? template.system + fill(template.textCallInstructions, { tools }) : template.system;
  const user = fill(template.user, { memory: renderMemoryView(view), chunk_id: chunk.id, chunk: chunk.text });
  return [
    { role: "system", content: system },
    { role: "user", content: user },
  ];
}
