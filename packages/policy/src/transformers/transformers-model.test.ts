// The transformers.js backend on a tiny random LLaMA-shaped model the test writes, fully offline. The
// oracles come from transformers.js itself, used directly: the tokenizer's apply_chat_template, a plain
// model.generate call, and a full forward pass over prompt + reply for the log-probabilities.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LanguageModelRequest, languageModelResponseValidator } from "@finemem/spec";
import { deadEndpoint, rejection, startFakeModelHub, writeTinyCausalLm } from "@finemem/testing";
import { AutoModelForCausalLM, AutoTokenizer, Tensor } from "@huggingface/transformers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UnsupportedOptionError } from "../http/errors.js";
import { LocalModelError } from "../local/local-model-error.js";
import { parseManagerReply } from "../parser/parse-manager-reply.js";
import { createTransformersModel, type TransformersModel } from "./transformers-model.js";

const root = mkdtempSync(join(tmpdir(), "finemem-transformers-"));
const dir = join(root, "tiny-causal-lm");
let model: TransformersModel;

beforeAll(async () => {
  await writeTinyCausalLm(dir);
  model = await createTransformersModel({ model: dir, threads: 1 });
});
afterAll(async () => {
  await model?.dispose();
  rmSync(root, { recursive: true, force: true });
});

const request: LanguageModelRequest = {
  messages: [
    { role: "system", content: "You manage a memory." },
    { role: "user", content: "Ada lives in Lyon. Store what matters." },
  ],
  sampling: { temperature: 0, maxTokens: 24 },
  returnTokenIds: true,
  logprobs: true,
};

describe("the transformers.js language model (offline, tiny generated model)", () => {
  it("sends exactly what apply_chat_template renders, and its token ids", async () => {
    const tokenizer = await AutoTokenizer.from_pretrained(dir, { local_files_only: true });
    const messages = request.messages.map((message) => ({ role: message.role, content: message.content }));
    const expected = tokenizer.apply_chat_template(messages, {
      add_generation_prompt: true,
      tokenize: false,
    }) as string;
    expect(model.renderPrompt(request)).toBe(expected);
    expect(expected).toBe(
      "<|im_start|>system\nYou manage a memory.<|im_end|>\n<|im_start|>user\nAda lives in Lyon. Store what matters.<|im_end|>\n<|im_start|>assistant\n",
    );
    const response = await model.generate(request);
    const ids = tokenizer.apply_chat_template(messages, {
      add_generation_prompt: true,
      tokenize: true,
      return_tensor: false,
      return_dict: false,
    }) as number[];
    expect(response.promptTokenIds).toEqual(ids);
  });

  it("greedy decoding is deterministic and equals a plain model.generate call", async () => {
    const first = await model.generate(request);
    const second = await model.generate(request);
    expect(second).toEqual(first);
    expect(first.responseTokenIds).toHaveLength(24);
    expect(first.finishReason).toBe("length");
    // A greedy choice has no sampled distribution: its log-probabilities are the model's own softmax (checked below).
    expect(first.logprobDistribution).toBe("raw");
    expect(first.usage).toEqual({ promptTokens: first.promptTokenIds!.length, completionTokens: 24 });

    const tokenizer = await AutoTokenizer.from_pretrained(dir, { local_files_only: true });
    const direct = await AutoModelForCausalLM.from_pretrained(dir, { local_files_only: true, dtype: "fp32" });
    const inputs = tokenizer(model.renderPrompt(request), { add_special_tokens: false });
    const output = (await direct.generate({ ...inputs, max_new_tokens: 24, do_sample: false })) as Tensor;
    const directIds = (output.tolist() as bigint[][])[0]!.map(Number).slice(first.promptTokenIds!.length);
    expect(first.responseTokenIds).toEqual(directIds);
    expect(first.text).toBe(tokenizer.decode(directIds, { skip_special_tokens: true }));

    // Each greedy log-probability is log softmax of a full forward pass over prompt + reply at that position.
    const all = [...first.promptTokenIds!, ...first.responseTokenIds!];
    const { logits } = (await direct({
      input_ids: new Tensor("int64", BigInt64Array.from(all.map(BigInt)), [1, all.length]),
      attention_mask: new Tensor("int64", new BigInt64Array(all.length).fill(1n), [1, all.length]),
      position_ids: new Tensor("int64", BigInt64Array.from(all.map((_, index) => BigInt(index))), [1, all.length]),
    })) as { logits: Tensor };
    const vocab = logits.dims[2]!;
    const data = logits.data as Float32Array;
    first.responseTokenIds!.forEach((token, index) => {
      const row = data.subarray(
        (first.promptTokenIds!.length - 1 + index) * vocab,
        (first.promptTokenIds!.length + index) * vocab,
      );
      const max = Math.max(...row);
      const logSum = max + Math.log(row.reduce((sum, value) => sum + Math.exp(value - max), 0));
      expect(first.responseLogprobs![index]).toBeCloseTo(row[token]! - logSum, 3);
    });
    await direct.dispose();
  });

  it("samples reproducibly from a seed, with one log-probability per token", async () => {
    const sampled = (seed: number) => model.generate({ ...request, sampling: { temperature: 1, seed, maxTokens: 16 } });
    const a = await sampled(1);
    expect(await sampled(1)).toEqual(a);
    const others = await Promise.all([2, 3, 4].map(sampled));
    expect(others.some((other) => other.text !== a.text)).toBe(true);
    for (const response of [a, ...others]) {
      expect(languageModelResponseValidator.validate(response).ok).toBe(true);
      expect(response.responseLogprobs).toHaveLength(response.responseTokenIds!.length);
      expect(response.logprobDistribution).toBe("sampled");
    }
  });

  it("stops at a stop string, leaving it out of the text", async () => {
    const full = await model.generate(request);
    const stop = full.text.slice(6, 9);
    const stopped = await model.generate({ ...request, sampling: { ...request.sampling, stop: [stop] } });
    expect(stopped.finishReason).toBe("stop");
    expect(stopped.text).toBe(full.text.slice(0, full.text.indexOf(stop)));
  });

  it("its text goes through the manager reply parser", async () => {
    const response = await model.generate({ ...request, sampling: { temperature: 1, seed: 5, maxTokens: 32 } });
    const parsed = parseManagerReply({ text: response.text, toolCalls: response.toolCalls }, { toolSet: "flat" });
    // A random model writes no call: the parser reports the reply, never throws.
    expect(parsed.parseOutcomes.length).toBeGreaterThanOrEqual(0);
    expect(
      parsed.operations.every((operation) => ["INSERT", "UPDATE", "DELETE", "SKIP"].includes(operation.type)),
    ).toBe(true);
  });

  it("refuses what it cannot honour before generating", async () => {
    await expect(model.generate({ ...request, headers: { "x-session": "1" } })).rejects.toBeInstanceOf(
      UnsupportedOptionError,
    );
    await expect(model.generate({ ...request, toolChoice: "required" })).rejects.toBeInstanceOf(UnsupportedOptionError);
  });
});

