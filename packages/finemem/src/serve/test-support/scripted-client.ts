// The client's model in the serve tests: it reads the chunk out of a step prompt and stores its
// sentences with memory_insert calls, as a manager LLM answering in the flat tool set would.
import type { LanguageModelResponse } from "@finemem/spec";
import { splitSentences } from "@finemem/utils";

export interface ScriptedOutputOptions {
  /** Names the tool-call ids. Default 1. */
  readonly step?: number;
  /** The sentences stored: those whose index this accepts (default all), at most `limit`. */
  readonly keep?: (index: number) => boolean;
  readonly limit?: number;
  /** Adds engine token ids and log-probabilities, as a training client sends them. */
  readonly tokens?: boolean;
}

/** The chunk text of a step prompt (its last user message). */
export function chunkOfPrompt(prompt: {
  readonly messages: readonly { readonly role: string; readonly content: string }[];
}): string {
  const user = prompt.messages.filter((message) => message.role === "user").at(-1)!.content;
  return /<chunk id="[^"]*">\n([\s\S]*?)\n<\/chunk>/.exec(user)![1]!;
}

export function scriptedOutput(
  prompt: { readonly messages: readonly { readonly role: string; readonly content: string }[] },
  options: ScriptedOutputOptions = {},
): LanguageModelResponse {
  const sentences = splitSentences(chunkOfPrompt(prompt))
    .filter((_, index) => options.keep?.(index) ?? true)
    .slice(0, options.limit);
  return {
    text: "",
    toolCalls: sentences.map((sentence, index) => ({
      id: `call-${options.step ?? 1}-${index}`,
      name: "memory_insert",
      arguments: JSON.stringify({ content: sentence.text }),
    })),
    finishReason: "tool_calls",
    usage: { promptTokens: 10, completionTokens: sentences.length },
    ...(options.tokens === true
      ? {
          promptTokenIds: [1, 2, 3],
          responseTokenIds: [4, 5, 6],
          responseLogprobs: [-0.5, -0.25, -0.125],
          logprobDistribution: "sampled" as const,
        }
      : {}),
  };
}
