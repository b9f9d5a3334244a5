import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type ChatMessage,
  type LanguageModelRequest,
  type LanguageModelResponse,
  languageModelResponseValidator,
  memoryOperationValidator,
} from "@finemem/spec";
import { CORRUPT_GGUF_KINDS, rejection, tinyGgufBytes, writeCorruptGguf, writeTinyGguf } from "@finemem/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseManagerReply } from "../parser/parse-manager-reply.js";
import { type ToolSetId, toolSetOf } from "../tools/tool-sets.js";
import {
  createLlamaCppModel,
  type LlamaCppModel,
  LocalModelError,
  type OperationGrammarOptions,
  UnsupportedOptionError,
} from "./index.js";

// Small limits keep each reply under ~230 tokens, so the 80 sampled replies take seconds.
const GRAMMAR = { maxOperations: 3, maxContentChars: 24, maxIdChars: 8 } as const satisfies OperationGrammarOptions;
const MESSAGES: readonly ChatMessage[] = [
  { role: "system", content: "You keep a memory. Reply with memory operations." },
  { role: "user", content: "Ada lives in Paris. Grace works at the Navy." },
];

let dir: string;
let modelPath: string;
const models: LlamaCppModel[] = [];
let flat: LlamaCppModel;
let memalpha: LlamaCppModel;
let plain: LlamaCppModel;

function track(model: LlamaCppModel): LlamaCppModel {
  models.push(model);
  return model;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "finemem-llama-cpp-"));
  modelPath = (await writeTinyGguf(join(dir, "tiny-llama.gguf"))).path;
  flat = track(
    createLlamaCppModel({ modelPath, contextSize: 1024, operationGrammar: { toolSet: "flat", ...GRAMMAR } }),
  );
  memalpha = track(
    createLlamaCppModel({ modelPath, contextSize: 1024, operationGrammar: { toolSet: "memalpha", ...GRAMMAR } }),
  );
  plain = track(createLlamaCppModel({ modelPath, contextSize: 1024 }));
});

afterAll(async () => {
  for (const model of models) await model.dispose();
  await rm(dir, { recursive: true, force: true });
});

function managerRequest(
  toolSet: ToolSetId,
  callStyle: "tools" | "text",
  extra: Partial<LanguageModelRequest> = {},
): LanguageModelRequest {
  return {
    messages: MESSAGES,
    ...(callStyle === "tools" ? { tools: toolSetOf(toolSet).tools, toolChoice: "auto" as const } : {}),
    ...extra,
  };
}

/** How createLlmMemoryPolicy reads a response. */
function parse(response: LanguageModelResponse, toolSet: ToolSetId) {
  return parseManagerReply(
    { text: response.toolCalls.length > 0 ? "" : response.text, toolCalls: response.toolCalls },
    { toolSet },
  );
}

