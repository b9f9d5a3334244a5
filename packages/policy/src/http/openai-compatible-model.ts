import {
  AbortedError,
  type CallOptions,
  type LanguageModel,
  type LanguageModelRequest,
  type LanguageModelResponse,
  SPECIFICATION_VERSION,
  type SpecificationVersion,
  throwIfAborted,
} from "@finemem/spec";
import { createConcurrencyLimiter } from "@finemem/utils";
import { sleep } from "./clock.js";
import { ModelConfigError, ModelHttpError, ModelNetworkError, ModelTimeoutError } from "./errors.js";
import { type OpenAICompatibleModelOptions, type ResolvedModelOptions, resolveModelOptions } from "./model-options.js";
import { checkRequest } from "./request-check.js";
import { type BodyContext, toChatCompletionBody } from "./request-mapping.js";
import { mapChatCompletion, parseJsonBody, type ResponseExpectations, readReportedUsage } from "./response-mapping.js";
import { backoffDelayMs, isRetryableStatus, parseRetryAfterMs } from "./retry-policy.js";
import type { ServingEngine } from "./serving-engine.js";
import type { SpentUsage, UsageLedger } from "./usage-ledger.js";

/** A {@link LanguageModel} served over an OpenAI-compatible /chat/completions endpoint. */
export interface OpenAICompatibleModel extends LanguageModel {
  readonly specificationVersion: SpecificationVersion;
  readonly provider: "openai-compatible";
  /** The served model name sent as `model`. */
  readonly modelId: string;
  /** The API root, without a trailing slash. */
  readonly baseURL: string;
  readonly engine: ServingEngine;
  /** The ledger role this model's calls are recorded under. */
  readonly role: string;
  readonly ledger: UsageLedger;
  /** Requests in flight at once at most. */
  readonly concurrency: number;
}

/** How one HTTP attempt ended, when the caller did not abort it. */
type AttemptOutcome =
  | { readonly kind: "response"; readonly status: number; readonly retryAfter: string | null; readonly text: string }
  | { readonly kind: "timeout" }
  | { readonly kind: "network"; readonly cause: unknown };

const NOTHING_EXPECTED: ResponseExpectations = Object.freeze({ logprobs: false, returnTokenIds: false });

/**
 * Creates the backend. Options are validated here, so a misconfigured model fails at construction
 * with a {@link ModelConfigError} naming the option, not at its first call.
 *
 * A call: validates the request, maps it (refusing, before anything is sent, options the engine cannot
 * honour), checks the ledger's caps, waits for a concurrency slot, checks the caps again (they may have
 * been reached while it waited), then sends attempts until one succeeds, a non-retryable failure occurs
 * or the retry budget is spent.
 */
export function createOpenAICompatibleModel(options: OpenAICompatibleModelOptions): OpenAICompatibleModel {
  const config = resolveModelOptions(options);
  const limiter = createConcurrencyLimiter(config.concurrency);
  const { ledger, role } = config;
  const bodyContext: BodyContext = { model: config.model, engine: config.engine, extraBody: config.extraBody };

  const generate = async (
    request: LanguageModelRequest,
    callOptions: CallOptions = {},
  ): Promise<LanguageModelResponse> => {
    const signal = callOptions.signal;
    throwIfAborted(signal);
    const checked = checkRequest(request);
    const body = JSON.stringify(toChatCompletionBody(checked, bodyContext));
    // A fresh object per call even without request headers: a user-supplied fetch may add to it.
    const headers = { ...config.headers };
    if (checked.headers !== undefined)
      for (const name of Object.keys(checked.headers)) headers[name.toLowerCase()] = checked.headers[name] as string;
    const expect =
      checked.logprobs === true || checked.returnTokenIds === true
        ? { logprobs: checked.logprobs === true, returnTokenIds: checked.returnTokenIds === true }
        : NOTHING_EXPECTED;

    ledger.assertCanStart(role);
    const release = await limiter.acquire(signal);
    try {
      ledger.assertCanStart(role);
      // The slot is held across the backoff waits of this call: a server answering 429 or 503 is
      // overloaded, and letting a queued call in during the wait would defeat the backoff.
      return await runAttempts(config, body, headers, expect, signal);
    } finally {
      release();
    }
  };

  return {
    specificationVersion: SPECIFICATION_VERSION,
    provider: "openai-compatible",
    modelId: config.model,
    baseURL: config.baseURL,
    engine: config.engine,
    role,
    ledger,
    concurrency: config.concurrency,
    generate,
  };
}

