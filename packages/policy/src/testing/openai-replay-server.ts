import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local OpenAI-compatible server that answers POST /v1/chat/completions from a script, for tests
 * and benchmarks of the HTTP backend over real sockets: recorded bodies, error statuses with headers,
 * malformed bodies, hanging and dropped connections.
 */

/** A request the server received, in arrival order. */
export interface ReceivedRequest {
  readonly method: string;
  /** The request path, query included, e.g. `/v1/chat/completions`. */
  readonly path: string;
  /** Header names are lower case (node:http's spelling). */
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body; the raw text when it is not JSON; undefined when empty. */
  readonly body: unknown;
}

/** When to answer, shared by every entry kind. */
export interface ReplayTiming {
  /** Real milliseconds to wait before answering (for benchmarks: tests use a manual clock instead). */
  readonly delayMs?: number;
  /** Answer only once this settles: a test holds responses back and releases them at will. */
  readonly waitFor?: PromiseLike<unknown>;
}

/** Answers with `status` (default 200), `headers` and `body`: an object is sent as JSON, a string as is (for malformed bodies). */
export interface ReplayResponse extends ReplayTiming {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: object | string;
}

/** Never answers; close() destroys the socket. */
export interface ReplayHang {
  readonly hang: true;
}

/** Drops the connection without answering, which the client sees as a network error. */
export interface ReplayDestroy extends ReplayTiming {
  readonly destroy: true;
}

export type ReplayEntry = ReplayResponse | ReplayHang | ReplayDestroy;

/** Entries consumed in order, or a function choosing the entry from the request body and its 0-based index. */
export type ReplayScript =
  | readonly ReplayEntry[]
  | ((requestBody: unknown, index: number) => ReplayEntry | Promise<ReplayEntry>);

export interface ReplayServerOptions {
  /** Default 0: any free port. */
  readonly port?: number;
}

export interface OpenAIReplayServer {
  /** e.g. `http://127.0.0.1:53211/v1`, ready to pass as the model's baseURL. */
  readonly baseURL: string;
  /** Every request received, in order (the array grows as requests arrive). */
  readonly requests: ReceivedRequest[];
  /** Requests received and not yet answered or dropped. */
  inFlight(): number;
  /** The largest {@link OpenAIReplayServer.inFlight} seen so far. */
  maxInFlight(): number;
  /** Resolves once at least `count` requests have been received. */
  waitForRequests(count: number): Promise<void>;
  /** Stops listening and destroys every open connection, hanging ones included. */
  close(): Promise<void>;
}

const CHAT_COMPLETIONS_PATH = "/v1/chat/completions";

