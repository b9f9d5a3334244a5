/**
 * Writes a tiny, randomly initialised LLaMA-shaped causal language model in the folder layout that
 * transformers.js loads like a hub model: config.json, generation_config.json, tokenizer.json
 * (byte-level BPE), tokenizer_config.json (with a ChatML chat template) and onnx/model.onnx.
 *
 * The graph is a real decoder: RMSNorm, rotary positions, grouped-query attention with a KV cache
 * (past_key_values.* in, present.* out, named as optimum exports them) and a SwiGLU MLP. The cache
 * matters: transformers.js feeds a decoder only the newest token after the first step, so a graph
 * without past/present tensors would silently generate wrong text. Head counts and head size are
 * fixed numbers in the graph's signature because transformers.js builds the empty first-step cache
 * from them.
 *
 * Weights come from a seeded generator, so the same options write the same bytes. An LM-head bias
 * keeps generation on printable ASCII (and, unless `eosBias` is raised, away from the end token), so
 * greedy decoding runs to `max_new_tokens` with text a parser can read. Needs onnx-proto; no Python,
 * no network, a few milliseconds.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import onnxProto from "onnx-proto";

const { onnx } = onnxProto;

export interface TinyCausalLmOptions {
  readonly hidden?: number;
  readonly layers?: number;
  readonly heads?: number;
  readonly kvHeads?: number;
  readonly ffn?: number;
  readonly seed?: number;
  /** Bias on the end-of-turn token's logit: −30 (default) practically never ends a reply, 0 lets the model end it. */
  readonly eosBias?: number;
}

export interface TinyCausalLm {
  readonly dir: string;
  readonly vocabSize: number;
  /** Token ids of `<|endoftext|>`, `<|im_start|>`, `<|im_end|>` (the end-of-turn and end token). */
  readonly specialTokenIds: { readonly endOfText: 0; readonly imStart: 1; readonly imEnd: 2 };
  readonly chatTemplate: string;
}

const SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"] as const;
/** Words that get merges, so common text tokenizes into whole words as with a real vocabulary. */
const WORDS = [
  "the",
  "and",
  "you",
  "are",
  "is",
  "a",
  "to",
  "of",
  "in",
  "it",
  "memory",
  "insert",
  "update",
  "delete",
  "content",
  "type",
  "name",
  "id",
  "lives",
  "works",
  "user",
  "assistant",
  "system",
];
const MAX_POSITIONS = 2048;
const CHAT_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** GPT-2's bytes_to_unicode: printable bytes stand for themselves, the others map to U+0100 onwards. */
function byteAlphabet(): string[] {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const symbols = new Array<string>(256);
  for (const b of printable) symbols[b] = String.fromCodePoint(b);
  let next = 256;
  for (let b = 0; b < 256; b++) if (symbols[b] === undefined) symbols[b] = String.fromCodePoint(next++);
  return symbols;
}

function buildTokenizer() {
  const bytes = byteAlphabet();
  const vocab: Record<string, number> = {};
  const add = (token: string) => {
    if (!(token in vocab)) vocab[token] = Object.keys(vocab).length;
  };
  SPECIALS.forEach(add);
  bytes.forEach(add);
  const merges: [string, string][] = [];
  const seen = new Set<string>();
  // "Ġword" (a word after a space) before the bare word: their merges never clash.
  for (const form of [...WORDS.map((word) => `Ġ${word}`), ...WORDS]) {
    const chars = Array.from(form);
    let current = chars[0]!;
    for (const char of chars.slice(1)) {
      const key = `${current} ${char}`;
      if (!seen.has(key)) {
        seen.add(key);
        merges.push([current, char]);
      }
      current += char;
      add(current);
    }
  }
  return { vocab, merges, bytes, size: Object.keys(vocab).length };
}

/** A small deterministic generator (mulberry32) of floats in [−1, 1). */
function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}

type Dim = number | string;

