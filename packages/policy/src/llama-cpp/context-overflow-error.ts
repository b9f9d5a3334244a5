import { FineMemError } from "@finemem/spec";

/**
 * The prompt and the tokens the reply may take do not fit in the model's context. Refused before
 * generating: llama.cpp would otherwise shift the context and silently drop the start of the prompt.
 * `path` is `["messages"]` when the prompt alone is too long, `["sampling", "maxTokens"]` otherwise.
 */
export class ContextOverflowError extends FineMemError {
  declare readonly code: "context_overflow";
  readonly promptTokens: number;
  readonly maxTokens: number;
  readonly contextSize: number;

  constructor(options: {
    readonly promptTokens: number;
    readonly maxTokens: number;
    readonly contextSize: number;
    readonly modelPath: string;
  }) {
    const promptTooLong = options.promptTokens >= options.contextSize;
    super(
      "context_overflow",
      promptTooLong
        ? `The prompt takes ${options.promptTokens} tokens, more than the context of ${options.contextSize} tokens of ${options.modelPath} holds with room for a reply; raise contextSize or shorten the prompt (e.g. the policy's viewWindow).`
        : `The prompt (${options.promptTokens} tokens) and up to ${options.maxTokens} reply tokens exceed the context of ${options.contextSize} tokens of ${options.modelPath}; raise contextSize or lower maxTokens (a grammar reply needs its whole budget, see operationGrammarTokenBudget).`,
      { path: promptTooLong ? ["messages"] : ["sampling", "maxTokens"] },
    );
    this.promptTokens = options.promptTokens;
    this.maxTokens = options.maxTokens;
    this.contextSize = options.contextSize;
  }
}
