import { FineMemError, type PathSegment } from "@finemem/spec";

/**
 * What went wrong in the LangGraph store adapter.
 * - `invalid_option`: an option of {@link createFineMemStore} out of range or of the wrong kind (the
 *   option is in the path).
 * - `invalid_value`: a put whose value is not a JSON object, or whose key is not a non-empty string
 *   (the path names the operation and field).
 * - `invalid_content`: the store namespace holds an item that is not a LangGraph record (another writer
 *   shares the namespace); the path names the item.
 * - `operation_rejected`: the memory store rejected a put's operation (e.g. `over_cap` under `maxItemTokens`);
 *   the message gives the store's reason code, the operation's other writes of the batch stand.
 */
export type LangGraphStoreErrorCode = "invalid_option" | "invalid_value" | "invalid_content" | "operation_rejected";

/** An error of the LangGraph store adapter: a {@link LangGraphStoreErrorCode} and the `path` of what was wrong. */
export class LangGraphStoreError extends FineMemError {
  /** What went wrong. */
  declare readonly code: LangGraphStoreErrorCode;

  constructor(code: LangGraphStoreErrorCode, message: string, path: readonly PathSegment[] = [], cause?: unknown) {
    super(code, message, { path, cause });
  }
}
