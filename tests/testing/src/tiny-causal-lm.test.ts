import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import onnxProto from "onnx-proto";
import { afterAll, describe, expect, it } from "vitest";
import { writeTinyCausalLm } from "./tiny-causal-lm.ts";

const root = mkdtempSync(join(tmpdir(), "finemem-tiny-lm-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("writeTinyCausalLm", () => {
  it("writes the folder transformers.js loads, with a KV-cache signature of fixed head sizes", async () => {
    const model = await writeTinyCausalLm(join(root, "a"), { layers: 2, kvHeads: 2, hidden: 32, heads: 4 });
    expect(readdirSync(model.dir).sort()).toEqual([
      "config.json",
      "generation_config.json",
      "onnx",
      "tokenizer.json",
      "tokenizer_config.json",
    ]);
    const graph = onnxProto.onnx.ModelProto.decode(readFileSync(join(model.dir, "onnx", "model.onnx"))).graph!;
    const inputs = graph.input!.map((input) => input.name);
    expect(inputs).toEqual([
      "input_ids",
      "attention_mask",
      "position_ids",
      "past_key_values.0.key",
      "past_key_values.0.value",
      "past_key_values.1.key",
      "past_key_values.1.value",
    ]);
    expect(graph.output!.map((output) => output.name)).toEqual([
      "logits",
      "present.0.key",
      "present.0.value",
      "present.1.key",
      "present.1.value",
    ]);
    const pastShape = graph.input![3]!.type!.tensorType!.shape!.dim!.map((dim) => dim.dimParam || Number(dim.dimValue));
    expect(pastShape).toEqual(["batch_size", 2, "past_sequence_length", 8]);
    const config = JSON.parse(readFileSync(join(model.dir, "config.json"), "utf8"));
    expect(config).toMatchObject({
      model_type: "llama",
      vocab_size: model.vocabSize,
      eos_token_id: model.specialTokenIds.imEnd,
      use_cache: true,
    });
    expect(JSON.parse(readFileSync(join(model.dir, "tokenizer_config.json"), "utf8")).chat_template).toBe(
      model.chatTemplate,
    );
  });

  it("writes the same bytes for the same options, other weights for another seed", async () => {
    const [first, second, other] = await Promise.all([
      writeTinyCausalLm(join(root, "b")),
      writeTinyCausalLm(join(root, "c")),
      writeTinyCausalLm(join(root, "d"), { seed: 7 }),
    ]);
    const bytes = (dir: string) => readFileSync(join(dir, "onnx", "model.onnx"));
    expect(bytes(first.dir).equals(bytes(second.dir))).toBe(true);
    expect(bytes(first.dir).equals(bytes(other.dir))).toBe(false);
  });

  it("refuses a shape the graph cannot take", async () => {
    await expect(writeTinyCausalLm(join(root, "e"), { hidden: 30, heads: 4 })).rejects.toThrow(/heads/);
  });
});