async function runAttempts(
  config: ResolvedModelOptions,
  body: string,
  headers: Record<string, string>,
  expect: ResponseExpectations,
  signal: AbortSignal | undefined,
): Promise<LanguageModelResponse> {
  const { ledger, role, retry, clock } = config;
  // Tokens a failed call was billed for (a malformed 200 that still reported usage).
  let spentOnFailure: SpentUsage | undefined;
  let sent = 0;
  try {
    for (let attempt = 1; ; attempt++) {
      throwIfAborted(signal);
      ledger.recordAttempt(role, attempt > 1);
      sent++;
      const outcome = await sendOnce(config, body, headers, signal);

      if (outcome.kind === "response" && outcome.status >= 200 && outcome.status < 300) {
        // A malformed 2xx body is never retried: the server has generated (and billed) the tokens, and
        // a deterministic server bug would fail the same way on every retry.
        let json: unknown;
        try {
          json = parseJsonBody(outcome.text);
          const mapped = mapChatCompletion(json, expect, outcome.text);
          ledger.recordSuccess(role, {
            ...mapped.response.usage,
            costUsd: costOf(config, mapped.response.usage),
            usageReported: mapped.usageReported,
          });
          // The body cannot say which distribution its log-probabilities are from: the configuration does.
          if (mapped.response.responseLogprobs === undefined || config.logprobDistribution === undefined)
            return mapped.response;
          return { ...mapped.response, logprobDistribution: config.logprobDistribution };
        } catch (error) {
          const reported = readReportedUsage(json);
          if (reported !== undefined)
            spentOnFailure = { ...reported, costUsd: costOf(config, reported), usageReported: true };
          throw error;
        }
      }

      const retryable = outcome.kind !== "response" || isRetryableStatus(outcome.status);
      const retryAfterMs = outcome.kind === "response" ? parseRetryAfterMs(outcome.retryAfter, clock.now()) : undefined;
      if (!retryable || attempt > retry.maxRetries) throw failureError(config, outcome, attempt, retryAfterMs);

      let delayMs: number;
      if (retryAfterMs !== undefined && outcome.kind === "response") {
        if (retryAfterMs > retry.maxRetryAfterMs) {
          throw failureError(
            config,
            outcome,
            attempt,
            retryAfterMs,
            `The server asked to wait ${retryAfterMs / 1000} s (Retry-After: ${outcome.retryAfter}), more than maxRetryAfterMs (${retry.maxRetryAfterMs} ms), so the call was not retried.`,
          );
        }
        // The server knows when it will have capacity again; its answer replaces our own backoff.
        delayMs = retryAfterMs;
      } else {
        delayMs = jitteredDelay(config, attempt - 1);
      }
      await sleep(clock, delayMs, signal);
    }
  } catch (error) {
    // A call aborted before its first request is not a failed call: nothing reached the server.
    if (sent > 0) ledger.recordFailure(role, spentOnFailure);
    throw error;
  }
}

/**
 * One POST with its own timeout. The timeout and the caller's signal both abort the same controller,
 * which cancels the connection and the body read alike. Throws {@link AbortedError} only for the caller.
 */
async function sendOnce(
  config: ResolvedModelOptions,
  body: string,
  headers: Record<string, string>,
  signal: AbortSignal | undefined,
): Promise<AttemptOutcome> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = config.clock.setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`timed out after ${config.timeoutMs} ms`));
  }, config.timeoutMs);
  const onAbort = (): void => controller.abort(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const response = await config.fetch(config.chatCompletionsURL, {
      method: "POST",
      headers,
      body,
      signal: controller.signal,
    });
    const text = await response.text();
    const status = response.status;
    // Only a failed attempt reads Retry-After; skipping the header lookup on success saves work per call.
    const retryAfter = status >= 200 && status < 300 ? null : response.headers.get("retry-after");
    return { kind: "response", status, retryAfter, text };
  } catch (cause) {
    if (signal?.aborted) throw new AbortedError(signal.reason);
    if (timedOut) return { kind: "timeout" };
    return { kind: "network", cause };
  } finally {
    config.clock.clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
}

function failureError(
  config: ResolvedModelOptions,
  outcome: AttemptOutcome,
  attempts: number,
  retryAfterMs: number | undefined,
  reason?: string,
): Error {
  const url = config.chatCompletionsURL;
  switch (outcome.kind) {
    case "timeout":
      return new ModelTimeoutError({ timeoutMs: config.timeoutMs, attempts, url });
    case "network":
      return new ModelNetworkError({ attempts, url, cause: outcome.cause });
    case "response": {
      // OpenAI-compatible servers (vLLM, SGLang, llama.cpp, Ollama) serve /v1/chat/completions: a 404
      // from a base URL without /v1 is almost always that.
      const missingV1 =
        outcome.status === 404 && !/\/v1\/?$/.test(config.baseURL)
          ? `The baseURL ends without /v1: try ${config.baseURL.replace(/\/+$/, "")}/v1.`
          : undefined;
      const because = [reason, missingV1].filter((part) => part !== undefined).join(" ");
      return new ModelHttpError({
        status: outcome.status,
        body: outcome.text,
        attempts,
        url,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        ...(because === "" ? {} : { reason: because }),
      });
    }
  }
}

function jitteredDelay(config: ResolvedModelOptions, retryIndex: number): number {
  try {
    return backoffDelayMs(config.retry, retryIndex, config.random);
  } catch (error) {
    throw new ModelConfigError(["random"], error instanceof Error ? error.message : String(error));
  }
}

function costOf(config: ResolvedModelOptions, usage: { promptTokens: number; completionTokens: number }): number {
  if (config.pricing === undefined) return 0;
  return (
    (usage.promptTokens * config.pricing.promptUsdPerMillion +
      usage.completionTokens * config.pricing.completionUsdPerMillion) /
    1_000_000
  );
}
