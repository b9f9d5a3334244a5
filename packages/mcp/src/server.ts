import type { MemoryBackend } from "@finemem/memory";
import { formatPath, isFineMemError, type MemoryPolicy, type Namespace } from "@finemem/spec";
import { packageVersionOf } from "@finemem/utils";
import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult, ReadResourceResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import {
  createManagerPolicy,
  type LlmManagerOptions,
  type ManagerSpec,
  openStore,
  parseStoreSpec,
  type StoreSpec,
} from "./config.js";
import { McpServerError } from "./mcp-error.js";
import { createMemoryService, type MemoryService } from "./memory-service.js";
import { ENCODED_NAMESPACE_ID_PREFIX, namespaceOf } from "./namespace.js";

/** The server's name in the MCP handshake. */
export const MCP_SERVER_NAME = "finemem";

/** Recalled items per question unless a call gives `topK`. */
export const DEFAULT_MCP_RECALL_TOP_K = 5;

export interface FineMemMcpServerOptions {
  /**
   * Where memory lives: a {@link StoreSpec} (`memory`, `pglite`, `pglite:<directory>`,
   * `postgres:<connection string>`) or any `@finemem/memory` backend, which `close()` leaves open.
   * Default `pglite`: the directory of `@finemem/agent`'s `defaultMemoryPath()`.
   */
  readonly store?: StoreSpec | MemoryBackend;
  /** Who decides what to keep: a {@link ManagerSpec} or any spec `MemoryPolicy`. Default `default`. */
  readonly manager?: ManagerSpec | MemoryPolicy;
  /** The endpoint of the `llm` manager. */
  readonly llm?: LlmManagerOptions;
  /** Default k of `recall` (default {@link DEFAULT_MCP_RECALL_TOP_K}). */
  readonly topK?: number;
  /** The manager's chunk budget in o200k tokens (every observed turn is flushed, so a turn is one chunk unless longer). */
  readonly chunkTokens?: number;
  /** The version the server reports in the MCP handshake. Default this package's. */
  readonly version?: string;
}

/** A Fine-Mem memory behind MCP. */
export interface FineMemMcpServer {
  /** An MCP server over the memory, ready for `server.connect(transport)`. */
  readonly server: McpServer;
  /** The memory the tools act on (usable without MCP). */
  readonly memory: MemoryService;
  readonly store: MemoryBackend;
  readonly policy: MemoryPolicy;
  /**
   * Another MCP server over the same memory, for another connection: an MCP server talks to one
   * transport, so Streamable HTTP makes one per session.
   */
  createServer(): McpServer;
  /** Closes every server made here, then the store when it was opened from a spec. */
  close(): Promise<void>;
}

const PACKAGE_VERSION = packageVersionOf("@finemem/mcp", import.meta.url);

function idField(name: string, what: string) {
  return z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? `${name} is required (${what})`
          : `${name} must be a non-empty string, got ${typeof issue.input}`,
    })
    .min(1, { error: `${name} must be a non-empty string` })
    .describe(what);
}

const namespaceShape = {
  userId: idField("userId", "whose memory: any non-empty string, e.g. an email or a uuid"),
  agentId: idField("agentId", "optional: the agent whose memory it is, within the user's").optional(),
  runId: idField("runId", "optional: one run or session, within the user's (and agent's)").optional(),
};

function textField(name: string, what: string) {
  return z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? `${name} is required (${what})`
          : `${name} must be a string, got ${typeof issue.input}`,
    })
    .refine((value) => value.trim().length > 0, { error: `${name} must hold something other than whitespace` })
    .describe(what);
}

function json(value: unknown): CallToolResult {
  return { content: [{ type: "text", text: JSON.stringify(value, null, 2) }] };
}

/** A tool's domain error (an unknown item id, a bad turn) as an MCP tool error naming the field. */
function toolError(error: unknown): CallToolResult {
  if (!isFineMemError(error)) throw error;
  const at = error.path.length === 0 ? "" : ` at ${formatPath(error.path)}`;
  return { content: [{ type: "text", text: `${error.code}${at}: ${error.message}` }], isError: true };
}

async function run(job: () => Promise<unknown>): Promise<CallToolResult> {
  try {
    return json(await job());
  } catch (error) {
    return toolError(error);
  }
}

