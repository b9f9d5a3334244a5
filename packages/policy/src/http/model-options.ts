import { LOGPROB_DISTRIBUTIONS, type LogprobDistribution } from "@finemem/spec";
import { type Clock, systemClock } from "./clock.js";
import { ModelConfigError } from "./errors.js";
import { DEFAULT_RETRY_POLICY, type RetryOptions, type RetryPolicy } from "./retry-policy.js";
import { ENGINE_CAPABILITIES, SERVING_ENGINES, type ServingEngine } from "./serving-engine.js";
import { createUsageLedger, type UsageLedger } from "./usage-ledger.js";

/** Prices in US dollars per million tokens, as providers list them. */
export interface ModelPricing {
  readonly promptUsdPerMillion: number;
  readonly completionUsdPerMillion: number;
}

export interface OpenAICompatibleModelOptions {
  /** The API root, e.g. `http://host:8000/v1`; requests go to `${baseURL}/chat/completions`. */
  readonly baseURL: string;
  /** The served model name sent as `model`. */
  readonly model: string;
  /** Sent as `Authorization: Bearer <apiKey>`. */
  readonly apiKey?: string;
  /** Sent with every request; a request's own `headers` win (e.g. a session id for verl's agent gateway). */
  readonly headers?: Readonly<Record<string, string>>;
  /** The server software, which decides the non-standard fields that may be sent. Default "generic". */
  readonly engine?: ServingEngine;
  /** Per attempt, covering the whole response body. Default 120000. */
  readonly timeoutMs?: number;
  readonly retry?: RetryOptions;
  /** Requests of this model in flight at once; further calls wait first in, first out. Default 16. */
  readonly concurrency?: number;
  /** Time source of every wait and timeout. Default the system clock. */
  readonly clock?: Clock;
  /** Source of the backoff jitter, in [0, 1]. Default Math.random. */
  readonly random?: () => number;
  readonly fetch?: typeof fetch;
  /** The ledger role this model's calls are recorded under. Default "default". */
  readonly role?: string;
  /** Shared accounting (and caps). Default a private ledger without caps. */
  readonly ledger?: UsageLedger;
  /** Used to compute the cost recorded in the ledger; required when the ledger has a spendingCapUsd. */
  readonly pricing?: ModelPricing;
  /**
   * Engine-specific fields merged into every JSON body (e.g. `{ chat_template_kwargs: { enable_thinking: false } }`
   * for vLLM). They act as defaults: a field the request sets itself (temperature, ...) wins.
   */
  readonly extraBody?: Readonly<Record<string, unknown>>;
  /**
   * The distribution the server's log-probabilities are taken under, recorded on every response that
   * has them (training records carry it). Default `raw` for engine `vllm` (its default
   * `--logprobs-mode raw_logprobs`; declare `sampled` for a server started with
   * `--logprobs-mode processed_logprobs`), and not recorded for the other engines unless declared.
   */
  readonly logprobDistribution?: LogprobDistribution;
}

/** Options after validation, with the defaults filled in. */
export interface ResolvedModelOptions {
  readonly baseURL: string;
  readonly chatCompletionsURL: string;
  readonly model: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly engine: ServingEngine;
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  readonly concurrency: number;
  readonly clock: Clock;
  readonly random: () => number;
  readonly fetch: typeof fetch;
  readonly role: string;
  readonly ledger: UsageLedger;
  readonly pricing: ModelPricing | undefined;
  readonly extraBody: Readonly<Record<string, unknown>>;
  readonly logprobDistribution: LogprobDistribution | undefined;
}

const OPTION_KEYS = new Set([
  "baseURL",
  "model",
  "apiKey",
  "headers",
  "engine",
  "timeoutMs",
  "retry",
  "concurrency",
  "clock",
  "random",
  "fetch",
  "role",
  "ledger",
  "pricing",
  "extraBody",
  "logprobDistribution",
]);

/**
 * Body fields extraBody may not set: the model and messages are always the backend's, a streamed
 * answer would not be parsed, and extra choices (`n`) would be paid for and never read.
 */
const RESERVED_BODY_KEYS = new Set(["model", "messages", "stream", "n"]);

export const DEFAULT_TIMEOUT_MS = 120_000;
export const DEFAULT_CONCURRENCY = 16;