/** Builds the ONNX graph of the decoder. */
function buildGraph(options: Required<TinyCausalLmOptions>, vocabSize: number) {
  const { hidden: D, layers: L, heads: H, kvHeads: KV, ffn: FF } = options;
  const HD = D / H;
  const REP = H / KV;
  const { FLOAT, INT64, BOOL } = onnx.TensorProto.DataType;
  const initializers: object[] = [];
  const nodes: object[] = [];
  let counter = 0;
  const random = seededUniform(options.seed);

  const floats = (name: string, dims: number[], values: ArrayLike<number>) => {
    initializers.push({ name, dims, dataType: FLOAT, rawData: new Uint8Array(Float32Array.from(values).buffer) });
    return name;
  };
  const ints = (name: string, dims: number[], values: number[]) => {
    initializers.push({
      name,
      dims,
      dataType: INT64,
      rawData: new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer),
    });
    return name;
  };
  const randomFloats = (name: string, dims: number[], scale: number) =>
    floats(
      name,
      dims,
      Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => random() * scale),
    );
  const ones = (name: string, size: number) => floats(name, [size], new Float32Array(size).fill(1));
  const node = (
    opType: string,
    inputs: string[],
    attributes: Record<string, number | number[]> = {},
    outputs?: string[],
  ) => {
    const id = counter++;
    const names = outputs ?? [`${opType.toLowerCase()}_${id}`];
    nodes.push({
      opType,
      name: `${opType}_${id}`,
      input: inputs,
      output: names,
      attribute: Object.entries(attributes).map(([name, value]) =>
        Array.isArray(value)
          ? { name, type: onnx.AttributeProto.AttributeType.INTS, ints: value }
          : { name, type: onnx.AttributeProto.AttributeType.INT, i: value },
      ),
    });
    return names;
  };
  const op = (opType: string, inputs: string[], attributes: Record<string, number | number[]> = {}) =>
    node(opType, inputs, attributes)[0]!;

  const axis1 = ints("axes_1", [1], [1]);
  const axes12 = ints("axes_12", [2], [1, 2]);
  const axisLast = ints("axes_last", [1], [-1]);
  const axis2 = ints("axes_2", [1], [2]);
  const index1 = ints("index_1", [], [1]);
  const zero = ints("zero", [], [0]);
  const one = ints("one", [], [1]);
  const epsilon = floats("rms_epsilon", [], [1e-5]);
  const zeroFloat = floats("zero_float", [], [0]);
  const masked = floats("masked", [], [-1e9]);
  const scale = floats("attention_scale", [], [1 / Math.sqrt(HD)]);
  const queryShape = ints("query_shape", [5], [0, 0, KV, REP, HD]);
  const keyShape = ints("key_shape", [4], [0, 0, KV, HD]);
  const outputShape = ints("output_shape", [3], [0, 0, H * HD]);
  const inverseFrequencies = floats(
    "inverse_frequencies",
    [HD / 2],
    Array.from({ length: HD / 2 }, (_, i) => 1 / 10000 ** ((2 * i) / HD)),
  );

  const rmsNorm = (x: string, weight: string) => {
    const meanSquare = op("ReduceMean", [op("Mul", [x, x])], { axes: [-1], keepdims: 1 });
    return op("Mul", [op("Div", [x, op("Sqrt", [op("Add", [meanSquare, epsilon])])]), weight]);
  };
  // HF LLaMA's rotate_half convention.
  const rotary = (x: string, cos: string, sin: string) => {
    const [first, second] = node("Split", [x], { axis: -1 }, [`split_${counter}_a`, `split_${counter}_b`]) as [
      string,
      string,
    ];
    const rotated = op("Concat", [op("Neg", [second]), first], { axis: -1 });
    return op("Add", [op("Mul", [x, cos]), op("Mul", [rotated, sin])]);
  };

  let x = op("Gather", [randomFloats("model.embed_tokens.weight", [vocabSize, D], 1), "input_ids"]);
  const positions = op("Unsqueeze", [op("Cast", ["position_ids"], { to: FLOAT }), axisLast]);
  const frequencies = op("Mul", [positions, inverseFrequencies]);
  const angles = op("Concat", [frequencies, frequencies], { axis: -1 });
  const cos = op("Cos", [angles]);
  const sin = op("Sin", [angles]);
  const cosKey = op("Unsqueeze", [cos, axis1]);
  const sinKey = op("Unsqueeze", [sin, axis1]);
  const cosQuery = op("Unsqueeze", [cos, axes12]);
  const sinQuery = op("Unsqueeze", [sin, axes12]);

  // Additive mask: key k is visible to query q when k ≤ past + q and the attention mask allows k.
  const total = op("Gather", [op("Shape", ["attention_mask"]), index1]);
  const fresh = op("Gather", [op("Shape", ["input_ids"]), index1]);
  const past = op("Sub", [total, fresh]);
  const keyIndex = op("Range", [zero, total, one]);
  const queryIndex = op("Add", [op("Range", [zero, fresh, one]), past]);
  const causal = op("LessOrEqual", [keyIndex, op("Unsqueeze", [queryIndex, axis1])]);
  const allowed = op("And", [causal, op("Unsqueeze", [op("Cast", ["attention_mask"], { to: BOOL }), axis1])]);
  const maskBias = op("Where", [op("Unsqueeze", [allowed, axes12]), zeroFloat, masked]);

  for (let layer = 0; layer < L; layer++) {
    const prefix = `model.layers.${layer}`;
    const h = rmsNorm(x, ones(`${prefix}.input_layernorm.weight`, D));
    const projectHeads = (weight: string, width: number, shape: string, perm: number[]) =>
      op("Transpose", [op("Reshape", [op("MatMul", [h, randomFloats(weight, [D, width], 1 / Math.sqrt(D))]), shape])], {
        perm,
      });
    const query = projectHeads(`${prefix}.self_attn.q_proj.weight`, H * HD, queryShape, [0, 2, 3, 1, 4]);
    const key = projectHeads(`${prefix}.self_attn.k_proj.weight`, KV * HD, keyShape, [0, 2, 1, 3]);
    const value = projectHeads(`${prefix}.self_attn.v_proj.weight`, KV * HD, keyShape, [0, 2, 1, 3]);
    const keys = node("Concat", [`past_key_values.${layer}.key`, rotary(key, cosKey, sinKey)], { axis: 2 }, [
      `present.${layer}.key`,
    ])[0]!;
    const values = node("Concat", [`past_key_values.${layer}.value`, value], { axis: 2 }, [
      `present.${layer}.value`,
    ])[0]!;
    const keysT = op("Unsqueeze", [op("Transpose", [keys], { perm: [0, 1, 3, 2] }), axis2]);
    const scores = op("Add", [op("Mul", [op("MatMul", [rotary(query, cosQuery, sinQuery), keysT]), scale]), maskBias]);
    const context = op("MatMul", [op("Softmax", [scores], { axis: -1 }), op("Unsqueeze", [values, axis2])]);
    const merged = op("Reshape", [op("Transpose", [context], { perm: [0, 3, 1, 2, 4] }), outputShape]);
    x = op("Add", [
      x,
      op("MatMul", [merged, randomFloats(`${prefix}.self_attn.o_proj.weight`, [H * HD, D], 1 / Math.sqrt(D))]),
    ]);
    const h2 = rmsNorm(x, ones(`${prefix}.post_attention_layernorm.weight`, D));
    const gate = op("MatMul", [h2, randomFloats(`${prefix}.mlp.gate_proj.weight`, [D, FF], 1 / Math.sqrt(D))]);
    const up = op("MatMul", [h2, randomFloats(`${prefix}.mlp.up_proj.weight`, [D, FF], 1 / Math.sqrt(D))]);
    const activated = op("Mul", [op("Mul", [gate, op("Sigmoid", [gate])]), up]);
    x = op("Add", [
      x,
      op("MatMul", [activated, randomFloats(`${prefix}.mlp.down_proj.weight`, [FF, D], 1 / Math.sqrt(FF))]),
    ]);
  }
  const bias = new Float32Array(vocabSize);
  for (let id = 0; id < vocabSize; id++) {
    if (id < SPECIALS.length) bias[id] = id === 2 ? options.eosBias : -30;
    else if (id < SPECIALS.length + 256) {
      const byte = id - SPECIALS.length;
      bias[id] = (byte >= 0x20 && byte <= 0x7e) || byte === 0x0a ? 0 : -30;
    }
  }
  node(
    "Add",
    [
      op("MatMul", [rmsNorm(x, ones("model.norm.weight", D)), randomFloats("lm_head.weight", [D, vocabSize], 1)]),
      floats("lm_head.bias", [vocabSize], bias),
    ],
    {},
    ["logits"],
  );

  const valueInfo = (name: string, elemType: number, dims: Dim[]) => ({
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((dim) => (typeof dim === "string" ? { dimParam: dim } : { dimValue: dim })) },
      },
    },
  });
  const inputs = [
    valueInfo("input_ids", INT64, ["batch_size", "sequence_length"]),
    valueInfo("attention_mask", INT64, ["batch_size", "total_sequence_length"]),
    valueInfo("position_ids", INT64, ["batch_size", "sequence_length"]),
  ];
  const outputs = [valueInfo("logits", FLOAT, ["batch_size", "sequence_length", vocabSize])];
  for (let layer = 0; layer < L; layer++) {
    for (const kind of ["key", "value"]) {
      inputs.push(valueInfo(`past_key_values.${layer}.${kind}`, FLOAT, ["batch_size", KV, "past_sequence_length", HD]));
      outputs.push(valueInfo(`present.${layer}.${kind}`, FLOAT, ["batch_size", KV, "total_sequence_length", HD]));
    }
  }
  return onnx.ModelProto.create({
    irVersion: 8,
    producerName: "@finemem/testing tiny-causal-lm",
    opsetImport: [{ domain: "", version: 17 }],
    graph: { name: "tiny_llama", node: nodes, initializer: initializers, input: inputs, output: outputs },
  });
}