describe("grammar-constrained replies", () => {
  const cases = [
    ["flat", "tools"],
    ["flat", "text"],
    ["memalpha", "tools"],
    ["memalpha", "text"],
  ] as const;

  it.each(cases)(
    "%s, call style %s: 20 replies at temperature 1 all parse into valid operations, none cut off",
    async (toolSet, callStyle) => {
      const model = toolSet === "flat" ? flat : memalpha;
      const replies = new Set<string>();
      let longest = 0;
      for (let seed = 0; seed < 20; seed++) {
        const response = await model.generate(
          managerRequest(toolSet, callStyle, {
            sampling: { temperature: 1, seed: 1000 + seed },
            logprobs: true,
            returnTokenIds: true,
          }),
        );
        expect(languageModelResponseValidator.validate(response).ok).toBe(true);
        expect(response.finishReason).toBe(callStyle === "tools" ? "tool_calls" : "stop");
        if (callStyle === "tools") {
          expect(response.text).toBe("");
          for (const call of response.toolCalls)
            expect(toolSetOf(toolSet).tools.map((tool) => tool.name)).toContain(call.name);
        } else {
          expect(response.toolCalls).toEqual([]);
          expect(response.text).toMatch(/^\{"operations":\[.*\]\}$/);
        }
        const parsed = parse(response, toolSet);
        expect(parsed.parseOutcomes.map((outcome) => outcome.status)).toEqual(parsed.operations.map(() => "parsed"));
        expect(parsed.operations.length).toBeGreaterThanOrEqual(1);
        for (const operation of parsed.operations) expect(memoryOperationValidator.validate(operation).ok).toBe(true);
        // Aligned ids and log-probabilities, the end token included; never past the grammar's budget.
        expect(response.responseTokenIds).toHaveLength(response.usage.completionTokens);
        expect(response.responseLogprobs).toHaveLength(response.usage.completionTokens);
        expect(response.responseTokenIds!.at(-1)).toBe(2);
        expect(response.usage.completionTokens).toBeLessThanOrEqual(model.grammarTokenBudget!);
        longest = Math.max(longest, response.usage.completionTokens);
        replies.add(JSON.stringify([response.text, response.toolCalls]));
      }
      expect(replies.size).toBeGreaterThanOrEqual(15);
      expect(longest).toBeGreaterThan(0);
    },
  );

  it("uses the grammar's worst case as the default maxTokens, and reports a reply cut by a smaller one", async () => {
    expect(flat.grammarTokenBudget).toBe(17 + 3 * (39 + 8 + 24));
    const cut = await flat.generate(
      managerRequest("flat", "tools", { sampling: { temperature: 1, seed: 5, maxTokens: 20 } }),
    );
    expect(cut.finishReason).toBe("length");
    expect(cut.usage.completionTokens).toBe(20);
    expect(cut.toolCalls).toEqual([]);
    expect(parse(cut, "flat").parseOutcomes).toEqual([
      expect.objectContaining({ status: "failed", reason: "truncated" }),
    ]);
  });

  it("gives forced tokens a log-probability of 0 and the others their sampling probability", async () => {
    const response = await flat.generate(
      managerRequest("flat", "text", { sampling: { temperature: 1, seed: 9 }, logprobs: true, returnTokenIds: true }),
    );
    const logprobs = response.responseLogprobs!;
    // `{` has a single token (a byte token) and the end token is the only one left once the JSON is complete.
    expect(logprobs[0]).toBeCloseTo(0, 5);
    expect(logprobs.at(-1)).toBeCloseTo(0, 5);
    expect(logprobs.every((value) => value <= 0 && Number.isFinite(value))).toBe(true);
    // Content characters are drawn from ~90 printable ones: far from certain.
    expect(Math.min(...logprobs)).toBeLessThan(-1);
    expect(response.logprobDistribution).toBe("sampled");
  });

  it("answers a tool request with toolChoice none in text", async () => {
    const response = await flat.generate(
      managerRequest("flat", "tools", { toolChoice: "none", sampling: { seed: 2 } }),
    );
    expect(response.toolCalls).toEqual([]);
    expect(response.finishReason).toBe("stop");
    expect(parse(response, "flat").operations.length).toBeGreaterThan(0);
  });
});

describe("determinism and independence", () => {
  const request = (
    seed: number | undefined,
    temperature = 1,
    extra: Partial<LanguageModelRequest> = {},
  ): LanguageModelRequest =>
    managerRequest("memalpha", "text", {
      sampling: { temperature, ...(seed === undefined ? {} : { seed }) },
      returnTokenIds: true,
      logprobs: true,
      ...extra,
    });

  it("gives the same reply, tokens and log-probabilities for the same seed, whatever ran in between", async () => {
    const first = await memalpha.generate(request(42));
    const other = await memalpha.generate(request(43));
    await plain.generate({ messages: MESSAGES, sampling: { seed: 1, maxTokens: 20 } });
    const again = await memalpha.generate(request(42));
    expect(again).toEqual(first);
    expect(other.text).not.toBe(first.text);
  });

  it("does not let asking for log-probabilities change the reply", async () => {
    const withLogprobs = await memalpha.generate(request(7));
    const without = await memalpha.generate(request(7, 1, { logprobs: false, returnTokenIds: false }));
    expect(without.text).toBe(withLogprobs.text);
    expect(without.responseLogprobs).toBeUndefined();
    expect(without.responseTokenIds).toBeUndefined();
    expect(without).not.toHaveProperty("logprobDistribution");
  });

  it("decodes greedily at temperature 0: the same reply with any seed or none", async () => {
    const greedy = await memalpha.generate(request(undefined, 0));
    expect((await memalpha.generate(request(undefined, 0))).text).toBe(greedy.text);
    expect((await memalpha.generate(request(123, 0))).text).toBe(greedy.text);
    expect(parse(greedy, "memalpha").parseOutcomes.every((outcome) => outcome.status === "parsed")).toBe(true);
    // Greedy under a grammar: a masked softmax, neither sampled nor raw, so nothing is claimed; without one, raw.
    expect(greedy).not.toHaveProperty("logprobDistribution");
    const unconstrained = await plain.generate({
      messages: MESSAGES,
      sampling: { temperature: 0, maxTokens: 8 },
      logprobs: true,
    });
    expect(unconstrained.logprobDistribution).toBe("raw");
  });

  it("draws a fresh seed per call when none is given", async () => {
    const texts = new Set<string>();
    for (let call = 0; call < 4; call++) texts.add((await memalpha.generate(request(undefined))).text);
    expect(texts.size).toBeGreaterThan(1);
  });

  it("runs concurrent calls one at a time, each as if alone", async () => {
    const alone = [
      await flat.generate(managerRequest("flat", "tools", { sampling: { seed: 1 } })),
      await flat.generate(managerRequest("flat", "tools", { sampling: { seed: 2 } })),
    ];
    const together = await Promise.all([
      flat.generate(managerRequest("flat", "tools", { sampling: { seed: 1 } })),
      flat.generate(managerRequest("flat", "tools", { sampling: { seed: 2 } })),
    ]);
    expect(together).toEqual(alone);
  });

  it("loads again after dispose and gives the same replies", async () => {
    const model = track(
      createLlamaCppModel({ modelPath, contextSize: 512, operationGrammar: { toolSet: "flat", ...GRAMMAR } }),
    );
    const before = await model.generate(managerRequest("flat", "text", { sampling: { seed: 3 } }));
    await model.dispose();
    expect(await model.generate(managerRequest("flat", "text", { sampling: { seed: 3 } }))).toEqual(before);
  });
});

