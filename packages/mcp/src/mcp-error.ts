import { FineMemError, type PathSegment } from "@finemem/spec";

/**
 * What was wrong with the server's configuration or with a tool call.
 * - `invalid_option`: a configuration value (an option of `createFineMemMcpServer`, a command-line
 *   flag) of the wrong kind; the path names it, e.g. `["store"]` or `["--http"]`.
 * - `not_found`: an item id the namespace does not hold (never written, or deleted).
 * - `layout_mismatch`: an explicit operation of the other memory layout (e.g. a `memoryType` on a
 *   flat store), or a store whose layout differs from the manager's.
 * - `operation_rejected`: the store refused an explicit operation for another reason (an INSERT equal to
 *   a current item, content over a cap); the message names the store's reason code.
 */
export type McpServerErrorCode = "invalid_option" | "not_found" | "layout_mismatch" | "operation_rejected";

export class McpServerError extends FineMemError {
  declare readonly code: McpServerErrorCode;

  constructor(code: McpServerErrorCode, message: string, path: readonly PathSegment[] = [], cause?: unknown) {
    super(code, message, { path, cause });
  }
}
