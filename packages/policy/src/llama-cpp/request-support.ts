import type { LanguageModelRequest } from "@finemem/spec";
import { UnsupportedOptionError } from "../http/errors.js";
import { toolSetOf } from "../tools/tool-sets.js";
import type { ResolvedOperationGrammarOptions } from "./operation-grammar.js";

/** How the reply is returned: as text, or (with the operation grammar) as the tool set's tool calls. */
export type ReplyForm = "text" | "tool_calls";

/**
 * Refuses, before anything is generated, what this backend cannot honour (nothing is ignored silently),
 * and decides the reply form. Tool calls need the operation grammar and the grammar's whole tool set:
 * the grammar lets the model use every tool of the set, so a request offering other tools, fewer tools
 * or one forced tool cannot be honoured. `toolChoice: "none"` is honoured by answering in text.
 */
export function checkRequestSupport(
  request: LanguageModelRequest,
  grammar: ResolvedOperationGrammarOptions | undefined,
): ReplyForm {
  if (request.headers !== undefined && Object.keys(request.headers).length > 0) {
    throw new UnsupportedOptionError(
      ["headers"],
      "a local llama.cpp model sends no HTTP request, so headers would be ignored; expected no headers",
    );
  }
  request.messages.forEach((message, index) => {
    if (message.role === "tool") {
      throw new UnsupportedOptionError(
        ["messages", index, "role"],
        "the llama-cpp backend does not render tool results; expected system, user and assistant messages",
      );
    }
    if (message.role === "assistant" && message.toolCalls !== undefined && message.toolCalls.length > 0) {
      throw new UnsupportedOptionError(
        ["messages", index, "toolCalls"],
        "the llama-cpp backend does not render earlier tool calls; expected assistant messages with text only",
      );
    }
  });

  const tools = request.tools ?? [];
  const toolChoice = request.toolChoice;
  if (tools.length === 0) {
    if (toolChoice !== undefined && toolChoice !== "auto" && toolChoice !== "none") {
      throw new UnsupportedOptionError(
        ["toolChoice"],
        'the request offers no tools to choose; expected no toolChoice, "auto" or "none"',
      );
    }
    return "text";
  }
  if (toolChoice === "none") return "text";
  if (grammar === undefined) {
    throw new UnsupportedOptionError(
      ["tools"],
      'this llama-cpp model has no operationGrammar, so it cannot produce tool calls; create it with operationGrammar: { toolSet } for a memory manager, or send the request without tools (call style "text")',
    );
  }
  const expected = toolSetOf(grammar.toolSet).tools.map((tool) => tool.name);
  const offered = new Set(tools.map((tool) => tool.name));
  if (offered.size !== expected.length || !expected.every((name) => offered.has(name))) {
    throw new UnsupportedOptionError(
      ["tools"],
      `the operation grammar produces the ${grammar.toolSet} tool set's calls (${expected.join(", ")}); the request offers ${[...offered].join(", ")}`,
    );
  }
  if (typeof toolChoice === "object") {
    throw new UnsupportedOptionError(
      ["toolChoice"],
      `the operation grammar lets the model choose among all ${grammar.toolSet} tools; expected "auto", "required" or "none", not one forced tool`,
    );
  }
  return "tool_calls";
}
