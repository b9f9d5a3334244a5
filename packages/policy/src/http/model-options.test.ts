import { describe, expect, it } from "vitest";
import { createManualClock } from "../testing/manual-clock.js";
import { ModelConfigError } from "./errors.js";
import { type OpenAICompatibleModelOptions, resolveModelOptions } from "./model-options.js";
import { DEFAULT_RETRY_POLICY } from "./retry-policy.js";
import { createUsageLedger } from "./usage-ledger.js";

const valid: OpenAICompatibleModelOptions = { baseURL: "http://localhost:8000/v1", model: "Qwen/Qwen3-4B" };

function configError(options: unknown): ModelConfigError {
  try {
    resolveModelOptions(options as OpenAICompatibleModelOptions);
  } catch (error) {
    if (error instanceof ModelConfigError) return error;
    throw error;
  }
  throw new Error("expected a ModelConfigError");
}

describe("resolveModelOptions", () => {
  it("fills in the defaults", () => {
    const resolved = resolveModelOptions(valid);
    expect(resolved).toMatchObject({
      baseURL: "http://localhost:8000/v1",
      chatCompletionsURL: "http://localhost:8000/v1/chat/completions",
      engine: "generic",
      timeoutMs: 120_000,
      concurrency: 16,
      role: "default",
      retry: DEFAULT_RETRY_POLICY,
      pricing: undefined,
      extraBody: {},
      headers: { "content-type": "application/json", accept: "application/json" },
    });
    expect(resolved.ledger.snapshot().total.attempts).toBe(0);
  });

  it("strips trailing slashes, adds the bearer token and lower-cases header names", () => {
    const resolved = resolveModelOptions({
      ...valid,
      baseURL: "https://api.example.com/v1//",
      apiKey: "sk-1",
      headers: { "X-Session-Id": "s1" },
    });
    expect(resolved.chatCompletionsURL).toBe("https://api.example.com/v1/chat/completions");
    expect(resolved.headers).toMatchObject({ authorization: "Bearer sk-1", "x-session-id": "s1" });
  });

  it("merges partial retry options with the defaults", () => {
    expect(resolveModelOptions({ ...valid, retry: { maxRetries: 0 } }).retry).toEqual({
      ...DEFAULT_RETRY_POLICY,
      maxRetries: 0,
    });
  });

  it.each([
    ["a missing baseURL", { model: "m" }, ["baseURL"], /API root URL/],
    ["a relative baseURL", { ...valid, baseURL: "localhost:8000/v1" }, ["baseURL"], /http: or https:/],
    ["a baseURL that is not a URL", { ...valid, baseURL: "not a url" }, ["baseURL"], /not an absolute URL/],
    [
      "the endpoint instead of the root",
      { ...valid, baseURL: "http://h:8000/v1/chat/completions" },
      ["baseURL"],
      /"http:\/\/h:8000\/v1" instead/,
    ],
    [
      "baseUrl misspelled",
      { baseUrl: "http://h/v1", baseURL: "http://h/v1", model: "m" },
      ["baseUrl"],
      /spelled "baseURL"/,
    ],
    ["an empty model", { ...valid, model: " " }, ["model"], /served model name/],
    ["an unknown engine", { ...valid, engine: "tgi" }, ["engine"], /generic, vllm, sglang, llama-cpp, ollama/],
    ["zero concurrency", { ...valid, concurrency: 0 }, ["concurrency"], /integer ≥ 1/],
    ["fractional concurrency", { ...valid, concurrency: 1.5 }, ["concurrency"], /integer ≥ 1/],
    ["a negative timeout", { ...valid, timeoutMs: -1 }, ["timeoutMs"], /> 0/],
    ["negative maxRetries", { ...valid, retry: { maxRetries: -1 } }, ["retry", "maxRetries"], /integer ≥ 0/],
    ["a multiplier below 1", { ...valid, retry: { multiplier: 0.5 } }, ["retry", "multiplier"], /≥ 1/],
    ["an unknown retry option", { ...valid, retry: { retries: 3 } }, ["retry", "retries"], /maxRetries/],
    [
      "negative pricing",
      { ...valid, pricing: { promptUsdPerMillion: -1, completionUsdPerMillion: 1 } },
      ["pricing", "promptUsdPerMillion"],
      /≥ 0/,
    ],
    [
      "pricing missing a price",
      { ...valid, pricing: { promptUsdPerMillion: 1 } },
      ["pricing", "completionUsdPerMillion"],
      /per million/,
    ],
    [
      "a reserved extraBody key",
      { ...valid, extraBody: { stream: true } },
      ["extraBody", "stream"],
      /set by the backend/,
    ],
    ["a non-string header", { ...valid, headers: { "x-n": 1 } }, ["headers", "x-n"], /string header value/],
    ["a clock without timers", { ...valid, clock: { now: (): number => 0 } }, ["clock"], /setTimeout/],
    ["an empty role", { ...valid, role: "" }, ["role"], /role name/],
    [
      "a ledger cap without pricing",
      { ...valid, ledger: createUsageLedger({ spendingCapUsd: 1 }) },
      ["pricing"],
      /spendingCapUsd/,
    ],
    [
      "an unknown log-probability distribution",
      { ...valid, logprobDistribution: "processed" },
      ["logprobDistribution"],
      /"sampled".*"raw"/,
    ],
  ])("%s → ModelConfigError naming the option", (_name, options, path, message) => {
    const error = configError(options);
    expect(error.code).toBe("model_config");
    expect(error.path).toEqual(path);
    expect(error.message).toMatch(message);
  });

  it("takes the log-probability distribution from the engine unless declared", () => {
    expect(resolveModelOptions(valid).logprobDistribution).toBeUndefined();
    expect(resolveModelOptions({ ...valid, engine: "vllm" }).logprobDistribution).toBe("raw");
    expect(resolveModelOptions({ ...valid, engine: "vllm", logprobDistribution: "sampled" }).logprobDistribution).toBe(
      "sampled",
    );
    expect(resolveModelOptions({ ...valid, engine: "sglang", logprobDistribution: "raw" }).logprobDistribution).toBe(
      "raw",
    );
  });

  it("accepts a complete, valid configuration", () => {
    const clock = createManualClock();
    const ledger = createUsageLedger({ spendingCapUsd: 5 });
    const resolved = resolveModelOptions({
      ...valid,
      engine: "vllm",
      clock,
      ledger,
      role: "manager",
      pricing: { promptUsdPerMillion: 0.1, completionUsdPerMillion: 0.4 },
      extraBody: { chat_template_kwargs: { enable_thinking: false } },
      concurrency: 64,
      timeoutMs: 5000,
      random: () => 0.5,
    });
    expect(resolved.clock).toBe(clock);
    expect(resolved.ledger).toBe(ledger);
    expect(resolved.role).toBe("manager");
  });
});
