import type { ChatMessage, LanguageModelRequest, ToolDefinition } from "@finemem/spec";
import { UnsupportedOptionError } from "./errors.js";
import { ENGINE_CAPABILITIES, type ServingEngine } from "./serving-engine.js";

/** What the request body depends on besides the request. */
export interface BodyContext {
  readonly model: string;
  readonly engine: ServingEngine;
  /** Engine-specific fields; the request's own fields win over them (see `OpenAICompatibleModelOptions.extraBody`). */
  readonly extraBody?: Readonly<Record<string, unknown>>;
}

/**
 * The JSON body of POST /chat/completions for an already validated `request`. Throws
 * {@link UnsupportedOptionError} for an option the engine cannot honour, before anything is sent.
 */
export function toChatCompletionBody(request: LanguageModelRequest, context: BodyContext): Record<string, unknown> {
  const capabilities = ENGINE_CAPABILITIES[context.engine];
  const body: Record<string, unknown> = {
    ...context.extraBody,
    model: context.model,
    messages: request.messages.map(toWireMessage),
  };

  if (request.tools !== undefined && request.tools.length > 0) body.tools = request.tools.map(toWireTool);
  if (request.toolChoice !== undefined) {
    body.tool_choice =
      typeof request.toolChoice === "string"
        ? request.toolChoice
        : { type: "function", function: { name: request.toolChoice.name } };
  }

  const sampling = request.sampling ?? {};
  if (sampling.temperature !== undefined) body.temperature = sampling.temperature;
  if (sampling.topP !== undefined) body.top_p = sampling.topP;
  if (sampling.topK !== undefined) {
    if (!capabilities.topK) {
      throw new UnsupportedOptionError(
        ["sampling", "topK"],
        `engine "${context.engine}" does not read top_k on /v1/chat/completions, so the value would be ignored; ` +
          'expected no topK, or engine "vllm", "sglang" or "llama-cpp" when the server is one of those',
      );
    }
    body.top_k = sampling.topK;
  }
  if (sampling.maxTokens !== undefined) body.max_tokens = sampling.maxTokens;
  if (sampling.seed !== undefined) body.seed = sampling.seed;
  if (sampling.stop !== undefined) body.stop = [...sampling.stop];

  if (request.logprobs === true) body.logprobs = true;
  if (request.returnTokenIds === true) {
    if (!capabilities.returnTokenIds) {
      throw new UnsupportedOptionError(
        ["returnTokenIds"],
        `engine "${context.engine}" cannot return token ids through the OpenAI API; ` +
          'expected engine "vllm" (v0.10.2 or later) or "sglang" (a release with return_token_ids on chat completions)',
      );
    }
    body.return_token_ids = true;
  }
  return body;
}

function toWireMessage(message: ChatMessage): Record<string, unknown> {
  switch (message.role) {
    case "system":
    case "user":
      return { role: message.role, content: message.content };
    case "assistant": {
      if (message.toolCalls === undefined || message.toolCalls.length === 0)
        return { role: "assistant", content: message.content };
      return {
        role: "assistant",
        // The OpenAI API wants null rather than "" next to tool calls; servers that render the chat
        // template (vLLM, llama.cpp) then emit no empty text before the calls.
        content: message.content === "" ? null : message.content,
        tool_calls: message.toolCalls.map((call) => ({
          id: call.id,
          type: "function",
          function: { name: call.name, arguments: call.arguments },
        })),
      };
    }
    case "tool":
      return { role: "tool", tool_call_id: message.toolCallId, content: message.content };
  }
}

function toWireTool(tool: ToolDefinition): Record<string, unknown> {
  return {
    type: "function",
    function: { name: tool.name, description: tool.description, parameters: tool.parameters },
  };
}
