import { promptView, type RecentItemsOptions } from "@finemem/memory";
import {
  type CallOptions,
  type LanguageModel,
  type LanguageModelResponse,
  type MemoryPolicy,
  type PolicyDecision,
  type PolicyInput,
  type SamplingOptions,
  SPECIFICATION_VERSION,
  throwIfAborted,
} from "@finemem/spec";
import { parseManagerReply } from "../parser/parse-manager-reply.js";
import { buildManagerMessages } from "../prompts/build-manager-messages.js";
import {
  type CallStyle,
  MANAGER_PROMPTS,
  type ManagerPromptName,
  type ManagerPromptTemplate,
  managerPromptHash,
  toolsOf,
} from "../prompts/manager-prompts.js";
import { toolSetOf } from "../tools/tool-sets.js";
import { PolicyOptionsError } from "./policy-options-error.js";

export interface LlmMemoryPolicyOptions {
  readonly model: LanguageModel;
  /** `flat` (Fine-Mem's operations, the default), `memalpha` (Mem-α's typed tools) or your own template. */
  readonly prompt?: ManagerPromptName | ManagerPromptTemplate;
  /** Default `tools`. */
  readonly callStyle?: CallStyle;
  /** Rollouts sample at temperature 1.0 with at most 2048 new tokens in the papers' training runs. */
  readonly sampling?: SamplingOptions;
  /** Ask for per-token log-probabilities (needed for the action's log-probability). Default true; always on in training steps. */
  readonly logprobs?: boolean;
  /**
   * Ask the serving engine for prompt and response token ids (vLLM, SGLang). Default false; always
   * on in training steps (`PolicyInput.training`), which need an engine that returns them.
   */
  readonly returnTokenIds?: boolean;
  /** Extra HTTP headers for every call, e.g. a session id for verl's agent gateway. */
  readonly headers?: { readonly [name: string]: string };
  /** Show only the most recent N items per memory type (the core paragraph always). Default: all. */
  readonly viewWindow?: RecentItemsOptions;
  /** Recorded in results; default `llm:<modelId>:<prompt version>`. */
  readonly policyId?: string;
  /** Replies longer than this many characters are parsed up to the cap. */
  readonly maxInputChars?: number;
}

/** What the model produced, as one string for the run log: the text, then any structured tool calls. */
function rawOutputOf(response: LanguageModelResponse): string {
  if (response.toolCalls.length === 0) return response.text;
  const calls = response.toolCalls.map(
    (call) => `<tool_call>{"name": ${JSON.stringify(call.name)}, "arguments": ${call.arguments}}</tool_call>`,
  );
  return [response.text, ...calls].filter((part) => part.length > 0).join("\n");
}

/**
 * The memory manager π_θ over any spec {@link LanguageModel}: one generation per chunk, holding every
 * call of the step, parsed into operations with one outcome per call-like fragment. The action's
 * log-probability is the sum of the response tokens' log-probabilities when the backend returns them.
 * Model errors (HTTP, spending cap, abort) propagate: a step that never got a reply has no decision.
 *
 * A training step (`input.training`) asks for token ids and log-probabilities whatever the options
 * say, and the decision carries what a trainer needs besides them: the messages sent, the response
 * text and tool calls, the finish reason, the sampling settings and the distribution the engine took
 * the log-probabilities under. Evaluation steps leave those out.
 */
export function createLlmMemoryPolicy(options: LlmMemoryPolicyOptions): MemoryPolicy {
  const template = typeof options.prompt === "object" ? options.prompt : MANAGER_PROMPTS[options.prompt ?? "flat"];
  if (template === undefined)
    throw new PolicyOptionsError(
      "prompt",
      `expected "flat", "memalpha" or a template, got ${JSON.stringify(options.prompt)}`,
    );
  const callStyle = options.callStyle ?? "tools";
  if (callStyle !== "tools" && callStyle !== "text")
    throw new PolicyOptionsError("callStyle", `expected "tools" or "text", got ${JSON.stringify(callStyle)}`);
  const toolSet = toolSetOf(template.toolSet);
  const promptHash = managerPromptHash(template, callStyle);
  const logprobs = options.logprobs ?? true;
  return {
    specificationVersion: SPECIFICATION_VERSION,
    policyId: options.policyId ?? `llm:${options.model.modelId}:${template.version}`,
    layout: toolSet.layout,
    async decide(input: PolicyInput, callOptions?: CallOptions): Promise<PolicyDecision> {
      throwIfAborted(callOptions?.signal);
      const view = options.viewWindow === undefined ? input.view : promptView(input.view, options.viewWindow);
      const training = input.training === true;
      const messages = buildManagerMessages(template, callStyle, view, input.chunk);
      const response = await options.model.generate(
        {
          messages,
          ...(callStyle === "tools" ? { tools: toolsOf(template), toolChoice: "auto" as const } : {}),
          ...(options.sampling === undefined ? {} : { sampling: options.sampling }),
          ...(logprobs || training ? { logprobs: true } : {}),
          ...(options.returnTokenIds === true || training ? { returnTokenIds: true } : {}),
          ...(options.headers === undefined ? {} : { headers: options.headers }),
        },
        callOptions,
      );
      // A server with a tool parser has already taken every call out of the text; reading the text as
      // well would count a call twice where a server also leaves the raw blocks in `content`.
      const parsed = parseManagerReply(
        { text: response.toolCalls.length > 0 ? "" : response.text, toolCalls: response.toolCalls },
        {
          toolSet: template.toolSet,
          ...(options.maxInputChars === undefined ? {} : { maxInputChars: options.maxInputChars }),
        },
      );
      const logprobValues = response.responseLogprobs;
      return {
        operations: parsed.operations,
        parseOutcomes: parsed.parseOutcomes,
        rawOutput: rawOutputOf(response),
        actionLogprob:
          logprobValues === undefined
            ? null
            : {
                value: Math.min(
                  0,
                  logprobValues.reduce((sum, value) => sum + value, 0),
                ),
                source: "tokens",
                count: logprobValues.length,
              },
        promptHash,
        ...(response.promptTokenIds === undefined ? {} : { promptTokenIds: response.promptTokenIds }),
        ...(response.responseTokenIds === undefined ? {} : { responseTokenIds: response.responseTokenIds }),
        ...(logprobValues === undefined ? {} : { responseLogprobs: logprobValues }),
        usage: response.usage,
        ...(training
          ? {
              promptMessages: messages,
              responseText: response.text,
              responseToolCalls: response.toolCalls,
              finishReason: response.finishReason,
              sampling: options.sampling ?? {},
              ...(response.logprobDistribution === undefined
                ? {}
                : { logprobDistribution: response.logprobDistribution }),
            }
          : {}),
      };
    },
  };
}