/** Writes the model folder and returns where it is and what is in it. */
export async function writeTinyCausalLm(dir: string, options: TinyCausalLmOptions = {}): Promise<TinyCausalLm> {
  const resolved: Required<TinyCausalLmOptions> = {
    hidden: 32,
    layers: 2,
    heads: 4,
    kvHeads: 2,
    ffn: 64,
    seed: 1234,
    eosBias: -30,
    ...options,
  };
  const headDim = resolved.hidden / resolved.heads;
  if (!Number.isInteger(headDim) || headDim % 2 !== 0 || resolved.heads % resolved.kvHeads !== 0) {
    throw new Error("tiny causal LM: hidden must split into heads of even size, and heads into kvHeads groups");
  }
  const tokenizer = buildTokenizer();
  const model = buildGraph(resolved, tokenizer.size);
  await mkdir(join(dir, "onnx"), { recursive: true });
  await writeFile(join(dir, "onnx", "model.onnx"), onnx.ModelProto.encode(model).finish());
  const added = SPECIALS.map((content, id) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));
  const byteLevel = { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true };
  await writeFile(
    join(dir, "tokenizer.json"),
    JSON.stringify({
      version: "1.0",
      truncation: null,
      padding: null,
      added_tokens: added,
      normalizer: null,
      pre_tokenizer: byteLevel,
      post_processor: { ...byteLevel, add_prefix_space: true, trim_offsets: false },
      decoder: { ...byteLevel, add_prefix_space: true },
      model: {
        type: "BPE",
        dropout: null,
        unk_token: null,
        continuing_subword_prefix: "",
        end_of_word_suffix: "",
        fuse_unk: false,
        byte_fallback: false,
        ignore_merges: false,
        vocab: tokenizer.vocab,
        merges: tokenizer.merges,
      },
    }),
  );
  await writeFile(
    join(dir, "tokenizer_config.json"),
    JSON.stringify({
      tokenizer_class: "GPT2Tokenizer",
      add_bos_token: false,
      add_eos_token: false,
      add_prefix_space: false,
      bos_token: "<|im_start|>",
      eos_token: "<|im_end|>",
      pad_token: "<|im_end|>",
      unk_token: "<|endoftext|>",
      additional_special_tokens: ["<|im_start|>", "<|im_end|>"],
      added_tokens_decoder: Object.fromEntries(added.map(({ id, ...rest }) => [String(id), rest])),
      clean_up_tokenization_spaces: false,
      model_max_length: MAX_POSITIONS,
      padding_side: "left",
      chat_template: CHAT_TEMPLATE,
    }),
  );
  await writeFile(
    join(dir, "config.json"),
    JSON.stringify({
      model_type: "llama",
      architectures: ["LlamaForCausalLM"],
      vocab_size: tokenizer.size,
      hidden_size: resolved.hidden,
      intermediate_size: resolved.ffn,
      num_hidden_layers: resolved.layers,
      num_attention_heads: resolved.heads,
      num_key_value_heads: resolved.kvHeads,
      head_dim: headDim,
      hidden_act: "silu",
      max_position_embeddings: MAX_POSITIONS,
      rms_norm_eps: 1e-5,
      rope_theta: 10000,
      tie_word_embeddings: false,
      bos_token_id: 1,
      eos_token_id: 2,
      pad_token_id: 2,
      use_cache: true,
      torch_dtype: "float32",
      "transformers.js_config": { dtype: "fp32", use_external_data_format: false },
    }),
  );
  await writeFile(
    join(dir, "generation_config.json"),
    JSON.stringify({ bos_token_id: 1, eos_token_id: 2, pad_token_id: 2, do_sample: false, max_new_tokens: 32 }),
  );
  return {
    dir,
    vocabSize: tokenizer.size,
    specialTokenIds: { endOfText: 0, imStart: 1, imEnd: 2 },
    chatTemplate: CHAT_TEMPLATE,
  };
}
