/**
 * @finemem/memory/hybrid: dense and hybrid (BM25 + dense, reciprocal rank fusion) retrieval, with a
 * transformers.js embedder that runs offline from a local folder or the Hugging Face cache.
 * Needs the optional peer dependencies @huggingface/transformers (and @huggingface/hub for hub
 * models, which `@finemem/utils` downloads into the Hugging Face cache); both are imported only when
 * an embedder is created.
 */

export type { TransformersEmbedderOptions } from "./embedder-options.js";
export {
  createInMemoryEmbeddingCache,
  type EmbeddingCache,
  type EmbeddingCacheEntry,
  type EmbeddingKey,
  InMemoryEmbeddingCache,
  type InMemoryEmbeddingCacheOptions,
} from "./embedding-cache.js";
export { EmbedderError, type EmbedderErrorCode, HybridOptionsError } from "./errors.js";
export { createHybridRetriever, type HybridRetriever, type HybridRetrieverOptions } from "./hybrid-retriever.js";
export { createTransformersEmbedder, type TransformersEmbedder } from "./transformers-embedder.js";
