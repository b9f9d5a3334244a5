import { z } from "zod";
import type { CallOptions, SpecificationVersion } from "./call-options.js";
import {
  type MemoryItem,
  type MemoryType,
  type MemoryView,
  memoryItemSchema,
  memoryTypeSchema,
  memoryViewSchema,
} from "./memory.js";
import { createValidator } from "./validation.js";

/** What a retriever is asked. */
export interface RetrievalRequest {
  /** The query text (the whole question, as Mem-α and Fine-Mem use it). */
  readonly query: string;
  readonly view: MemoryView;
  /** How many items to return at most (overall, or per memory type when `perType` is set). */
  readonly topK: number;
  /** Restrict to these memory types (typed layout). */
  readonly memoryTypes?: readonly MemoryType[];
  /** Take `topK` per memory type rather than overall (Mem-α's retrieval). */
  readonly perType?: boolean;
}

/** One retrieved item with its score and 1-based rank (best first, ties by earlier insertion). */
export interface RetrievedItem {
  readonly item: MemoryItem;
  readonly score: number;
  readonly rank: number;
}

export const retrievalRequestSchema = z.strictObject({
  query: z.string(),
  view: memoryViewSchema,
  topK: z.number().int().min(1),
  memoryTypes: z.array(memoryTypeSchema).exactOptional(),
  perType: z.boolean().exactOptional(),
});

export const retrievedItemSchema = z.strictObject({
  item: memoryItemSchema,
  score: z.number().finite(),
  rank: z.number().int().min(1),
});

/**
 * Query → ranked items. BM25, dense or hybrid retrievers implement this. The request carries the view
 * being asked about: a retriever with its own index (a store's incremental BM25) may answer from that
 * index for `view.namespace` when the index is at `view.step`; any other retriever ranks `view.items`.
 * Either way the answer is a ranking of the view's items, so results never depend on where they came from.
 */
export interface Retriever {
  readonly specificationVersion: SpecificationVersion;
  /** A stable name, e.g. `bm25-okapi`, recorded in results. */
  readonly retrieverId: string;
  retrieve(request: RetrievalRequest, options?: CallOptions): Promise<readonly RetrievedItem[]>;
}

/** Text → dense vectors. */
export interface Embedder {
  readonly specificationVersion: SpecificationVersion;
  readonly modelId: string;
  readonly dimensions: number;
  /** One vector of `dimensions` floats per input text, in input order. */
  embed(texts: readonly string[], options?: CallOptions): Promise<readonly Float32Array[]>;
}

/**
 * Counts tokens under one encoding. Synchronous on purpose: counting sits on hot paths (chunking,
 * the compression reward) and every practical tokenizer (o200k via js-tiktoken) runs in-process.
 */
export interface TokenCounter {
  /** The encoding's name, e.g. `o200k_base`; recorded beside every length it produced. */
  readonly encoding: string;
  count(text: string): number;
}

export const retrievalRequestValidator = createValidator<RetrievalRequest>("RetrievalRequest", retrievalRequestSchema);
export const retrievedItemValidator = createValidator<RetrievedItem>("RetrievedItem", retrievedItemSchema);
