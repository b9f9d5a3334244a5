import { isAbsolute, resolve } from "node:path";
import {
  isHubOffline,
  isTransformersDtype,
  positiveInteger,
  TRANSFORMERS_DTYPE_SUFFIXES,
  type TransformersDtype,
} from "@finemem/utils";
import { ModelConfigError } from "../http/errors.js";

/** Where transformers.js runs the model. WebGPU needs a WebGPU-capable onnxruntime build on the machine. */
export type TransformersDevice = "cpu" | "webgpu";

/** What a bad numeric option becomes: `Invalid option <name>: expected <expected>, got <value>`. */
const modelOptionError = (option: string, expected: string, value: unknown): ModelConfigError =>
  new ModelConfigError([option], `expected ${expected}, got ${String(value)}`);

export interface TransformersModelOptions {
  /**
   * A local model folder, given as an absolute path or one starting with `./` or `../` (loaded with no
   * network access), or a hub repository id such as `onnx-community/Qwen3-0.6B-ONNX` (fetched with
   * `@huggingface/hub` into the standard Hugging Face cache, then loaded from there). A bare `models/x`
   * is read as a repository id, never as a folder, so what loads does not depend on the working directory.
   */
  readonly model: string;
  /** Hub only: branch, tag or 40-hex commit. Default `main`; pin a commit to load with no request once cached. */
  readonly revision?: string;
  /** Hub only: default `https://huggingface.co` (a local mirror or test server otherwise). */
  readonly hubUrl?: string;
  /** Hub only: a token for gated or private repositories. */
  readonly accessToken?: string;
  /** Hub only: the Hugging Face cache folder. Default `HF_HUB_CACHE`, else `$HF_HOME/hub`, else `~/.cache/huggingface/hub`. */
  readonly cacheDir?: string;
  /** Hub only: `offline` makes no request and needs the model in the cache. Default `offline` when `HF_HUB_OFFLINE` is `1`, `true`, `yes` or `on` (as huggingface_hub reads it), else `default`. */
  readonly cache?: "default" | "offline";
  /** The ONNX weights to load, by transformers.js dtype name (`onnx/model.onnx` is fp32, `onnx/model_q4.onnx` q4, …). Default `fp32`. */
  readonly dtype?: TransformersDtype;
  /** Default `cpu`. */
  readonly device?: TransformersDevice;
  /** onnxruntime intra-op threads (CPU). Default: onnxruntime's choice. */
  readonly threads?: number;
  /** New tokens when a request sets no `maxTokens`. Default 512. */
  readonly defaultMaxTokens?: number;
  /** Recorded in results. Default: the repository and commit (`owner/name@<sha>`) or the folder's absolute path, plus `:<dtype>` unless fp32. */
  readonly modelId?: string;
  /** Hub only: the fetch used for every request. */
  readonly fetch?: typeof fetch;
}

export type TransformersModelSource =
  | { readonly kind: "local"; readonly dir: string }
  | { readonly kind: "hub"; readonly repo: string; readonly revision: string };

export interface ResolvedTransformersModelOptions {
  readonly source: TransformersModelSource;
  readonly hubUrl: string | undefined;
  readonly accessToken: string | undefined;
  readonly cacheDir: string | undefined;
  readonly offline: boolean;
  readonly dtype: TransformersDtype;
  readonly device: TransformersDevice;
  readonly threads: number | undefined;
  readonly defaultMaxTokens: number;
  readonly modelId: string | undefined;
  readonly fetch: typeof fetch | undefined;
}

// The hub's rule for repository ids, as transformers.js checks it.
const REPO_ID = /^(?:[\w.-]{1,96}\/)?[\w.-]{1,96}$/;

/** Validates options and decides between a local folder and a hub repository. @throws {ModelConfigError} naming the option */
export function resolveTransformersModelOptions(
  options: TransformersModelOptions,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedTransformersModelOptions {
  const { model, revision } = options;
  if (typeof model !== "string" || model.trim() === "")
    throw new ModelConfigError(["model"], "expected a model folder path or a hub repository id");
  let source: TransformersModelSource;
  if (isAbsolute(model) || model.startsWith("./") || model.startsWith("../")) {
    if (revision !== undefined)
      throw new ModelConfigError(["revision"], "applies to hub models only; a local folder is loaded as it is");
    source = { kind: "local", dir: resolve(model) };
  } else if (REPO_ID.test(model)) {
    source = { kind: "hub", repo: model, revision: revision ?? "main" };
  } else {
    throw new ModelConfigError(
      ["model"],
      `"${model}" is neither a hub repository id (owner/name) nor a folder path (absolute, or starting with ./ or ../)`,
    );
  }
  const dtype = options.dtype ?? "fp32";
  if (!isTransformersDtype(dtype))
    throw new ModelConfigError(
      ["dtype"],
      `expected one of ${Object.keys(TRANSFORMERS_DTYPE_SUFFIXES).join(", ")}, got ${JSON.stringify(dtype)}`,
    );
  const device = options.device ?? "cpu";
  if (device !== "cpu" && device !== "webgpu")
    throw new ModelConfigError(["device"], `expected "cpu" or "webgpu", got ${JSON.stringify(device)}`);
  if (options.threads !== undefined) positiveInteger("threads", options.threads, modelOptionError);
  const defaultMaxTokens = positiveInteger("defaultMaxTokens", options.defaultMaxTokens ?? 512, modelOptionError);
  const cache = options.cache ?? (isHubOffline(env) ? "offline" : "default");
  if (cache !== "default" && cache !== "offline")
    throw new ModelConfigError(["cache"], `expected "default" or "offline", got ${JSON.stringify(cache)}`);
  return {
    source,
    hubUrl: options.hubUrl,
    accessToken: options.accessToken,
    cacheDir: options.cacheDir,
    offline: cache === "offline",
    dtype,
    device,
    threads: options.threads,
    defaultMaxTokens,
    modelId: options.modelId,
    fetch: options.fetch,
  };
}