describe("plain generation", () => {
  it("renders the chat with the model's wrapper and reports the prompt tokens", async () => {
    expect(await plain.load()).toEqual({
      contextSize: 1024,
      trainContextSize: 2048,
      architecture: "llama",
      chatWrapper: "Llama2Chat",
    });
    const response = await plain.generate({
      messages: MESSAGES,
      sampling: { seed: 4, maxTokens: 8 },
      returnTokenIds: true,
    });
    expect(response.promptTokenIds![0]).toBe(1); // <s>
    expect(response.usage.promptTokens).toBe(response.promptTokenIds!.length);
    expect(response.usage.completionTokens).toBe(response.responseTokenIds!.length);
    expect(response.usage.completionTokens).toBeLessThanOrEqual(8);
    expect(response.modelId).toBe("tiny-llama");
    expect(plain.provider).toBe("llama-cpp");
  });

  it("stops at maxTokens with finishReason length", async () => {
    const response = await plain.generate({ messages: MESSAGES, sampling: { seed: 11, maxTokens: 5 } });
    expect(response).toMatchObject({ finishReason: "length", usage: { completionTokens: 5 } });
  });

  it("ends the reply before a stop text", async () => {
    const base = { messages: MESSAGES, sampling: { temperature: 0, maxTokens: 60 } };
    const full = (await plain.generate(base)).text;
    const at = full.slice(5).search(/[a-z]{2}/) + 5;
    expect(at).toBeGreaterThanOrEqual(5);
    const stop = full.slice(at, at + 2);
    const stopped = await plain.generate({ ...base, sampling: { ...base.sampling, stop: [stop, "never-seen"] } });
    expect(stopped.text).toBe(full.slice(0, full.indexOf(stop)));
    expect(stopped.finishReason).toBe("stop");
  });

  it("uses the chat wrapper asked for, and refuses one node-llama-cpp does not know", async () => {
    const chatML = track(createLlamaCppModel({ modelPath, contextSize: 256, chatWrapper: "chatML" }));
    expect((await chatML.load()).chatWrapper).toBe("ChatML");
    const unknown = track(createLlamaCppModel({ modelPath, contextSize: 256, chatWrapper: "no-such-wrapper" }));
    expect(await rejection(unknown.load())).toMatchObject({ code: "model_config", path: ["chatWrapper"] });
  });

  it("stops when the call is aborted, and the model stays usable", async () => {
    await plain.load();
    const controller = new AbortController();
    const running = plain.generate(
      { messages: MESSAGES, sampling: { seed: 1, maxTokens: 850 } },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 30);
    expect(await rejection(running)).toMatchObject({ code: "aborted" });
    expect(await rejection(plain.generate({ messages: MESSAGES }, { signal: AbortSignal.abort() }))).toMatchObject({
      code: "aborted",
    });
    const after = await plain.generate({ messages: MESSAGES, sampling: { seed: 1, maxTokens: 6 } });
    expect(after.usage.completionTokens).toBeLessThanOrEqual(6);
  });
});

