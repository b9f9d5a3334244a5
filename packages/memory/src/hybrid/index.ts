/**
 * @finemem/memory/hybrid: dense and hybrid (BM25 + dense, reciprocal rank fusion) retrieval, with a
 * transformers.js embedder that runs offline from a local folder or the Hugging Face cache.
 * Needs the optional peer dependencies @huggingface/transformers (and @huggingface/hub for hub
 * models, which `@finemem/utils` downloads into the Hugging Face cache); both are imported only when
 * an embedder is created.
 */
export { createTransformersEmbedder, type TransformersEmbedder } from "./transformers-embedder.js";
export type { TransformersEmbedderOptions } from "./embedder-options.js";
export { createHybridRetriever, type HybridRetriever, type HybridRetrieverOptions } from "./hybrid-retriever.js";
export {
  InMemoryEmbeddingCache,
  createInMemoryEmbeddingCache,
  type EmbeddingCache,
  type EmbeddingCacheEntry,
  type EmbeddingKey,
  type InMemoryEmbeddingCacheOptions,
} from "./embedding-cache.js";
export { EmbedderError, HybridOptionsError, type EmbedderErrorCode } from "./errors.js";