export async function startOpenAIReplayServer(
  script: ReplayScript,
  options: ReplayServerOptions = {},
): Promise<OpenAIReplayServer> {
  const requests: ReceivedRequest[] = [];
  const requestWaiters: { count: number; resolve: () => void }[] = [];
  const delayTimers = new Set<ReturnType<typeof setTimeout>>();
  let scripted = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let closed = false;

  const nextEntry = async (body: unknown): Promise<ReplayEntry> => {
    const index = scripted++;
    if (typeof script === "function") return script(body, index);
    const entry = script[index];
    if (entry !== undefined) return entry;
    return errorEntry(
      500,
      `openai-replay-server: the script has ${script.length} entries and request #${index + 1} has none; add an entry for every request the test sends (retries included)`,
    );
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const text = await readBody(req);
    const received: ReceivedRequest = {
      method: req.method ?? "",
      path: req.url ?? "",
      headers: req.headers,
      body: parseBody(text),
    };
    requests.push(received);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.once("close", () => inFlight--);
    for (const waiter of requestWaiters.filter((w) => requests.length >= w.count)) {
      requestWaiters.splice(requestWaiters.indexOf(waiter), 1);
      waiter.resolve();
    }

    let entry: ReplayEntry;
    if (req.method !== "POST" || (req.url ?? "").split("?")[0] !== CHAT_COMPLETIONS_PATH) {
      entry = errorEntry(
        404,
        `openai-replay-server serves POST ${CHAT_COMPLETIONS_PATH} only, got ${req.method ?? "?"} ${req.url ?? "?"}`,
      );
    } else {
      try {
        entry = await nextEntry(received.body);
      } catch (error) {
        entry = errorEntry(
          500,
          `openai-replay-server: the script function threw: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    if ("hang" in entry) return;
    if (entry.waitFor !== undefined) await entry.waitFor;
    if (entry.delayMs !== undefined && entry.delayMs > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          delayTimers.delete(timer);
          resolve();
        }, entry.delayMs);
        delayTimers.add(timer);
      });
    }
    // The client may have given up (timeout, abort) while the answer was held back.
    if (closed || res.destroyed) return;
    if ("destroy" in entry) {
      req.socket.destroy();
      return;
    }
    const payload = typeof entry.body === "string" ? entry.body : JSON.stringify(entry.body);
    res.writeHead(entry.status ?? 200, {
      "content-type": "application/json",
      ...entry.headers,
      "content-length": Buffer.byteLength(payload),
    });
    res.end(payload);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { message: `openai-replay-server failed: ${String(error)}` } }));
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    inFlight: () => inFlight,
    maxInFlight: () => maxInFlight,
    waitForRequests(count) {
      if (requests.length >= count) return Promise.resolve();
      return new Promise<void>((resolve) => requestWaiters.push({ count, resolve }));
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const timer of delayTimers) clearTimeout(timer);
      delayTimers.clear();
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      // Hanging requests would keep server.close() waiting forever.
      server.closeAllConnections();
      await stopped;
    },
  };
}

function errorEntry(status: number, message: string): ReplayResponse {
  return { status, body: { error: { message, type: "replay_error", code: status } } };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function parseBody(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** A tool call for {@link chatCompletion}; object arguments are JSON-encoded as servers do. */
export interface ReplayToolCall {
  readonly id?: string;
  readonly name: string;
  readonly arguments: string | Readonly<Record<string, unknown>>;
}

export interface ChatCompletionBodyOptions {
  /** Default "OK" without tool calls, null with them (as vLLM's hermes parser answers). */
  readonly content?: string | null;
  readonly toolCalls?: readonly ReplayToolCall[];
  /** Default "tool_calls" with tool calls, else "stop". */
  readonly finishReason?: string | null;
  /** null leaves `usage` out. Default 12 prompt and 3 completion tokens, or the token-id counts when given. */
  readonly usage?: { readonly promptTokens: number; readonly completionTokens: number } | null;
  /** Default "Qwen/Qwen3-4B-Instruct-2507". */
  readonly model?: string;
  /** One log-probability per completion token; becomes `choices[0].logprobs.content`. */
  readonly logprobs?: readonly number[];
  /** Becomes `choices[0].token_ids`. */
  readonly tokenIds?: readonly number[];
  /** Becomes the top-level `prompt_token_ids`. */
  readonly promptTokenIds?: readonly number[];
}

let completionCounter = 0;

/** A realistic vLLM-shaped chat.completion body (the fields a vLLM 0.10+ server returns, unset extras as null). */
export function chatCompletion(options: ChatCompletionBodyOptions = {}): Record<string, unknown> {
  const n = ++completionCounter;
  const toolCalls = (options.toolCalls ?? []).map((call, index) => ({
    id: call.id ?? `chatcmpl-tool-${n.toString(16).padStart(8, "0")}${index}`,
    type: "function",
    function: {
      name: call.name,
      arguments: typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments),
    },
  }));
  const content = options.content !== undefined ? options.content : toolCalls.length > 0 ? null : "OK";
  const usage =
    options.usage === null
      ? undefined
      : (options.usage ?? {
          promptTokens: options.promptTokenIds?.length ?? 12,
          completionTokens: options.tokenIds?.length ?? options.logprobs?.length ?? 3,
        });
  return {
    id: `chatcmpl-${n.toString(16).padStart(32, "0")}`,
    object: "chat.completion",
    created: 1_758_000_000 + n,
    model: options.model ?? "Qwen/Qwen3-4B-Instruct-2507",
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content,
          refusal: null,
          annotations: null,
          audio: null,
          function_call: null,
          tool_calls: toolCalls,
          reasoning_content: null,
        },
        logprobs:
          options.logprobs === undefined
            ? null
            : {
                content: options.logprobs.map((logprob, i) => ({
                  token: `t${i}`,
                  logprob,
                  bytes: [116, 48 + (i % 10)],
                  top_logprobs: [],
                })),
              },
        finish_reason:
          options.finishReason !== undefined ? options.finishReason : toolCalls.length > 0 ? "tool_calls" : "stop",
        stop_reason: null,
        ...(options.tokenIds === undefined ? {} : { token_ids: [...options.tokenIds] }),
      },
    ],
    service_tier: null,
    system_fingerprint: null,
    ...(usage === undefined
      ? {}
      : {
          usage: {
            prompt_tokens: usage.promptTokens,
            total_tokens: usage.promptTokens + usage.completionTokens,
            completion_tokens: usage.completionTokens,
            prompt_tokens_details: null,
          },
        }),
    prompt_logprobs: null,
    ...(options.promptTokenIds === undefined ? {} : { prompt_token_ids: [...options.promptTokenIds] }),
    kv_transfer_params: null,
  };
}