describe("refusals and errors", () => {
  it("refuses what it cannot honour before loading anything", async () => {
    const missing = createLlamaCppModel({ modelPath: join(dir, "absent.gguf"), operationGrammar: { toolSet: "flat" } });
    const noGrammar = createLlamaCppModel({ modelPath: join(dir, "absent.gguf") });
    const refusals: [LlamaCppModel, LanguageModelRequest, (string | number)[]][] = [
      [missing, { messages: MESSAGES, headers: { "x-session-id": "s1" } }, ["headers"]],
      [
        missing,
        { messages: [...MESSAGES, { role: "tool", toolCallId: "call_0", content: "ok" }] },
        ["messages", 2, "role"],
      ],
      [
        missing,
        {
          messages: [
            { role: "assistant", content: "", toolCalls: [{ id: "c1", name: "memory_skip", arguments: "{}" }] },
          ],
        },
        ["messages", 0, "toolCalls"],
      ],
      [noGrammar, managerRequest("flat", "tools"), ["tools"]],
      [missing, managerRequest("memalpha", "tools"), ["tools"]],
      [missing, { ...managerRequest("flat", "tools"), tools: toolSetOf("flat").tools.slice(0, 2) }, ["tools"]],
      [missing, managerRequest("flat", "tools", { toolChoice: { name: "memory_insert" } }), ["toolChoice"]],
      [noGrammar, { messages: MESSAGES, toolChoice: "required" }, ["toolChoice"]],
    ];
    for (const [model, request, path] of refusals) {
      const error = await rejection(model.generate(request));
      expect(error, JSON.stringify(path)).toBeInstanceOf(UnsupportedOptionError);
      expect(error).toMatchObject({ code: "unsupported_option", path });
    }
  });

  it("rejects bad options at construction", () => {
    expect(() => createLlamaCppModel({ modelPath: "" })).toThrow(
      expect.objectContaining({ code: "model_config", path: ["modelPath"] }),
    );
    expect(() => createLlamaCppModel({ modelPath, threads: 0 })).toThrow(
      expect.objectContaining({ code: "model_config", path: ["threads"] }),
    );
    expect(() => createLlamaCppModel({ modelPath, contextSize: 8.5 })).toThrow(
      expect.objectContaining({ code: "model_config", path: ["contextSize"] }),
    );
    expect(() => createLlamaCppModel({ modelPath, gpu: "tpu" as never })).toThrow(
      expect.objectContaining({ code: "model_config", path: ["gpu"] }),
    );
    expect(() => createLlamaCppModel({ modelPath, operationGrammar: { maxOperations: 0 } })).toThrow(
      expect.objectContaining({ path: ["operationGrammar", "maxOperations"] }),
    );
  });

  it("says model_not_found, naming the path, for a missing file, and loads once it is there", async () => {
    const path = join(dir, "later.gguf");
    const model = track(createLlamaCppModel({ modelPath: path, contextSize: 256 }));
    const error = await rejection(model.generate({ messages: MESSAGES }));
    expect(error).toBeInstanceOf(LocalModelError);
    expect(error).toMatchObject({ code: "model_not_found", modelPath: path });
    expect((error as Error).message).toContain(path);
    await writeTinyGguf(path);
    expect((await model.load()).chatWrapper).toBe("Llama2Chat");
  });

  it.each(CORRUPT_GGUF_KINDS)(
    "says model_corrupt, naming the path, for a %s file (and the process survives)",
    async (kind) => {
      const path = await writeCorruptGguf(join(dir, `${kind}.gguf`), kind);
      const model = track(createLlamaCppModel({ modelPath: path, contextSize: 256 }));
      const error = await rejection(model.generate({ messages: MESSAGES }));
      expect(error).toBeInstanceOf(LocalModelError);
      expect(error).toMatchObject({ code: "model_corrupt", modelPath: path });
      expect((error as Error).message).toContain(path);
    },
  );

  it("says model_corrupt when llama.cpp refuses a well-formed GGUF (an architecture it does not know)", async () => {
    const bytes = Buffer.from(tinyGgufBytes());
    const key = Buffer.from("general.architecture");
    // The key, its value type (u32), the value's length (u64), then the value "llama".
    const at = bytes.indexOf(key) + key.length + 4 + 8;
    expect(bytes.toString("latin1", at, at + 5)).toBe("llama");
    bytes.write("llamx", at, "latin1");
    const path = join(dir, "unknown-architecture.gguf");
    await writeFile(path, bytes);
    const error = await rejection(track(createLlamaCppModel({ modelPath: path, contextSize: 256 })).load());
    expect(error).toMatchObject({ code: "model_corrupt", modelPath: path, message: expect.stringContaining(path) });
  });

  it("refuses a prompt and reply that do not fit in the context", async () => {
    // llama.cpp rounds a context up to a multiple of 256 tokens.
    const small = track(createLlamaCppModel({ modelPath, contextSize: 256 }));
    const long = await rejection(small.generate({ messages: [{ role: "user", content: "x".repeat(300) }] }));
    expect(long).toMatchObject({ code: "context_overflow", path: ["messages"], contextSize: 256 });
    const tooMany = await rejection(
      small.generate({ messages: [{ role: "user", content: "hi" }], sampling: { maxTokens: 250 } }),
    );
    expect(tooMany).toMatchObject({ code: "context_overflow", path: ["sampling", "maxTokens"], maxTokens: 250 });
    // The default grammar's worst case (2505 tokens) needs a bigger context than 1024.
    const grammar = track(createLlamaCppModel({ modelPath, contextSize: 1024, operationGrammar: {} }));
    expect(await rejection(grammar.generate({ messages: MESSAGES }))).toMatchObject({
      code: "context_overflow",
      maxTokens: 2505,
    });
  });
});
