/**
 * Test-only: writes a tiny BERT-shaped feature-extraction model that transformers.js loads like any
 * hub model (config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx), built so that the
 * tests can predict its geometry exactly.
 *
 * Every word belongs to one "concept", and a concept is one axis of the embedding space: synonyms
 * (car / automobile, bought / purchased) share an axis, every other word has its own. The graph is
 * Gather(word rows) → MatMul(a fixed random rotation) → × attention mask, so after mean pooling and
 * normalisation a sentence's vector is its bag of concepts, rotated. Cosine similarity is then the
 * overlap of two sentences' concepts: a paraphrase in synonyms scores ≈ 1, unrelated text ≈ 0. The
 * rotation only makes the vectors look dense; it preserves every angle.
 *
 * Function words get short rows (a real sentence embedder also pays them little attention), so that
 * "Which … did …" in a query does not pull towards any text that happens to share them. Special
 * tokens get a short shared axis, so a text of unknown words still has a non-zero vector.
 *
 * Shared by the tests of the embedder (@finemem/memory/hybrid) and of hybrid retrieval in finemem. Needs
 * onnx-proto; no Python, no network, a few milliseconds.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import onnxProto from "onnx-proto";

const { onnx } = onnxProto;

/** Word groups that share one embedding row (and so one vector). */
export const TINY_SYNONYMS: readonly (readonly string[])[] = [
  ["car", "automobile"],
  ["physician", "doctor"],
  ["buy", "buys", "bought", "purchase", "purchased"],
];

/** Words with a row of their own. */
export const TINY_WORDS: readonly string[] = [
  "ada",
  "bob",
  "carol",
  "dan",
  "paris",
  "lisbon",
  "london",
  "day",
  "arrive",
  "arrived",
  "bicycle",
  "violin",
  "plays",
  "works",
  "hospital",
  "weather",
  "sunny",
  "sold",
  "red",
  "blue",
  "house",
  "lives",
  "visited",
  "monday",
  "chess",
  "lamp",
  "chair",
  "first",
  "likes",
  "tea",
  "coffee",
  "hello",
  "world",
];

/** Function words and punctuation, grouped like synonyms: rows of length {@link STOPWORD_WEIGHT}. */
export const TINY_STOPWORDS: readonly (readonly string[])[] = [
  ["a", "an"],
  ...[
    "which",
    "what",
    "who",
    "did",
    "does",
    "is",
    "was",
    "the",
    "in",
    "on",
    "at",
    "of",
    "to",
    "or",
    "and",
    "?",
    ".",
    ",",
    ":",
    "!",
  ].map((word) => [word]),
];

const STOPWORD_WEIGHT = 0.05;
const SPECIAL_WEIGHT = 0.01;
const SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] as const;

export interface TinySynonymModel {
  /** The folder written (absolute when `dir` was). */
  readonly dir: string;
  /** The files written, relative to `dir`, with `/` separators: what a hub repository would hold. */
  readonly files: readonly string[];
  /** Length of every output vector. */
  readonly dimensions: number;
  /** Every word the tokenizer knows; any other word becomes [UNK]. */
  readonly vocabulary: ReadonlySet<string>;
}

