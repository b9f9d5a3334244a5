import { randomBytes } from "node:crypto";
import {
  AbortedError,
  type CallOptions,
  type ChatMessage,
  type LanguageModel,
  type LanguageModelRequest,
  type LanguageModelResponse,
  languageModelRequestValidator,
  languageModelResponseValidator,
  SPECIFICATION_VERSION,
  throwIfAborted,
} from "@finemem/spec";
import type { TransformersDtype } from "@finemem/utils";
import { createConcurrencyLimiter, createSeededRandom, importOptionalPeer } from "@finemem/utils";
import { UnsupportedOptionError } from "../http/errors.js";
import { LocalModelError, peerLoadError } from "../local/local-model-error.js";
import { locateModel } from "./locate-model.js";
import { type ChoiceRule, chooseToken } from "./token-chooser.js";
import {
  resolveTransformersModelOptions,
  type TransformersDevice,
  type TransformersModelOptions,
} from "./transformers-model-options.js";

/** A spec {@link LanguageModel} running an ONNX causal LM in this process with transformers.js. */
export interface TransformersModel extends LanguageModel {
  /** The folder the model was loaded from (for a hub model, its snapshot in the Hugging Face cache). */
  readonly modelPath: string;
  /** The commit loaded, for a hub model; `null` for a local folder. */
  readonly revision: string | null;
  readonly dtype: TransformersDtype;
  readonly device: TransformersDevice;
  /** The prompt text the model is given for `request`: the messages (and tools) through the model's chat template. */
  renderPrompt(request: Pick<LanguageModelRequest, "messages" | "tools">): string;
  /** Releases the onnxruntime session; `generate` then fails with `load_failed`. */
  dispose(): Promise<void>;
}

// The slices of transformers.js this backend uses, typed loosely: its own types are JSDoc-generated and
// change between releases, and only these calls matter here.
interface TensorLike {
  readonly dims: readonly number[];
  readonly data: ArrayLike<number | bigint>;
  tolist(): unknown;
}
interface Tokenizer {
  (text: string, options: { add_special_tokens: boolean }): { input_ids: TensorLike; attention_mask: TensorLike };
  apply_chat_template(messages: unknown[], options: Record<string, unknown>): unknown;
  decode(ids: readonly number[], options: { skip_special_tokens: boolean }): string;
}
interface CausalModel {
  generate(options: Record<string, unknown>): Promise<TensorLike>;
  dispose(): Promise<unknown>;
}
type Transformers = typeof import("@huggingface/transformers");
type CallableClass = new () => object;

/**
 * Loads a chat model with transformers.js and returns it as a spec `LanguageModel`.
 *
 * - The prompt is the model's own chat template (`apply_chat_template` with the request's tools), so
 *   a model trained on tool calls sees them as it was trained; calls come back in the text
 *   (`<tool_call>` blocks and the like), which `parseManagerReply` reads.
 * - Decoding is greedy at temperature 0 and sampled otherwise, drawing from the request's seed, so one
 *   seed gives one reply whatever else the process does. An unset temperature is 1, as in the OpenAI
 *   API and the llama.cpp backend, so swapping backends never changes how a request is decoded. Sampling only reads the request:
 *   the model's generation_config.json defaults (repetition penalty and the like) are not applied.
 * - Every reply carries its token ids and one log-probability per generated token, under the
 *   distribution the token was drawn from (softmax(logits / T) after top-k / top-p; plain softmax for
 *   greedy). `stop` strings end the reply; the text stops before the stop string.
 * - One generation at a time per model: onnxruntime parallelises inside a call.
 *
 * Loading never lets transformers.js reach the network: a local folder is loaded by absolute path with
 * `local_files_only`, and a hub model is first put into the Hugging Face cache with `@huggingface/hub`.
 *
 * @throws {ModelConfigError} for bad options; {@link LocalModelError} when the model cannot be found,
 *   fetched or loaded (naming the path); `AbortedError` when the signal fires.
 */
