import type { ToolDefinition } from "@finemem/spec";
import { type ToolSetId, toolSetOf } from "../tools/tool-sets.js";
import { versionedPromptHash } from "./prompt-text.js";

/**
 * How the model is asked to write its calls:
 * - `tools`: the tool definitions go in the request's `tools` field and the server's tool parser turns
 *   the model's output into OpenAI `tool_calls` (vLLM `--enable-auto-tool-choice`, SGLang, llama.cpp
 *   with `--jinja`, Ollama, hosted APIs);
 * - `text`: the definitions are written into the system prompt and the model writes
 *   `<tool_call>{json}</tool_call>` blocks itself (servers without a tool parser, raw completions).
 * The parser reads both either way, so a model that ignores the instruction still scores its calls.
 */
export type CallStyle = "tools" | "text";

/**
 * A versioned memory-manager prompt. The wording is this project's own; the Mem-α template keeps
 * Mem-α's tool names and arguments (and its three memory kinds) so Mem-α checkpoints run unchanged.
 * Changing any text means a new `version`: the hash recorded in run manifests and decisions changes
 * with it, so results from two wordings are never mixed up.
 */
export interface ManagerPromptTemplate {
  /** e.g. `finemem-flat-v1`. */
  readonly version: string;
  readonly toolSet: ToolSetId;
  readonly system: string;
  /** Placeholders: `{memory}`, `{chunk_id}`, `{chunk}`. */
  readonly user: string;
  /** Appended to the system prompt in the `text` call style; `{tools}` is the tools' JSON. */
  readonly textCallInstructions: string;
}

const TEXT_CALL_INSTRUCTIONS = [
  "",
  "You can call these tools:",
  "{tools}",
  "",
  "Write each call on its own as",
  '<tool_call>{"name": "<tool name>", "arguments": {<arguments as JSON>}}</tool_call>',
  "and put every call for this chunk in this one reply.",
].join("\n");

export const FLAT_MANAGER_PROMPT: ManagerPromptTemplate = {
  version: "finemem-flat-v1",
  toolSet: "flat",
  system: [
    "You keep the long-term memory of an assistant. The assistant will later be asked questions about a long history that it can no longer read; it will only see the memory you write.",
    "The history reaches you one chunk at a time, together with the memory as it stands. Decide how the memory must change to keep everything a later question could ask about the chunk, and make each change with one tool call:",
    "- memory_insert: add one self-contained fact (name the people, things and dates it is about, so it reads correctly on its own).",
    "- memory_update: when the chunk changes or completes a fact that is already stored, rewrite that item by its id instead of adding a second, conflicting item.",
    "- memory_delete: remove an item that the chunk shows to be wrong, or that repeats another.",
    "- memory_skip: when the chunk holds nothing worth keeping.",
    "Prefer one fact per item, keep items short, and never copy the chunk wholesale. Make every call for this chunk in this one reply; the calls are applied in order.",
  ].join("\n"),
  user: '<memory>\n{memory}\n</memory>\n\n<chunk id="{chunk_id}">\n{chunk}\n</chunk>',
  textCallInstructions: TEXT_CALL_INSTRUCTIONS,
};

export const MEMALPHA_MANAGER_PROMPT: ManagerPromptTemplate = {
  version: "memalpha-typed-v1",
  toolSet: "memalpha",
  system: [
    "You keep the long-term memory of an assistant, which will later answer questions about a long history from this memory alone.",
    "The memory has three parts:",
    "- core memory: one short paragraph that is always shown: who the user is, what is being read, or the rules behind labelled examples (label 1 means ..., label 2 means ...). Rewrite it with memory_update; it cannot be inserted.",
    '- semantic memory: facts and knowledge, one per item ("Ada is the user\'s sister", "Sample: ...; Label: ...").',
    '- episodic memory: events with their time ("On 2024-05-02 the user moved to Lisbon").',
    "The history reaches you one chunk at a time. Update the memory so that it keeps what a later question could ask about the chunk: new_memory_insert adds an item, memory_update rewrites an item by id (or the core paragraph), memory_delete removes one.",
    "Keep every update brief, and make all calls for this chunk in this one reply.",
  ].join("\n"),
  user: '{memory}\n\n<new_chunk id="{chunk_id}">\n{chunk}\n</new_chunk>',
  textCallInstructions: TEXT_CALL_INSTRUCTIONS,
};

export type ManagerPromptName = "flat" | "memalpha";

export const MANAGER_PROMPTS: Readonly<Record<ManagerPromptName, ManagerPromptTemplate>> = {
  flat: FLAT_MANAGER_PROMPT,
  memalpha: MEMALPHA_MANAGER_PROMPT,
};

/** The tool definitions a template's tool set sends, in order. */
export function toolsOf(template: ManagerPromptTemplate): readonly ToolDefinition[] {
  return toolSetOf(template.toolSet).tools;
}

/**
 * A short, stable hash of everything that shapes what the model sees besides the memory and the chunk:
 * the version, both texts, the call style and the tool definitions. Recorded as `promptHash`.
 */
export function managerPromptHash(template: ManagerPromptTemplate, callStyle: CallStyle): string {
  return versionedPromptHash(template.version, {
    version: template.version,
    toolSet: template.toolSet,
    system: template.system,
    user: template.user,
    callStyle,
    textCallInstructions: callStyle === "text" ? template.textCallInstructions : null,
    tools: toolsOf(template),
  });
}
