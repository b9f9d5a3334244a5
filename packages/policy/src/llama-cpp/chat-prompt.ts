import type { ChatMessage } from "@finemem/spec";
import type { ChatHistoryItem, Token } from "node-llama-cpp";
import type { LlamaRuntime } from "./load-llama-runtime.js";

/** A request's messages as the model's prompt, and how the model's chat format ends a reply. */
export interface ChatPrompt {
  readonly tokens: readonly Token[];
  /** Texts that end the reply in this chat format (e.g. a next-turn header), matched on the decoded text. */
  readonly stopTexts: readonly string[];
  /** Token sequences that end it where the chat format marks the end with special tokens. */
  readonly stopTokenSequences: readonly (readonly Token[])[];
}

/**
 * Renders `messages` with the model's chat wrapper and tokenizes the result, ending with the opening
 * of a new assistant turn. Message text is always tokenized as plain text, so text that spells a
 * special token (`</s>`, `<|im_end|>`) stays text. Messages must be system, user or assistant messages
 * without tool calls (the backend refuses the others before this).
 */
export function renderChatPrompt(runtime: LlamaRuntime, messages: readonly ChatMessage[]): ChatPrompt {
  // biome-ignore lint/suspicious/useIterableCallbackReturn: the switch covers every ChatMessage role (TypeScript checks that it is exhaustive); a default branch would lose that check
  const chatHistory: ChatHistoryItem[] = messages.map((message): ChatHistoryItem => {
    switch (message.role) {
      case "system":
        return { type: "system", text: message.content };
      case "user":
        return { type: "user", text: message.content };
      case "assistant":
        return { type: "model", response: [message.content] };
      case "tool":
        throw new TypeError("tool messages are refused before the prompt is rendered");
    }
  });
  // An empty model turn at the end is how node-llama-cpp's wrappers render the generation prompt.
  chatHistory.push({ type: "model", response: [] });
  const state = runtime.chatWrapper.generateContextState({ chatHistory });
  const stopTexts: string[] = [];
  const stopTokenSequences: Token[][] = [];
  for (const trigger of state.stopGenerationTriggers) {
    if (trigger.values.every((value) => typeof value === "string")) {
      const text = trigger.toString();
      if (text.length > 0) stopTexts.push(text);
    } else {
      const tokens = trigger.tokenize(runtime.model.tokenizer, "trimLeadingSpace");
      if (tokens.length > 0) stopTokenSequences.push(tokens);
    }
  }
  return { tokens: state.contextText.tokenize(runtime.model.tokenizer), stopTexts, stopTokenSequences };
}
