import { type CallOptions, SPECIFICATION_VERSION } from "../call-options.js";
import { throwIfAborted } from "../errors.js";
import {
  type LanguageModel,
  type LanguageModelRequest,
  type LanguageModelResponse,
  languageModelRequestValidator,
  languageModelResponseValidator,
} from "../language-model.js";

/** A scripted reply: a full response, or just its text (usage is then counted in characters). */
export type ScriptedReply = LanguageModelResponse | string;

export interface ScriptedLanguageModel extends LanguageModel {
  /** Every request received, in order. */
  readonly calls: readonly LanguageModelRequest[];
}

/**
 * A {@link LanguageModel} that answers from a script: a list consumed in order (an error once it
 * runs out, so a test notices an unexpected call), or a function of the request and call index.
 * Requests and responses are validated, so a consumer that builds a malformed request fails here.
 */
export function createScriptedLanguageModel(
  script: readonly ScriptedReply[] | ((request: LanguageModelRequest, callIndex: number) => ScriptedReply),
  options: { modelId?: string } = {},
): ScriptedLanguageModel {
  const calls: LanguageModelRequest[] = [];
  return {
    specificationVersion: SPECIFICATION_VERSION,
    provider: "scripted",
    modelId: options.modelId ?? "scripted-model",
    calls,
    async generate(request: LanguageModelRequest, callOptions?: CallOptions) {
      throwIfAborted(callOptions?.signal);
      const checked = languageModelRequestValidator.parse(request);
      const index = calls.length;
      calls.push(checked);
      let reply: ScriptedReply | undefined;
      if (typeof script === "function") reply = script(checked, index);
      else reply = script[index];
      if (reply === undefined) throw new Error(`scripted model has no reply for call ${index + 1}`);
      const response: LanguageModelResponse =
        typeof reply === "string"
          ? {
              text: reply,
              toolCalls: [],
              finishReason: "stop",
              usage: {
                promptTokens: checked.messages.reduce((total, message) => total + message.content.length, 0),
                completionTokens: reply.length,
              },
            }
          : reply;
      return languageModelResponseValidator.parse(response);
    },
  };
}
