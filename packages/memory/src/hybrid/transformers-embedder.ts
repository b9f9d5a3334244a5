import { type CallOptions, type Embedder, SPECIFICATION_VERSION, throwIfAborted } from "@finemem/spec";
import {
  checkTransformersModelFolder,
  importOptionalPeer,
  resolveTransformersSnapshot,
  type TransformersDtype,
} from "@finemem/utils";
import { resolveEmbedderOptions, type TransformersEmbedderOptions } from "./embedder-options.js";
import { EmbedderError, embedderErrorOf } from "./errors.js";

const ENTRY = "@finemem/memory/hybrid";

/** A spec {@link Embedder} running a transformers.js feature-extraction model in-process on the CPU. */
export interface TransformersEmbedder extends Embedder {
  /** The folder the model was loaded from (for a hub model, its snapshot in the Hugging Face cache). */
  readonly modelPath: string;
  /** The commit loaded, for a hub model; `null` for a local folder. */
  readonly revision: string | null;
  readonly dtype: TransformersDtype;
  /** Releases the onnxruntime session; `embed` then fails with `disposed`. */
  dispose(): Promise<void>;
}

// The minimal surface of a transformers.js feature-extraction pipeline used here.
interface FeatureExtractor {
  (
    texts: string[],
    options: { pooling: "mean"; normalize: boolean },
  ): Promise<{ dims: number[]; data: ArrayLike<number> }>;
  dispose(): Promise<unknown>;
}

/**
 * Loads a sentence-embedding model with transformers.js: mean pooling over the last hidden state,
 * then L2 normalisation (what sentence-transformers models such as all-MiniLM-L6-v2 are trained
 * for), so cosine similarity is a dot product. `dimensions` is read from a first embedding, which
 * also proves the model runs before the embedder is handed out.
 *
 * Loading is always from a folder by absolute path with `local_files_only`: transformers.js turns a
 * name that looks like a repository id into a hub URL, and an absolute path never looks like one.
 * Hub models are first downloaded into the standard Hugging Face cache by `@finemem/utils`' hub
 * module (through `@huggingface/hub`, which knows the cache layout and revisions), as every model
 * and dataset of the project is; transformers.js' own cache is never used. No process-wide
 * setting of transformers.js (`env`) is changed, so other code in the process is unaffected.
 *
 * @throws {HybridOptionsError} for bad options; {@link EmbedderError} when the model cannot be found,
 *   fetched or loaded; `AbortedError` when `callOptions.signal` fires.
 */
export async function createTransformersEmbedder(
  options: TransformersEmbedderOptions,
  callOptions: CallOptions = {},
): Promise<TransformersEmbedder> {
  const resolved = resolveEmbedderOptions(options);
  const { signal } = callOptions;
  throwIfAborted(signal);

  let modelPath: string;
  let revision: string | null;
  let defaultModelId: string;
  if (resolved.source.kind === "local") {
    modelPath = resolved.source.dir;
    await checkTransformersModelFolder(modelPath, resolved.dtype).catch((error: unknown) => {
      throw embedderErrorOf(error);
    });
    revision = null;
    defaultModelId = modelPath;
  } else {
    const snapshot = await resolveTransformersSnapshot({
      repo: resolved.source.repo,
      revision: resolved.source.revision,
      offline: resolved.offline,
      dtype: resolved.dtype,
      requiredBy: ENTRY,
      ...(resolved.hubUrl === undefined ? {} : { hubUrl: resolved.hubUrl }),
      ...(resolved.accessToken === undefined ? {} : { accessToken: resolved.accessToken }),
      ...(resolved.cacheDir === undefined ? {} : { cacheDir: resolved.cacheDir }),
      ...(resolved.fetch === undefined ? {} : { fetch: resolved.fetch }),
      ...(signal === undefined ? {} : { signal }),
    }).catch((error: unknown) => {
      throw embedderErrorOf(error);
    });
    modelPath = snapshot.dir;
    revision = snapshot.commit;
    defaultModelId = `${resolved.source.repo}@${snapshot.commit}`;
  }
  const modelId =
    resolved.modelId ?? (resolved.dtype === "fp32" ? defaultModelId : `${defaultModelId}:${resolved.dtype}`);
  throwIfAborted(signal);

  const transformers = await importOptionalPeer(
    "@huggingface/transformers",
    ENTRY,
    () => import("@huggingface/transformers"),
    (failure) => new EmbedderError(failure.code, failure.message, { cause: failure.cause }),
  );
  let extractor: FeatureExtractor;
  try {
    extractor = (await transformers.pipeline("feature-extraction", modelPath, {
      dtype: resolved.dtype,
      device: "cpu",
      local_files_only: true,
      session_options:
        resolved.threads === undefined ? {} : { intraOpNumThreads: resolved.threads, interOpNumThreads: 1 },
    })) as unknown as FeatureExtractor;
  } catch (error) {
    throw new EmbedderError(
      "load_failed",
      `transformers.js could not load the model at ${modelPath}: ${(error as Error)?.message ?? String(error)}`,
      { cause: error },
    );
  }

  let dimensions: number;
  try {
    throwIfAborted(signal);
    const probe = await run(extractor, ["dimension probe"]);
    dimensions = probe.dims[1]!;
    if (probe.dims.length !== 2 || probe.dims[0] !== 1 || !(dimensions > 0)) {
      throw new EmbedderError(
        "load_failed",
        `the model at ${modelPath} does not produce one vector per text (output dims ${JSON.stringify(probe.dims)})`,
      );
    }
  } catch (error) {
    await extractor.dispose().catch(() => undefined);
    throw error;
  }

  let disposed = false;
  return {
    specificationVersion: SPECIFICATION_VERSION,
    modelId,
    dimensions,
    modelPath,
    revision,
    dtype: resolved.dtype,
    async embed(texts, embedOptions) {
      throwIfAborted(embedOptions?.signal);
      if (disposed) throw new EmbedderError("disposed", `the embedder for ${modelId} was disposed`);
      const vectors: Float32Array[] = [];
      for (let start = 0; start < texts.length; start += resolved.batchSize) {
        throwIfAborted(embedOptions?.signal);
        const batch = texts.slice(start, start + resolved.batchSize);
        const output = await run(extractor, batch);
        if (output.dims[0] !== batch.length || output.dims[1] !== dimensions) {
          throw new EmbedderError(
            "invalid_embedding",
            `expected ${batch.length} vectors of ${dimensions} floats, got dims ${JSON.stringify(output.dims)}`,
          );
        }
        const data = output.data instanceof Float32Array ? output.data : Float32Array.from(output.data);
        // A copy per text: a view would keep the whole batch's buffer alive as long as any one vector.
        for (let row = 0; row < batch.length; row++) vectors.push(data.slice(row * dimensions, (row + 1) * dimensions));
      }
      return vectors;
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await extractor.dispose();
    },
  };
}

async function run(
  extractor: FeatureExtractor,
  texts: readonly string[],
): Promise<{ dims: number[]; data: ArrayLike<number> }> {
  for (const [index, text] of texts.entries()) {
    if (typeof text !== "string") throw new EmbedderError("inference_failed", `text ${index} is not a string`);
  }
  try {
    return await extractor([...texts], { pooling: "mean", normalize: true });
  } catch (error) {
    throw new EmbedderError(
      "inference_failed",
      `the model failed on a batch of ${texts.length} texts: ${(error as Error)?.message ?? String(error)}`,
      { cause: error },
    );
  }
}
