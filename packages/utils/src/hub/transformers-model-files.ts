/**
 * Which files transformers.js reads for a model (the embedder of `@finemem/memory/hybrid`, the causal
 * language model of `@finemem/policy/transformers`), so a hub download fetches exactly those and a
 * local folder can be checked before transformers.js reports a missing file less clearly.
 * Mirrors transformers.js 4.x (`getSession` / `getModelDataFiles`): the ONNX file's name carries a
 * suffix per dtype, and `transformers.js_config.use_external_data_format` in config.json says how many
 * `<onnx>_data[_n]` chunks the weights are split into.
 */

/** The ONNX weight variants a model repository may ship, by transformers.js dtype name. */
export const TRANSFORMERS_DTYPE_SUFFIXES = Object.freeze({
  fp32: "",
  fp16: "_fp16",
  int8: "_int8",
  uint8: "_uint8",
  q8: "_quantized",
  q4: "_q4",
  q4f16: "_q4f16",
  bnb4: "_bnb4",
});

export type TransformersDtype = keyof typeof TRANSFORMERS_DTYPE_SUFFIXES;

export const CONFIG_FILE = "config.json";

// transformers.js refuses more external-data chunks than this; so do we, before downloading any.
const MAX_EXTERNAL_DATA_CHUNKS = 100;

/** True for a dtype name of {@link TRANSFORMERS_DTYPE_SUFFIXES}. */
export function isTransformersDtype(value: unknown): value is TransformersDtype {
  return typeof value === "string" && Object.hasOwn(TRANSFORMERS_DTYPE_SUFFIXES, value);
}

/** The files (relative, `/`-separated) a model needs besides config.json, given its parsed config. */
export function modelFilesAfterConfig(config: unknown, dtype: TransformersDtype): string[] {
  const onnxFile = `model${TRANSFORMERS_DTYPE_SUFFIXES[dtype]}.onnx`;
  const files = ["tokenizer.json", "tokenizer_config.json", `onnx/${onnxFile}`];
  const chunks = externalDataChunks(config, onnxFile, `model${TRANSFORMERS_DTYPE_SUFFIXES[dtype]}`);
  for (let chunk = 0; chunk < chunks; chunk++) files.push(`onnx/${onnxFile}_data${chunk === 0 ? "" : `_${chunk}`}`);
  return files;
}

function externalDataChunks(config: unknown, onnxFile: string, baseName: string): number {
  const setting =
    isRecord(config) && isRecord(config["transformers.js_config"])
      ? config["transformers.js_config"].use_external_data_format
      : undefined;
  let chunks: number;
  if (isRecord(setting)) chunks = Number(setting[onnxFile] ?? setting[baseName] ?? 0);
  else chunks = Number(setting ?? 0);
  if (!Number.isInteger(chunks) || chunks < 0 || chunks > MAX_EXTERNAL_DATA_CHUNKS) return 0;
  return chunks;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