/** Validates `options` (a typed error names the first bad option) and fills in the defaults. */
export function resolveModelOptions(options: OpenAICompatibleModelOptions): ResolvedModelOptions {
  if (!isRecord(options)) throw new ModelConfigError([], `expected an options object, got ${describe(options)}`);
  for (const key of Object.keys(options)) {
    if (OPTION_KEYS.has(key)) continue;
    const hint = key.toLowerCase() === "baseurl" ? ' (spelled "baseURL")' : "";
    throw new ModelConfigError([key], `unknown option "${key}"${hint}; expected one of ${[...OPTION_KEYS].join(", ")}`);
  }

  const baseURL = resolveBaseURL(options.baseURL);
  const model = nonEmptyString(options.model, "model", 'the served model name, e.g. "Qwen/Qwen3-4B-Instruct-2507"');
  const apiKey =
    options.apiKey === undefined
      ? undefined
      : nonEmptyString(options.apiKey, "apiKey", "the API key, or no apiKey at all");
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
  if (apiKey !== undefined) headers.authorization = `Bearer ${apiKey}`;
  if (options.headers !== undefined) {
    if (!isRecord(options.headers))
      throw new ModelConfigError(
        ["headers"],
        `expected an object of header names to strings, got ${describe(options.headers)}`,
      );
    for (const [name, value] of Object.entries(options.headers)) {
      if (typeof value !== "string")
        throw new ModelConfigError(["headers", name], `expected a string header value, got ${describe(value)}`);
      headers[name.toLowerCase()] = value;
    }
  }

  const engine = options.engine ?? "generic";
  if (!SERVING_ENGINES.includes(engine)) {
    throw new ModelConfigError(
      ["engine"],
      `unknown engine ${JSON.stringify(engine)}; expected one of ${SERVING_ENGINES.join(", ")}`,
    );
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(typeof timeoutMs === "number" && timeoutMs > 0 && Number.isFinite(timeoutMs))) {
    throw new ModelConfigError(
      ["timeoutMs"],
      `expected a finite number of milliseconds > 0, got ${describe(timeoutMs)}`,
    );
  }
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!(typeof concurrency === "number" && Number.isInteger(concurrency) && concurrency >= 1)) {
    throw new ModelConfigError(
      ["concurrency"],
      `expected an integer ≥ 1 (requests in flight at once), got ${describe(concurrency)}`,
    );
  }

  const clock = options.clock ?? systemClock;
  if (
    !isRecord(clock) ||
    typeof clock.now !== "function" ||
    typeof clock.setTimeout !== "function" ||
    typeof clock.clearTimeout !== "function"
  ) {
    throw new ModelConfigError(["clock"], "expected a Clock with now, setTimeout and clearTimeout functions");
  }
  const random = options.random ?? Math.random;
  if (typeof random !== "function")
    throw new ModelConfigError(["random"], `expected a function returning numbers in [0, 1], got ${describe(random)}`);
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (typeof fetchImpl !== "function")
    throw new ModelConfigError(["fetch"], "expected a fetch function (Node 20 has a global one)");
  const role =
    options.role === undefined
      ? "default"
      : nonEmptyString(options.role, "role", 'a ledger role name such as "manager"');

  const ledger = options.ledger ?? createUsageLedger();
  if (!isRecord(ledger) || typeof ledger.assertCanStart !== "function" || typeof ledger.snapshot !== "function") {
    throw new ModelConfigError(["ledger"], "expected a UsageLedger from createUsageLedger()");
  }
  const pricing = options.pricing === undefined ? undefined : resolvePricing(options.pricing);
  if (pricing === undefined && ledger.spendingCapUsd !== undefined && Number.isFinite(ledger.spendingCapUsd)) {
    // Without prices every call would cost $0 and the cap would never stop anything.
    throw new ModelConfigError(
      ["pricing"],
      "the ledger has a spendingCapUsd, so this model needs pricing ({ promptUsdPerMillion, completionUsdPerMillion }) to count its cost",
    );
  }

  return {
    baseURL,
    chatCompletionsURL: `${baseURL}/chat/completions`,
    model,
    headers,
    engine,
    timeoutMs,
    retry: resolveRetry(options.retry),
    concurrency,
    clock,
    random,
    fetch: fetchImpl,
    role,
    ledger,
    pricing,
    extraBody: resolveExtraBody(options.extraBody),
    logprobDistribution: resolveLogprobDistribution(options.logprobDistribution, engine),
  };
}

function resolveLogprobDistribution(value: unknown, engine: ServingEngine): LogprobDistribution | undefined {
  if (value === undefined) return ENGINE_CAPABILITIES[engine].logprobDistribution;
  if (typeof value !== "string" || !(LOGPROB_DISTRIBUTIONS as readonly string[]).includes(value)) {
    throw new ModelConfigError(
      ["logprobDistribution"],
      `expected "sampled" (after temperature, top-k / top-p and grammar masks) or "raw" (the model's own softmax), got ${describe(value)}`,
    );
  }
  return value as LogprobDistribution;
}

