// Test support (not exported): scripted replies for the AI SDK's MockLanguageModelV3.
import { MockLanguageModelV3, simulateReadableStream } from "ai/test";

type GenerateResult = Exclude<
  NonNullable<ConstructorParameters<typeof MockLanguageModelV3>[0]>["doGenerate"],
  // biome-ignore lint/suspicious/noExplicitAny: the function form of the option
  ((...args: any[]) => unknown) | readonly unknown[] | undefined
>;

const usage = {
  inputTokens: { total: 10, noCache: 10, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 5, text: 5, reasoning: undefined },
};

/** A reply that calls tools: `[toolName, input]` pairs, ids `call-1`, `call-2`, … */
export function toolCalls(...calls: readonly (readonly [string, unknown])[]): GenerateResult {
  return {
    content: calls.map(([toolName, input], index) => ({
      type: "tool-call" as const,
      toolCallId: `call-${index + 1}`,
      toolName,
      input: JSON.stringify(input),
    })),
    finishReason: { unified: "tool-calls", raw: "tool_calls" },
    usage,
    warnings: [],
  };
}

/** A final text reply. */
export function reply(text: string): GenerateResult {
  return { content: [{ type: "text", text }], finishReason: { unified: "stop", raw: "stop" }, usage, warnings: [] };
}

/** A model answering generate calls with `replies`, in order. */
export function scriptedModel(...replies: GenerateResult[]): MockLanguageModelV3 {
  return new MockLanguageModelV3({ doGenerate: replies });
}

/** A model streaming `text` in words. */
export function streamingModel(text: string): MockLanguageModelV3 {
  const words = text.split(/(?<= )/);
  return new MockLanguageModelV3({
    doStream: async () => ({
      stream: simulateReadableStream({
        chunks: [
          { type: "text-start" as const, id: "t1" },
          ...words.map((delta) => ({ type: "text-delta" as const, id: "t1", delta })),
          { type: "text-end" as const, id: "t1" },
          { type: "finish" as const, finishReason: { unified: "stop" as const, raw: "stop" }, usage },
        ],
      }),
    }),
  });
}
