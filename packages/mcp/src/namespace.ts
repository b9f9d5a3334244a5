import { createHash } from "node:crypto";
import { isNamespaceId, type Namespace } from "@finemem/spec";

/** Who a tool call is about: the MCP arguments that pick a namespace. */
export interface NamespaceArguments {
  readonly userId: string;
  readonly agentId?: string | undefined;
  readonly runId?: string | undefined;
}

/** The prefix of an encoded namespace id (see {@link encodeNamespaceId}). */
export const ENCODED_NAMESPACE_ID_PREFIX = "~sha256:";

/**
 * The store's id for a user, agent or run id given to a tool. The store accepts any non-empty string of
 * at most 128 characters without control characters (`isNamespaceId` of `@finemem/spec`): such an id is
 * kept as it is, so memory written here is the memory `createMemory({ ... }).add(…, { userId })` reads.
 * Any other non-empty string (longer, or holding a newline, a NUL, a lone surrogate) becomes
 * `~sha256:` and the hex SHA-256 of its UTF-16 code units; an id that itself starts with `~sha256:` is
 * encoded too, so two different ids never share a namespace.
 */
export function encodeNamespaceId(id: string): string {
  if (isNamespaceId(id) && !id.startsWith(ENCODED_NAMESPACE_ID_PREFIX)) return id;
  return `${ENCODED_NAMESPACE_ID_PREFIX}${createHash("sha256").update(Buffer.from(id, "utf16le")).digest("hex")}`;
}

/** The store namespace `{ user, agent?, run? }` of a tool call's `userId`, `agentId` and `runId`. */
export function namespaceOf(args: NamespaceArguments): Namespace {
  return {
    user: encodeNamespaceId(args.userId),
    ...(args.agentId === undefined ? {} : { agent: encodeNamespaceId(args.agentId) }),
    ...(args.runId === undefined ? {} : { run: encodeNamespaceId(args.runId) }),
  };
}
