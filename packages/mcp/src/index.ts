/**
 * @finemem/mcp: Fine-Mem memory as a Model Context Protocol server. Tools `observe` (the memory manager
 * decides what a conversation turn changes), `recall` (with provenance), `insert` / `update` / `delete`,
 * `history` and `forget_source`; the current memory per namespace as JSON resources; over stdio or
 * Streamable HTTP (`finemem-mcp`), or in-process with `createFineMemMcpServer`.
 */

export { CLI_USAGE, type CliOptions, parseCliArgs } from "./cli-args.js";
export {
  createManagerPolicy,
  type LlmManagerOptions,
  type ManagerSpec,
  openStore,
  type ParsedStoreSpec,
  parseStoreSpec,
  type StoreSpec,
} from "./config.js";
export { type HttpServerOptions, MCP_HTTP_PATH, type RunningHttpServer, startHttpServer } from "./http.js";
export { McpServerError, type McpServerErrorCode } from "./mcp-error.js";
export {
  type AppliedOperation,
  createMemoryService,
  type ItemVersionReport,
  type MemoryService,
  type MemoryServiceOptions,
  type RecalledMemory,
  type StepReport,
} from "./memory-service.js";
export {
  ENCODED_NAMESPACE_ID_PREFIX,
  encodeNamespaceId,
  type NamespaceArguments,
  namespaceOf,
} from "./namespace.js";
export {
  createFineMemMcpServer,
  DEFAULT_MCP_RECALL_TOP_K,
  type FineMemMcpServer,
  type FineMemMcpServerOptions,
  MCP_SERVER_NAME,
  memoryResourceUri,
} from "./server.js";
