import { FineMemError, type PathSegment } from "@finemem/spec";

/**
 * What went wrong while building chunk questions. Each code is one documented case:
 * - `invalid_option`: a builder option is missing, of the wrong type or out of range (the path names it).
 * - `invalid_chunk`: a chunk has a malformed id or empty text, or its id is too long to carry question ids.
 * - `malformed_generator_reply`: every generator attempt for a chunk gave a reply without a readable list of pairs.
 * - `corrupt_cache`: a complete line of the cache file is not a valid entry (the file is left as it is).
 * - `invalid_question`: `withChunkQuestions` got lists that do not fit the instance.
 */
export type ChunkQaErrorCode =
  | "invalid_option"
  | "invalid_chunk"
  | "malformed_generator_reply"
  | "corrupt_cache"
  | "invalid_question";

export interface ChunkQaErrorDetails {
  readonly path?: readonly PathSegment[];
  readonly cause?: unknown;
  /** The cache file, for `corrupt_cache`. */
  readonly file?: string;
  /** The 1-based line of the cache file, for `corrupt_cache`. */
  readonly line?: number;
  /** The chunk concerned, for `malformed_generator_reply` and `invalid_chunk`. */
  readonly chunkId?: string;
}

export class ChunkQaError extends FineMemError {
  declare readonly code: ChunkQaErrorCode;
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly chunkId: string | undefined;

  constructor(code: ChunkQaErrorCode, message: string, details: ChunkQaErrorDetails = {}) {
    super(code, message, { path: details.path ?? [], cause: details.cause });
    this.file = details.file;
    this.line = details.line;
    this.chunkId = details.chunkId;
  }
}