export async function createTransformersModel(
  options: TransformersModelOptions,
  callOptions: CallOptions = {},
): Promise<TransformersModel> {
  const resolved = resolveTransformersModelOptions(options);
  const { signal } = callOptions;
  throwIfAborted(signal);
  const located = await locateModel(resolved, signal);
  throwIfAborted(signal);
  const transformers = await importOptionalPeer(
    "@huggingface/transformers",
    "@finemem/policy/transformers",
    () => import("@huggingface/transformers"),
    peerLoadError,
  );

  let tokenizer: Tokenizer;
  let model: CausalModel;
  try {
    tokenizer = (await transformers.AutoTokenizer.from_pretrained(located.dir, {
      local_files_only: true,
    })) as unknown as Tokenizer;
    model = (await transformers.AutoModelForCausalLM.from_pretrained(located.dir, {
      local_files_only: true,
      dtype: resolved.dtype,
      device: resolved.device,
      ...(resolved.threads === undefined
        ? {}
        : { session_options: { intraOpNumThreads: resolved.threads, interOpNumThreads: 1 } }),
    })) as unknown as CausalModel;
  } catch (error) {
    const detail = (error as Error)?.message ?? String(error);
    // A device that cannot start (no WebGPU adapter) is not the files' fault.
    const deviceFailed = resolved.device !== "cpu" && /webgpu|adapter|execution provider/i.test(detail);
    throw new LocalModelError(
      deviceFailed ? "load_failed" : "model_corrupt",
      deviceFailed
        ? `transformers.js could not start device ${resolved.device} for the model at ${located.dir}: ${detail}`
        : `transformers.js could not load the model at ${located.dir}: ${detail}`,
      { modelPath: located.dir, cause: error },
    );
  }

  const modelId =
    resolved.modelId ??
    (resolved.dtype === "fp32" ? located.defaultModelId : `${located.defaultModelId}:${resolved.dtype}`);
  const oneAtATime = createConcurrencyLimiter(1);
  let disposed = false;

  const renderPrompt = (request: Pick<LanguageModelRequest, "messages" | "tools">): string => {
    const rendered = tokenizer.apply_chat_template(request.messages.map(toTemplateMessage), {
      add_generation_prompt: true,
      tokenize: false,
      ...(request.tools === undefined || request.tools.length === 0
        ? {}
        : {
            tools: request.tools.map((tool) => ({
              type: "function",
              function: { name: tool.name, description: tool.description, parameters: tool.parameters },
            })),
          }),
    });
    if (typeof rendered !== "string")
      throw new LocalModelError("generation_failed", `the chat template of ${modelId} did not render to text`, {
        modelPath: located.dir,
      });
    return rendered;
  };

  return {
    specificationVersion: SPECIFICATION_VERSION,
    provider: "transformers-js",
    modelId,
    modelPath: located.dir,
    revision: located.revision,
    dtype: resolved.dtype,
    device: resolved.device,
    renderPrompt,
    async dispose() {
      if (disposed) return;
      disposed = true;
      await model.dispose();
    },
    async generate(
      rawRequest: LanguageModelRequest,
      generateOptions: CallOptions = {},
    ): Promise<LanguageModelResponse> {
      const request = languageModelRequestValidator.parse(rawRequest);
      refuseUnsupported(request);
      const callSignal = generateOptions.signal;
      throwIfAborted(callSignal);
      if (disposed)
        throw new LocalModelError("load_failed", `the model ${modelId} was disposed`, { modelPath: located.dir });
      const prompt = renderPrompt(request);
      return oneAtATime.run(
        () =>
          generateOnce(transformers, tokenizer, model, {
            modelId,
            prompt,
            request,
            defaultMaxTokens: resolved.defaultMaxTokens,
            signal: callSignal,
          }),
        callSignal,
      );
    },
  };
}

interface GenerationJob {
  readonly modelId: string;
  readonly prompt: string;
  readonly request: LanguageModelRequest;
  readonly defaultMaxTokens: number;
  readonly signal: AbortSignal | undefined;
}

