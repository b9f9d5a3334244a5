import { isAbsolute, resolve } from "node:path";
import {
  isHubOffline,
  isTransformersDtype,
  positiveInteger,
  TRANSFORMERS_DTYPE_SUFFIXES,
  type TransformersDtype,
} from "@finemem/utils";
import { HybridOptionsError, hybridOptionError } from "./errors.js";

export interface TransformersEmbedderOptions {
  /**
   * A local model folder, given as an absolute path or one starting with `./` or `../` (loaded with no
   * network access), or a hub repository id such as `Xenova/all-MiniLM-L6-v2` (fetched into the
   * Hugging Face cache, then loaded from there). A bare `models/x` is read as a repository id, never
   * as a folder, so what is loaded does not depend on the working directory.
   */
  readonly model: string;
  /** Hub only: branch, tag or 40-hex commit. Default `main`. Pin a commit to load with no request once cached. */
  readonly revision?: string;
  /** Hub only: default `https://huggingface.co`. */
  readonly hubUrl?: string;
  /** Hub only: a token (`hf_…`) for gated or private repositories. Default: `HF_TOKEN`, sent only to the default hub. */
  readonly accessToken?: string;
  /** Hub only: the Hugging Face cache folder. Default `HF_HUB_CACHE`, else `$HF_HOME/hub`, else `~/.cache/huggingface/hub`. */
  readonly cacheDir?: string;
  /**
   * Hub only: `"offline"` makes no request and fails with `not_cached` unless the model is already
   * cached (for a branch, through `refs/<branch>`). Default `"default"`, or `"offline"` when
   * `HF_HUB_OFFLINE` is set, as in huggingface_hub.
   */
  readonly cache?: "default" | "offline";
  /** Which ONNX weights to load (`onnx/model.onnx` for fp32, `onnx/model_quantized.onnx` for q8, …). Default `fp32`. */
  readonly dtype?: TransformersDtype;
  /** Texts per model call. Default 32. */
  readonly batchSize?: number;
  /** onnxruntime intra-op threads. Default: onnxruntime's choice (one per core). */
  readonly threads?: number;
  /**
   * The embedder's `modelId`, recorded in results and part of every embedding cache key. Default: the
   * repository id and resolved commit (`owner/name@<sha>`) or the folder's absolute path, plus
   * `:<dtype>` unless fp32, so vectors from different weights are never mixed up.
   */
  readonly modelId?: string;
  /** Hub only: the fetch used for every request (a proxy, extra headers, a test double). */
  readonly fetch?: typeof fetch;
}

export type ModelSource =
  | { readonly kind: "local"; readonly dir: string }
  | { readonly kind: "hub"; readonly repo: string; readonly revision: string };

export interface ResolvedEmbedderOptions {
  readonly source: ModelSource;
  readonly hubUrl: string | undefined;
  readonly accessToken: string | undefined;
  readonly cacheDir: string | undefined;
  readonly offline: boolean;
  readonly dtype: TransformersDtype;
  readonly batchSize: number;
  readonly threads: number | undefined;
  readonly modelId: string | undefined;
  readonly fetch: typeof fetch | undefined;
}

const KNOWN_OPTIONS = new Set([
  "model",
  "revision",
  "hubUrl",
  "accessToken",
  "cacheDir",
  "cache",
  "dtype",
  "batchSize",
  "threads",
  "modelId",
  "fetch",
]);
// The hub's rule for repository ids (owner optional for legacy models), as transformers.js checks it.
const REPO_ID = /^(?:[\w.-]{1,96}\/)?[\w.-]{1,96}$/;

/** Validates options and decides between a local folder and a hub repository; throws {@link HybridOptionsError}. */
export function resolveEmbedderOptions(
  options: TransformersEmbedderOptions,
  environment: NodeJS.ProcessEnv = process.env,
): ResolvedEmbedderOptions {
  if (typeof options !== "object" || options === null)
    throw new HybridOptionsError("model", "options must be an object with a `model`");
  for (const key of Object.keys(options))
    if (!KNOWN_OPTIONS.has(key)) throw new HybridOptionsError(key, "unknown option");
  const { model } = options;
  if (typeof model !== "string" || model.trim() === "")
    throw new HybridOptionsError("model", "must be a model folder path or a hub repository id");

  const optionalString = (key: "revision" | "hubUrl" | "accessToken" | "cacheDir" | "modelId"): string | undefined => {
    const value = options[key];
    if (value === undefined) return undefined;
    if (typeof value !== "string" || value.trim() === "")
      throw new HybridOptionsError(key, "must be a non-empty string");
    return value;
  };
  const optionalPositiveInteger = (key: "batchSize" | "threads"): number | undefined => {
    const value = options[key];
    return value === undefined ? undefined : positiveInteger(key, value, hybridOptionError);
  };

  let source: ModelSource;
  const revision = optionalString("revision");
  if (isAbsolute(model) || /^\.\.?(?:[\\/]|$)/.test(model)) {
    if (revision !== undefined)
      throw new HybridOptionsError("revision", "applies to hub models only; a local folder is loaded as it is");
    source = { kind: "local", dir: resolve(model) };
  } else {
    if (!REPO_ID.test(model) || model.includes("..") || model.includes("--")) {
      throw new HybridOptionsError(
        "model",
        `"${model}" is neither a hub repository id (owner/name) nor a folder path (absolute, or starting with ./ or ../)`,
      );
    }
    if (
      revision !== undefined &&
      (revision.split("/").some((part) => part === "" || part === "." || part === "..") || /[\\\s]/.test(revision))
    ) {
      throw new HybridOptionsError("revision", `"${revision}" is not a branch, tag or commit`);
    }
    source = { kind: "hub", repo: model, revision: revision ?? "main" };
  }

  let hubUrl = optionalString("hubUrl");
  if (hubUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(hubUrl);
    } catch {
      throw new HybridOptionsError("hubUrl", `"${hubUrl}" is not a URL`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:")
      throw new HybridOptionsError("hubUrl", "must be an http(s) URL");
    // The hub client appends `/api/…` to it.
    hubUrl = hubUrl.replace(/\/+$/, "");
  }
  let accessToken = optionalString("accessToken");
  if (accessToken !== undefined && !accessToken.startsWith("hf_"))
    throw new HybridOptionsError("accessToken", "a Hugging Face token starts with hf_");
  // The environment's token goes to the real hub only, never to a hubUrl someone else may run.
  if (accessToken === undefined && hubUrl === undefined) accessToken = environment.HF_TOKEN || undefined;

  const cache = options.cache;
  if (cache !== undefined && cache !== "default" && cache !== "offline")
    throw new HybridOptionsError("cache", 'must be "default" or "offline"');
  const dtype = options.dtype ?? "fp32";
  if (!isTransformersDtype(dtype))
    throw new HybridOptionsError("dtype", `must be one of ${Object.keys(TRANSFORMERS_DTYPE_SUFFIXES).join(", ")}`);
  if (options.fetch !== undefined && typeof options.fetch !== "function")
    throw new HybridOptionsError("fetch", "must be a function");

  return {
    source,
    hubUrl,
    accessToken,
    cacheDir: optionalString("cacheDir"),
    offline: cache === undefined ? isHubOffline(environment) : cache === "offline",
    dtype,
    batchSize: optionalPositiveInteger("batchSize") ?? 32,
    threads: optionalPositiveInteger("threads"),
    modelId: optionalString("modelId"),
    fetch: options.fetch,
  };
}