describe("model files that are missing or broken", () => {
  it("a missing folder is model_not_found, naming the path", async () => {
    const missing = join(root, "nowhere");
    const error = await rejection(createTransformersModel({ model: missing }));
    expect(error).toBeInstanceOf(LocalModelError);
    expect(error).toMatchObject({ code: "model_not_found", modelPath: missing });
    expect((error as Error).message).toContain(missing);
  });

  it("a folder without its ONNX file is model_not_found; a corrupt ONNX file is model_corrupt, naming the path", async () => {
    const broken = join(root, "broken");
    await writeTinyCausalLm(broken);
    rmSync(join(broken, "onnx", "model.onnx"));
    expect(await rejection(createTransformersModel({ model: broken }))).toMatchObject({
      code: "model_not_found",
      modelPath: broken,
    });
    writeFileSync(join(broken, "onnx", "model.onnx"), Buffer.from("this is not an onnx graph"));
    const error = await rejection(createTransformersModel({ model: broken }));
    expect(error).toBeInstanceOf(LocalModelError);
    expect(error).toMatchObject({ code: "model_corrupt", modelPath: broken });
    expect((error as Error).message).toContain(broken);
  });

  it("a hub model not in the cache, offline, is not_cached", async () => {
    const error = await rejection(
      createTransformersModel({ model: "tiny/causal-lm", cache: "offline", cacheDir: join(root, "empty-cache") }),
    );
    expect(error).toMatchObject({ code: "not_cached", modelPath: "tiny/causal-lm" });
  });
});

describe("a hub model, through the Hugging Face cache", () => {
  it("is downloaded at a resolved commit, then loads offline with no server, and generates the same reply", async () => {
    const files = new Map<string, Uint8Array>();
    const walk = (folder: string, prefix: string) => {
      for (const name of readdirSync(folder)) {
        const path = join(folder, name);
        if (statSync(path).isDirectory()) walk(path, `${prefix}${name}/`);
        else files.set(`${prefix}${name}`, readFileSync(path));
      }
    };
    walk(dir, "");
    const hub = await startFakeModelHub("tiny/causal-lm", files);
    const cacheDir = join(root, "hf-cache");
    try {
      const online = await createTransformersModel({ model: "tiny/causal-lm", hubUrl: hub.url, cacheDir });
      expect(online.revision).toBe(hub.commit);
      expect(online.modelId).toBe(`tiny/causal-lm@${hub.commit}`);
      expect(online.modelPath).toBe(join(cacheDir, "models--tiny--causal-lm", "snapshots", hub.commit));
      expect(readdirSync(online.modelPath).sort()).toEqual([
        "config.json",
        "generation_config.json",
        "onnx",
        "tokenizer.json",
        "tokenizer_config.json",
      ]);
      expect((await online.generate(request)).text).toBe((await model.generate(request)).text);
      await online.dispose();
    } finally {
      await hub.close();
    }
    const offline = await createTransformersModel({
      model: "tiny/causal-lm",
      hubUrl: await deadEndpoint(),
      cacheDir,
      cache: "offline",
    });
    expect(offline.revision).toBe(hub.commit);
    expect((await offline.generate(request)).text).toBe((await model.generate(request)).text);
    await offline.dispose();
  });

  it("a dead hub endpoint is download_failed, naming the repository", async () => {
    const error = await rejection(
      createTransformersModel({
        model: "tiny/other",
        hubUrl: await deadEndpoint(),
        cacheDir: join(root, "dead-cache"),
      }),
    );
    expect(error).toBeInstanceOf(LocalModelError);
    expect(error).toMatchObject({ code: "download_failed", modelPath: "tiny/other" });
  });
});

describe("defaults", () => {
  it("an unset temperature samples (1, as in the OpenAI API), so a seed decides the reply", async () => {
    const unset = (seed: number) => model.generate({ messages: request.messages, sampling: { seed, maxTokens: 16 } });
    const replies = await Promise.all([1, 2, 3, 4].map(unset));
    expect(new Set(replies.map((reply) => reply.text)).size).toBeGreaterThan(1);
    expect(replies[0]).toEqual(
      await model.generate({ messages: request.messages, sampling: { temperature: 1, seed: 1, maxTokens: 16 } }),
    );
  });
});