async function generateOnce(
  transformers: Transformers,
  tokenizer: Tokenizer,
  model: CausalModel,
  job: GenerationJob,
): Promise<LanguageModelResponse> {
  const sampling = job.request.sampling ?? {};
  const rule: ChoiceRule = {
    temperature: sampling.temperature ?? 1,
    ...(sampling.topK === undefined ? {} : { topK: sampling.topK }),
    ...(sampling.topP === undefined ? {} : { topP: sampling.topP }),
  };
  const random = createSeededRandom(sampling.seed ?? randomBytes(8).toString("hex"));
  const maxNewTokens = sampling.maxTokens ?? job.defaultMaxTokens;
  // The chat template already holds the special tokens, so encoding adds none (as apply_chat_template's tokenize does).
  const inputs = tokenizer(job.prompt, { add_special_tokens: false });
  const promptTokenIds = Array.from(inputs.input_ids.data, Number);

  const chosen: number[] = [];
  const logprobs: number[] = [];
  // Chooses each token itself (greedy, or a seeded draw), records its log-probability, and leaves
  // only that token possible, so transformers.js' greedy selection takes exactly this choice.
  const LogitsProcessor = transformers.LogitsProcessor as unknown as CallableClass;
  class ChooseAndRecord extends LogitsProcessor {
    _call(_inputIds: unknown, logits: TensorLike): TensorLike {
      const row = logits.data as Float32Array;
      const choice = chooseToken(row, rule, random);
      chosen.push(choice.token);
      logprobs.push(choice.logprob);
      if (rule.temperature > 0) {
        row.fill(Number.NEGATIVE_INFINITY);
        row[choice.token] = 0;
      }
      return logits;
    }
  }
  const stops = sampling.stop ?? [];
  let stoppedBy: string | null = null;
  const StoppingCriteria = transformers.StoppingCriteria as unknown as CallableClass;
  class StopOnTextOrAbort extends StoppingCriteria {
    _call(): boolean[] {
      if (job.signal?.aborted) return [true];
      if (stops.length === 0) return [false];
      const text = tokenizer.decode(chosen, { skip_special_tokens: true });
      stoppedBy = stops.find((stop) => text.includes(stop)) ?? null;
      return [stoppedBy !== null];
    }
  }

  let sequences: TensorLike;
  try {
    sequences = await model.generate({
      ...inputs,
      max_new_tokens: maxNewTokens,
      // Only the request decides how tokens are chosen: the processors transformers.js would add from
      // the model's generation_config.json are switched off.
      generation_config: {
        do_sample: false,
        repetition_penalty: 1,
        no_repeat_ngram_size: 0,
        bad_words_ids: null,
        min_length: 0,
        min_new_tokens: null,
        forced_bos_token_id: null,
        forced_eos_token_id: null,
        suppress_tokens: null,
        begin_suppress_tokens: null,
        guidance_scale: null,
      },
      logits_processor: [new ChooseAndRecord()],
      stopping_criteria: [new StopOnTextOrAbort()],
    });
  } catch (error) {
    throw new LocalModelError(
      "generation_failed",
      `${job.modelId} failed while generating: ${(error as Error)?.message ?? String(error)}`,
      { cause: error },
    );
  }
  if (job.signal?.aborted) throw new AbortedError(job.signal.reason);

  const all = (sequences.tolist() as bigint[][])[0]!.map(Number);
  const responseTokenIds = all.slice(promptTokenIds.length);
  // A guard on the mechanism above: what transformers.js appended must be what was chosen.
  if (responseTokenIds.length !== chosen.length || responseTokenIds.some((token, index) => token !== chosen[index])) {
    throw new LocalModelError(
      "generation_failed",
      `${job.modelId}: the generated tokens differ from the chosen ones (${responseTokenIds.length} vs ${chosen.length})`,
    );
  }
  let text = tokenizer.decode(responseTokenIds, { skip_special_tokens: true });
  let finishReason: LanguageModelResponse["finishReason"] = responseTokenIds.length >= maxNewTokens ? "length" : "stop";
  const stop: string | null = stoppedBy;
  if (stop !== null) {
    text = text.slice(0, text.indexOf(stop));
    finishReason = "stop";
  }
  return languageModelResponseValidator.parse({
    text,
    toolCalls: [],
    finishReason,
    usage: { promptTokens: promptTokenIds.length, completionTokens: responseTokenIds.length },
    modelId: job.modelId,
    ...(job.request.returnTokenIds === true ? { promptTokenIds, responseTokenIds } : {}),
    ...(job.request.logprobs === true
      ? {
          responseLogprobs: logprobs.map((value) => Math.min(0, value)),
          ...(job.request.returnTokenIds === true ? {} : { responseTokenIds }),
        }
      : {}),
    // chooseToken returns the probability in the distribution it drew from (after temperature, top-k
    // and top-p); a greedy choice has none to draw from and returns the model's own softmax.
    ...(job.request.logprobs === true ? { logprobDistribution: rule.temperature > 0 ? "sampled" : "raw" } : {}),
  });
}

/** What an in-process model cannot honour is refused before any work, never ignored. */
function refuseUnsupported(request: LanguageModelRequest): void {
  if (request.headers !== undefined && Object.keys(request.headers).length > 0) {
    throw new UnsupportedOptionError(["headers"], "HTTP headers mean nothing to a model running in this process");
  }
  if (request.toolChoice !== undefined && request.toolChoice !== "auto" && request.toolChoice !== "none") {
    throw new UnsupportedOptionError(
      ["toolChoice"],
      "tools are offered through the chat template; a call cannot be forced (use auto or none)",
    );
  }
}

/** A spec chat message as chat templates expect it (OpenAI's shape, which HF templates read). */
function toTemplateMessage(message: ChatMessage): Record<string, unknown> {
  switch (message.role) {
    case "assistant":
      return {
        role: "assistant",
        content: message.content,
        ...(message.toolCalls === undefined || message.toolCalls.length === 0
          ? {}
          : {
              tool_calls: message.toolCalls.map((call) => ({
                id: call.id,
                type: "function",
                function: { name: call.name, arguments: parseArguments(call.arguments) },
              })),
            }),
      };
    case "tool":
      return { role: "tool", tool_call_id: message.toolCallId, content: message.content };
    default:
      return { role: message.role, content: message.content };
  }
}

// Templates render arguments with `tojson`; a JSON string would be quoted twice.
function parseArguments(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