/** Writes the model into `dir` (created if needed) and describes it. */
export async function writeTinySynonymModel(dir: string): Promise<TinySynonymModel> {
  // Axis 0 is the special tokens'; then one axis per synonym group, word and function word.
  const concepts: { words: readonly string[]; weight: number }[] = [
    ...TINY_SYNONYMS.map((words) => ({ words, weight: 1 })),
    ...TINY_WORDS.map((word) => ({ words: [word], weight: 1 })),
    ...TINY_STOPWORDS.map((words) => ({ words, weight: STOPWORD_WEIGHT })),
  ];
  const dimensions = concepts.length + 1;
  const vocabList: string[] = [...SPECIAL_TOKENS];
  const rows: { axis: number; weight: number }[] = SPECIAL_TOKENS.map((token) => ({
    axis: 0,
    weight: token === "[PAD]" ? 0 : SPECIAL_WEIGHT,
  }));
  concepts.forEach((concept, index) => {
    for (const word of concept.words) {
      vocabList.push(word);
      rows.push({ axis: index + 1, weight: concept.weight });
    }
  });
  if (new Set(vocabList).size !== vocabList.length) throw new Error("tiny-synonym-model: a word is listed twice");

  const embeddings = new Float32Array(vocabList.length * dimensions);
  rows.forEach((row, tokenId) => {
    embeddings[tokenId * dimensions + row.axis] = row.weight;
  });
  const rotation = randomRotation(dimensions, 20240607);

  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const INT64 = onnx.TensorProto.DataType.INT64;
  const tensor = (name: string, dims: number[], data: Float32Array | BigInt64Array, dataType: number) => ({
    name,
    dims,
    dataType,
    rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  });
  const valueInfo = (name: string, elemType: number, dims: (string | number)[]) => ({
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((dim) => (typeof dim === "string" ? { dimParam: dim } : { dimValue: dim })) },
      },
    },
  });
  const graph = {
    name: "tiny_synonym_bert",
    node: [
      { opType: "Gather", input: ["word_embeddings", "input_ids"], output: ["embedded"], name: "gather" },
      { opType: "MatMul", input: ["embedded", "rotation"], output: ["rotated"], name: "rotate" },
      {
        opType: "Cast",
        input: ["attention_mask"],
        output: ["mask_float"],
        name: "cast",
        attribute: [{ name: "to", type: onnx.AttributeProto.AttributeType.INT, i: FLOAT }],
      },
      { opType: "Unsqueeze", input: ["mask_float", "last_axis"], output: ["mask"], name: "unsqueeze" },
      { opType: "Mul", input: ["rotated", "mask"], output: ["last_hidden_state"], name: "mask_padding" },
    ],
    initializer: [
      tensor("word_embeddings", [vocabList.length, dimensions], embeddings, FLOAT),
      tensor("rotation", [dimensions, dimensions], rotation, FLOAT),
      tensor("last_axis", [1], BigInt64Array.from([-1n]), INT64),
    ],
    input: [
      valueInfo("input_ids", INT64, ["batch", "sequence"]),
      valueInfo("attention_mask", INT64, ["batch", "sequence"]),
    ],
    output: [valueInfo("last_hidden_state", FLOAT, ["batch", "sequence", dimensions])],
  };
  const model = onnx.ModelProto.encode(
    onnx.ModelProto.create({
      irVersion: 7,
      producerName: "finemem-tiny-synonym-model",
      opsetImport: [{ domain: "", version: 13 }],
      graph,
    }),
  ).finish();

  const vocab = Object.fromEntries(vocabList.map((word, id) => [word, id]));
  const special = (content: string) => ({
    id: vocab[content]!,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const tokenizer = {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map(special),
    normalizer: {
      type: "BertNormalizer",
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor: {
      type: "TemplateProcessing",
      single: [
        { SpecialToken: { id: "[CLS]", type_id: 0 } },
        { Sequence: { id: "A", type_id: 0 } },
        { SpecialToken: { id: "[SEP]", type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: "[CLS]", type_id: 0 } },
        { Sequence: { id: "A", type_id: 0 } },
        { SpecialToken: { id: "[SEP]", type_id: 0 } },
        { Sequence: { id: "B", type_id: 1 } },
        { SpecialToken: { id: "[SEP]", type_id: 1 } },
      ],
      special_tokens: {
        "[CLS]": { id: "[CLS]", ids: [vocab["[CLS]"]], tokens: ["[CLS]"] },
        "[SEP]": { id: "[SEP]", ids: [vocab["[SEP]"]], tokens: ["[SEP]"] },
      },
    },
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
    model: {
      type: "WordPiece",
      unk_token: "[UNK]",
      continuing_subword_prefix: "##",
      max_input_chars_per_word: 100,
      vocab,
    },
  };
  // transformers.js builds no tokenizer without tokenizer_config.json.
  const tokenizerConfig = {
    tokenizer_class: "BertTokenizer",
    do_lower_case: true,
    model_max_length: 128,
    cls_token: "[CLS]",
    sep_token: "[SEP]",
    pad_token: "[PAD]",
    unk_token: "[UNK]",
    mask_token: "[MASK]",
  };
  const config = {
    model_type: "bert",
    architectures: ["BertModel"],
    vocab_size: vocabList.length,
    hidden_size: dimensions,
    num_hidden_layers: 1,
    num_attention_heads: 1,
    intermediate_size: dimensions,
    max_position_embeddings: 128,
    type_vocab_size: 1,
    pad_token_id: 0,
  };

  await mkdir(join(dir, "onnx"), { recursive: true });
  const contents: Record<string, string | Uint8Array> = {
    "config.json": JSON.stringify(config, null, 1),
    "tokenizer.json": JSON.stringify(tokenizer, null, 1),
    "tokenizer_config.json": JSON.stringify(tokenizerConfig, null, 1),
    "onnx/model.onnx": model,
  };
  await Promise.all(
    Object.entries(contents).map(([file, content]) => writeFile(join(dir, ...file.split("/")), content)),
  );
  return { dir, files: Object.keys(contents), dimensions, vocabulary: new Set(vocabList.slice(SPECIAL_TOKENS.length)) };
}

/**
 * A seeded random orthogonal matrix (Gram–Schmidt over LCG rows, in doubles), so the model's vectors
 * are dense and reproducible while every angle between them stays what the word rows make it.
 */
function randomRotation(size: number, seed: number): Float32Array {
  let state = seed;
  const random = () => {
    state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff;
    return (state / 0x7fffffff) * 2 - 1;
  };
  const rows: Float64Array[] = [];
  while (rows.length < size) {
    const row = Float64Array.from({ length: size }, random);
    for (const previous of rows) {
      let dot = 0;
      for (let index = 0; index < size; index++) dot += row[index]! * previous[index]!;
      for (let index = 0; index < size; index++) row[index]! -= dot * previous[index]!;
    }
    let norm = 0;
    for (const value of row) norm += value * value;
    norm = Math.sqrt(norm);
    if (norm < 1e-6) continue; // a dependent draw: take another
    for (let index = 0; index < size; index++) row[index]! /= norm;
    rows.push(row);
  }
  const matrix = new Float32Array(size * size);
  rows.forEach((row, rowIndex) => {
    matrix.set(row, rowIndex * size);
  });
  return matrix;
}
