import {
  type ConversationTurn,
  type MemoryManager,
  MemoryManagerError,
  type MemoryStep,
  type Recall,
} from "@finemem/agent";
import type { CallOptions } from "@finemem/spec";
import type { LanguageModelMiddleware } from "ai";

type CallParams = Parameters<NonNullable<LanguageModelMiddleware["transformParams"]>>[0]["params"];
type Prompt = CallParams["prompt"];
type GenerateResult = Awaited<ReturnType<NonNullable<LanguageModelMiddleware["wrapGenerate"]>>>;
type StreamResult = Awaited<ReturnType<NonNullable<LanguageModelMiddleware["wrapStream"]>>>;
type StreamPart = StreamResult["stream"] extends ReadableStream<infer Part> ? Part : never;

/** When the observed turns are written to memory. */
export type MemoryFlushMode = "turn" | "budget";

/** Options of {@link createMemoryMiddleware}, all optional. */
export interface MemoryMiddlewareOptions {
  /** Items recalled into the prompt (default: the manager's `topK`). */
  readonly topK?: number;
  /** Recall memory into the prompt (default `true`). */
  readonly recall?: boolean;
  /** Observe each finished turn (default `true`). */
  readonly observe?: boolean;
  /**
   * `"turn"` (default): flush after every observed turn, so what the user just said is recallable on
   * the next call. `"budget"`: leave the turns buffered until they fill the manager's `chunkTokens`
   * (one policy step per chunk, fewer steps; call `memory.flush()` when the session ends).
   */
  readonly flush?: MemoryFlushMode;
  /** Add the "none" block (`EMPTY_RECALL_PROMPT`) when nothing is recalled (default `false`: the prompt is left as it is). */
  readonly includeEmptyRecall?: boolean;
  /** Called with every recall made for a model call. */
  readonly onRecall?: (recall: Recall) => void;
  /** Called with the steps each observed turn ran (none while turns are buffered). */
  readonly onObserve?: (steps: readonly MemoryStep[]) => void;
}

/**
 * A language-model middleware (for `wrapLanguageModel`) that gives the model memory:
 * - `transformParams` recalls memory for the last user message and adds the recalled items, as the
 *   manager's numbered prompt block, in a system message after the prompt's leading system messages;
 * - `wrapGenerate` and `wrapStream` observe the finished turn (the last user message, and the
 *   assistant's text since it, across tool steps) with `memory.observe`, once the model stops for a
 *   reason other than tool calls, then flush it (or not: see {@link MemoryMiddlewareOptions.flush}).
 *
 * A streamed turn is observed when the model's stream ends; the stream closes after memory is written.
 * Recall and observation take the call's `abortSignal`; their errors reject the call (or error the stream).
 */
export function createMemoryMiddleware(
  memory: MemoryManager,
  options: MemoryMiddlewareOptions = {},
): LanguageModelMiddleware {
  const flushMode = options.flush ?? "turn";
  if (flushMode !== "turn" && flushMode !== "budget") {
    throw new MemoryManagerError(
      "invalid_option",
      `flush must be "turn" or "budget", got ${JSON.stringify(flushMode)}`,
      ["flush"],
    );
  }
  const topK = options.topK;
  if (topK !== undefined && (!Number.isInteger(topK) || topK < 1)) {
    throw new MemoryManagerError("invalid_option", `topK must be an integer ≥ 1, got ${String(topK)}`, ["topK"]);
  }
  const recallEnabled = options.recall ?? true;
  const observeEnabled = options.observe ?? true;

  const observeTurn = async (params: CallParams, finalText: string): Promise<void> => {
    const turn = lastUserTurn(params.prompt);
    if (turn === undefined) return;
    const callOptions = signalOf(params.abortSignal);
    const assistant = [...assistantTexts(params.prompt.slice(turn.index + 1)), finalText]
      .filter((text) => text.trim().length > 0)
      .join("\n");
    const turns: ConversationTurn[] = [{ role: "user", content: turn.text }];
    if (assistant.trim().length > 0) turns.push({ role: "assistant", content: assistant });
    const steps: MemoryStep[] = [];
    for (const next of turns) steps.push(...(await memory.observe(next, callOptions)));
    if (flushMode === "turn") steps.push(...(await memory.flush(callOptions)));
    options.onObserve?.(steps);
  };

  return {
    specificationVersion: "v3",
    async transformParams({ params }) {
      if (!recallEnabled) return params;
      const turn = lastUserTurn(params.prompt);
      if (turn === undefined) return params;
      const recall = await memory.recall(turn.text, {
        ...signalOf(params.abortSignal),
        ...(topK === undefined ? {} : { topK }),
      });
      options.onRecall?.(recall);
      if (recall.items.length === 0 && options.includeEmptyRecall !== true) return params;
      const leading = params.prompt.findIndex((message) => message.role !== "system");
      const at = leading === -1 ? params.prompt.length : leading;
      const prompt: Prompt = [
        ...params.prompt.slice(0, at),
        { role: "system", content: recall.prompt },
        ...params.prompt.slice(at),
      ];
      return { ...params, prompt };
    },
    async wrapGenerate({ doGenerate, params }) {
      const result: GenerateResult = await doGenerate();
      if (observeEnabled && result.finishReason.unified !== "tool-calls") {
        const text = result.content
          .flatMap((part) => (part.type === "text" ? [part.text] : []))
          .join("")
          .trim();
        await observeTurn(params, text);
      }
      return result;
    },
    async wrapStream({ doStream, params }) {
      const result: StreamResult = await doStream();
      if (!observeEnabled) return result;
      let text = "";
      let finishedForTools = false;
      let finished = false;
      const observing = new TransformStream<StreamPart, StreamPart>({
        transform(part, controller) {
          if (part.type === "text-delta") text += part.delta;
          if (part.type === "finish") {
            finished = true;
            finishedForTools = part.finishReason.unified === "tool-calls";
          }
          controller.enqueue(part);
        },
        async flush() {
          if (finished && !finishedForTools) await observeTurn(params, text.trim());
        },
      });
      return { ...result, stream: result.stream.pipeThrough(observing) };
    },
  };
}

function signalOf(abortSignal: AbortSignal | undefined): CallOptions {
  return abortSignal === undefined ? {} : { signal: abortSignal };
}

/** The last user message with text, and its position in the prompt. */
function lastUserTurn(prompt: Prompt): { readonly index: number; readonly text: string } | undefined {
  for (let index = prompt.length - 1; index >= 0; index--) {
    const message = prompt[index]!;
    if (message.role !== "user") continue;
    const text = message.content
      .flatMap((part) => (part.type === "text" ? [part.text] : []))
      .join("\n")
      .trim();
    if (text.length > 0) return { index, text };
  }
  return undefined;
}

/** The text of the assistant messages in `messages` (earlier steps of a tool loop). */
function assistantTexts(messages: Prompt): string[] {
  return messages.flatMap((message) =>
    message.role === "assistant"
      ? [
          message.content
            .flatMap((part) => (part.type === "text" ? [part.text] : []))
            .join("")
            .trim(),
        ]
      : [],
  );
}