function decodeVariable(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  const text = Array.isArray(value) ? value.join(",") : value;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The memory resource's URI for a namespace of tool arguments. */
export function memoryResourceUri(args: { userId: string; agentId?: string; runId?: string }): string {
  return `finemem://memory/${encodeURIComponent(args.userId)}${args.agentId === undefined ? "" : `/agent/${encodeURIComponent(args.agentId)}`}${args.runId === undefined ? "" : `/run/${encodeURIComponent(args.runId)}`}`;
}

const RESOURCE_TEMPLATES = [
  { name: "memory", template: "finemem://memory/{userId}" },
  { name: "memory-agent", template: "finemem://memory/{userId}/agent/{agentId}" },
  { name: "memory-run", template: "finemem://memory/{userId}/run/{runId}" },
  { name: "memory-agent-run", template: "finemem://memory/{userId}/agent/{agentId}/run/{runId}" },
] as const;

function registerAll(server: McpServer, memory: MemoryService, defaultTopK: number): void {
  server.registerTool(
    "observe",
    {
      title: "Observe a conversation turn",
      description:
        "Give memory one turn of the conversation ({ role, content }). The memory manager decides what to keep (INSERT, UPDATE, DELETE or SKIP) and writes it at once; returns the steps it ran with their operations.",
      inputSchema: {
        ...namespaceShape,
        role: textField("role", "who spoke: user, assistant, tool, …"),
        content: textField("content", "what was said"),
        at: z.string().optional().describe("optional: when it was said, free text (e.g. an ISO date)"),
      },
    },
    (args) =>
      run(async () => ({
        steps: await memory.observe(namespaceOf(args), {
          role: args.role,
          content: args.content,
          ...(args.at === undefined ? {} : { at: args.at }),
        }),
      })),
  );
  server.registerTool(
    "recall",
    {
      title: "Recall memory",
      description:
        "The memory items relevant to a question, best first, each with its id, version, the step and operation that wrote it, its source chunk and its provenance (the steps its credit is split over).",
      inputSchema: {
        ...namespaceShape,
        question: textField("question", "what you want to know, e.g. Where does the user live?"),
        topK: z
          .number({ error: "topK must be an integer ≥ 1" })
          .int({ error: "topK must be an integer ≥ 1" })
          .min(1, { error: "topK must be an integer ≥ 1" })
          .optional()
          .describe(`how many items at most (default ${defaultTopK})`),
      },
    },
    (args) =>
      run(async () => ({ items: await memory.recall(namespaceOf(args), args.question, args.topK ?? defaultTopK) })),
  );
  server.registerTool(
    "insert",
    {
      title: "Insert a memory item",
      description: "Write a new memory item explicitly, bypassing the manager. Returns the step and the new item's id.",
      inputSchema: {
        ...namespaceShape,
        content: textField("content", "the item's text"),
        memoryType: z
          .enum(["semantic", "episodic"])
          .optional()
          .describe("typed (Mem-α) memory only: which list the item goes to"),
        timestamp: z.string().optional().describe("typed memory only: an episodic event's time"),
      },
    },
    (args) =>
      run(() =>
        memory.insert(namespaceOf(args), {
          content: args.content.trim(),
          ...(args.memoryType === undefined ? {} : { memoryType: args.memoryType }),
          ...(args.timestamp === undefined ? {} : { timestamp: args.timestamp }),
        }),
      ),
  );
  server.registerTool(
    "update",
    {
      title: "Update a memory item",
      description: "Replace an item's text; the item keeps its id and gains a version (see history).",
      inputSchema: {
        ...namespaceShape,
        itemId: idField("itemId", "the item to update, e.g. m1"),
        content: textField("content", "the item's new text"),
      },
    },
    (args) => run(() => memory.update(namespaceOf(args), args.itemId, args.content.trim())),
  );
  server.registerTool(
    "delete",
    {
      title: "Delete a memory item",
      description: "Remove an item from memory; its history stays (a tombstone version).",
      inputSchema: { ...namespaceShape, itemId: idField("itemId", "the item to delete, e.g. m1") },
    },
    (args) => run(() => memory.delete(namespaceOf(args), args.itemId)),
  );
  server.registerTool(
    "history",
    {
      title: "An item's history",
      description:
        "Every version of an item, oldest first: its text, the step, operation and source chunk that wrote it.",
      inputSchema: { ...namespaceShape, itemId: idField("itemId", "the item, e.g. m1") },
    },
    (args) =>
      run(async () => ({ itemId: args.itemId, versions: await memory.history(namespaceOf(args), args.itemId) })),
  );
  server.registerTool(
    "forget_source",
    {
      title: "Forget a source chunk",
      description:
        "Delete every current item written from one source chunk (any of its versions), e.g. chunk-3 (an observed turn) or edit-5 (an explicit edit): the sourceChunkId that recall and history report.",
      inputSchema: {
        ...namespaceShape,
        sourceChunkId: idField("sourceChunkId", "the source chunk, e.g. chunk-3"),
      },
    },
    (args) => run(() => memory.forgetSource(namespaceOf(args), args.sourceChunkId)),
  );

  for (const { name, template } of RESOURCE_TEMPLATES) {
    server.registerResource(
      name,
      new ResourceTemplate(template, {
        list:
          name === "memory"
            ? async () => ({
                resources: (await memory.store.namespaces())
                  .filter(
                    (namespace): namespace is Namespace & { user: string } =>
                      namespace.user !== undefined &&
                      namespace.agent === undefined &&
                      namespace.run === undefined &&
                      !namespace.user.startsWith(ENCODED_NAMESPACE_ID_PREFIX),
                  )
                  .map((namespace) => ({
                    uri: memoryResourceUri({ userId: namespace.user }),
                    name: `memory of ${namespace.user}`,
                    mimeType: "application/json",
                  })),
              })
            : undefined,
      }),
      {
        title: "Current memory",
        description: `The current memory items of a namespace, as JSON (${template})`,
        mimeType: "application/json",
      },
      async (uri, variables): Promise<ReadResourceResult> => {
        const userId = decodeVariable(variables.userId) ?? "";
        const agentId = decodeVariable(variables.agentId);
        const runId = decodeVariable(variables.runId);
        const view = await memory.view(
          namespaceOf({
            userId,
            ...(agentId === undefined ? {} : { agentId }),
            ...(runId === undefined ? {} : { runId }),
          }),
        );
        return {
          contents: [
            {
              uri: uri.href,
              mimeType: "application/json",
              text: JSON.stringify(
                {
                  userId,
                  ...(agentId === undefined ? {} : { agentId }),
                  ...(runId === undefined ? {} : { runId }),
                  layout: view.layout,
                  step: view.step,
                  items: view.items,
                },
                null,
                2,
              ),
            },
          ],
        };
      },
    );
  }
}

/**
 * Creates a Fine-Mem MCP server: opens the store and builds the manager the options name, and registers
 * the tools (`observe`, `recall`, `insert`, `update`, `delete`, `history`, `forget_source`) and the
 * memory resources (`finemem://memory/{userId}`, with `/agent/{agentId}` and `/run/{runId}`). Connect
 * `server` to a transport (`StdioServerTransport`, an `InMemoryTransport`), or serve it over HTTP with
 * `startHttpServer`.
 */
export async function createFineMemMcpServer(options: FineMemMcpServerOptions = {}): Promise<FineMemMcpServer> {
  const topK = options.topK ?? DEFAULT_MCP_RECALL_TOP_K;
  if (!Number.isInteger(topK) || topK < 1)
    throw new McpServerError("invalid_option", `topK must be an integer ≥ 1, got ${String(options.topK)}`, ["topK"]);
  const policy =
    typeof options.manager === "object"
      ? options.manager
      : await createManagerPolicy(options.manager ?? "default", options.llm);
  const storeOption = options.store ?? "pglite";
  const ownsStore = typeof storeOption === "string";
  const store =
    typeof storeOption === "string" ? await openStore(parseStoreSpec(storeOption), policy.layout) : storeOption;
  let memory: MemoryService;
  try {
    memory = createMemoryService({
      store,
      policy,
      topK,
      ...(options.chunkTokens === undefined ? {} : { chunkTokens: options.chunkTokens }),
    });
  } catch (error) {
    if (ownsStore) await store.close();
    throw error;
  }
  const servers = new Set<McpServer>();
  const createServer = (): McpServer => {
    const server = new McpServer(
      { name: MCP_SERVER_NAME, version: options.version ?? PACKAGE_VERSION },
      {
        instructions:
          "Fine-Mem long-term memory. Call observe with each conversation turn worth remembering; call recall before answering a question that may depend on what the user said earlier. Every call names whose memory with userId (and optionally agentId, runId).",
      },
    );
    registerAll(server, memory, topK);
    servers.add(server);
    return server;
  };
  const server = createServer();
  return {
    server,
    memory,
    store,
    policy,
    createServer,
    async close() {
      for (const each of servers) await each.close();
      servers.clear();
      if (ownsStore) await store.close();
    },
  };
}