function resolveBaseURL(value: unknown): string {
  const example = "e.g. http://localhost:8000/v1";
  if (typeof value !== "string" || value.trim() === "")
    throw new ModelConfigError(["baseURL"], `expected the API root URL, ${example}; got ${describe(value)}`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ModelConfigError(
      ["baseURL"],
      `${JSON.stringify(value)} is not an absolute URL; expected the API root, ${example}`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ModelConfigError(
      ["baseURL"],
      `expected an http: or https: URL, got ${url.protocol} in ${JSON.stringify(value)}`,
    );
  }
  if (url.search !== "" || url.hash !== "")
    throw new ModelConfigError(["baseURL"], `expected no query or fragment in ${JSON.stringify(value)}; ${example}`);
  const trimmed = url.href.replace(/\/+$/, "");
  if (trimmed.endsWith("/chat/completions")) {
    throw new ModelConfigError(
      ["baseURL"],
      `give the API root, not the endpoint: ${JSON.stringify(trimmed.slice(0, -"/chat/completions".length))} instead of ${JSON.stringify(value)}`,
    );
  }
  return trimmed;
}

function resolveRetry(value: unknown): RetryPolicy {
  if (value === undefined) return DEFAULT_RETRY_POLICY;
  if (!isRecord(value)) throw new ModelConfigError(["retry"], `expected an object, got ${describe(value)}`);
  const keys = Object.keys(DEFAULT_RETRY_POLICY);
  for (const key of Object.keys(value)) {
    if (!keys.includes(key))
      throw new ModelConfigError(["retry", key], `unknown retry option "${key}"; expected one of ${keys.join(", ")}`);
  }
  const read = (key: keyof RetryPolicy, check: (n: number) => boolean, expected: string): number => {
    const given = value[key];
    if (given === undefined) return DEFAULT_RETRY_POLICY[key];
    if (typeof given !== "number" || !check(given))
      throw new ModelConfigError(["retry", key], `expected ${expected}, got ${describe(given)}`);
    return given;
  };
  const finiteAtLeast = (min: number) => (n: number) => Number.isFinite(n) && n >= min;
  const policy: RetryPolicy = {
    maxRetries: read("maxRetries", (n) => Number.isInteger(n) && n >= 0, "an integer ≥ 0"),
    initialDelayMs: read("initialDelayMs", finiteAtLeast(0), "a finite number of ms ≥ 0"),
    maxDelayMs: read("maxDelayMs", finiteAtLeast(0), "a finite number of ms ≥ 0"),
    multiplier: read("multiplier", finiteAtLeast(1), "a finite number ≥ 1"),
    maxRetryAfterMs: read("maxRetryAfterMs", (n) => !Number.isNaN(n) && n >= 0, "a number of ms ≥ 0"),
  };
  return policy;
}

function resolvePricing(value: unknown): ModelPricing {
  if (!isRecord(value))
    throw new ModelConfigError(
      ["pricing"],
      `expected { promptUsdPerMillion, completionUsdPerMillion }, got ${describe(value)}`,
    );
  for (const key of Object.keys(value)) {
    if (key !== "promptUsdPerMillion" && key !== "completionUsdPerMillion") {
      throw new ModelConfigError(
        ["pricing", key],
        `unknown pricing field "${key}"; expected promptUsdPerMillion and completionUsdPerMillion`,
      );
    }
  }
  const read = (key: keyof ModelPricing): number => {
    const given = value[key];
    if (typeof given !== "number" || !Number.isFinite(given) || given < 0) {
      throw new ModelConfigError(
        ["pricing", key],
        `expected US dollars per million tokens (a finite number ≥ 0), got ${describe(given)}`,
      );
    }
    return given;
  };
  return { promptUsdPerMillion: read("promptUsdPerMillion"), completionUsdPerMillion: read("completionUsdPerMillion") };
}

function resolveExtraBody(value: unknown): Readonly<Record<string, unknown>> {
  if (value === undefined) return {};
  if (!isRecord(value))
    throw new ModelConfigError(["extraBody"], `expected an object of JSON body fields, got ${describe(value)}`);
  for (const key of Object.keys(value)) {
    if (RESERVED_BODY_KEYS.has(key)) {
      throw new ModelConfigError(
        ["extraBody", key],
        `"${key}" is set by the backend itself; expected only engine-specific fields such as chat_template_kwargs`,
      );
    }
  }
  return { ...value };
}

function nonEmptyString(value: unknown, name: string, expected: string): string {
  if (typeof value !== "string" || value.trim() === "")
    throw new ModelConfigError([name], `expected ${expected}; got ${describe(value)}`);
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return Array.isArray(value) ? "an array" : typeof value;
}
