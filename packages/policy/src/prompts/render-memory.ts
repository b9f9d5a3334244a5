import type { MemoryItem, MemoryView } from "@finemem/spec";

/** How an empty memory reads in a prompt (a bare empty tag pair confuses small models). */
export const EMPTY_MEMORY_TEXT = "(the memory is empty)";

/** One item as the manager sees it: `[id] content`, with an episodic item's time first. */
export function renderMemoryItem(item: MemoryItem): string {
  const time = item.timestamp === undefined ? "" : `(${item.timestamp}) `;
  return `[${item.id}] ${time}${item.content}`;
}

/**
 * The memory as the manager's prompt shows it. Flat: one `[id] content` line per item in insertion
 * order. Typed: the core paragraph, then the semantic and episodic lists, each in its own tag, so the
 * model sees which kind every id belongs to (Mem-α's tools name the kind with the id).
 */
export function renderMemoryView(view: MemoryView): string {
  if (view.layout === "flat")
    return view.items.length === 0 ? EMPTY_MEMORY_TEXT : view.items.map(renderMemoryItem).join("\n");
  const core = view.items.find((item) => item.memoryType === "core");
  const list = (type: "semantic" | "episodic") => {
    const lines = view.items.filter((item) => item.memoryType === type).map(renderMemoryItem);
    return lines.length === 0 ? EMPTY_MEMORY_TEXT : lines.join("\n");
  };
  return [
    `<core_memory>\n${core?.content ?? EMPTY_MEMORY_TEXT}\n</core_memory>`,
    `<semantic_memory>\n${list("semantic")}\n</semantic_memory>`,
    `<episodic_memory>\n${list("episodic")}\n</episodic_memory>`,
  ].join("\n");
}
