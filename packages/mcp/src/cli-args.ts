import type { LlmManagerOptions, ManagerSpec, StoreSpec } from "./config.js";
import { parseStoreSpec } from "./config.js";
import { McpServerError } from "./mcp-error.js";

/** What the `finemem-mcp` command line asks for. */
export interface CliOptions {
  readonly help: boolean;
  readonly transport:
    | { readonly kind: "stdio" }
    | { readonly kind: "http"; readonly port: number; readonly host: string };
  readonly store: StoreSpec;
  readonly manager: ManagerSpec;
  readonly llm?: LlmManagerOptions;
  readonly topK?: number;
}

export const CLI_USAGE = `finemem-mcp: Fine-Mem memory as an MCP server

Usage: finemem-mcp [--stdio | --http <port>] [--store <store>] [--manager <manager>] [options]

Transport:
  --stdio                 serve over standard input / output (the default; for Claude Desktop, IDEs)
  --http <port>           serve MCP's Streamable HTTP on http://127.0.0.1:<port>/mcp (0: a free port)
  --host <host>           the address --http listens on (default 127.0.0.1)

Memory:
  --store <store>         memory | pglite | pglite:<directory> | postgres:<connection string>
                          (default pglite: FINEMEM_MEMORY_DIR, else ~/.finemem/memory)
  --manager <manager>     default | learned:<checkpoint folder> | llm (default: the conversational policy)
  --llm-url <url>         the llm manager's OpenAI-compatible API root, e.g. http://localhost:8000/v1
  --llm-model <name>      the llm manager's model
  --llm-key <key>         its API key (default FINEMEM_LLM_API_KEY, else OPENAI_API_KEY)
  --top-k <k>             items per recall unless a call says (default 5)
  -h, --help              this text
`;

function invalid(flag: string, message: string): McpServerError {
  return new McpServerError("invalid_option", `${flag} ${message} (finemem-mcp --help lists the flags)`, [flag]);
}

/** Reads the command line; a bad flag is an `invalid_option` error whose path names it. */
export function parseCliArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): CliOptions {
  let help = false;
  let transport: "stdio" | "http" = "stdio";
  let port = 0;
  let host = "127.0.0.1";
  let store = "pglite";
  let manager = "default";
  let llmUrl: string | undefined;
  let llmModel: string | undefined;
  let llmKey: string | undefined = env.FINEMEM_LLM_API_KEY || env.OPENAI_API_KEY || undefined;
  let topK: number | undefined;
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    const [flag, inline] =
      arg.startsWith("--") && arg.includes("=")
        ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
        : [arg, undefined];
    const value = (): string => {
      const next = inline ?? argv[++index];
      if (next === undefined || next.length === 0) throw invalid(flag, "needs a value");
      return next;
    };
    switch (flag) {
      case "-h":
      case "--help":
        help = true;
        break;
      case "--stdio":
        transport = "stdio";
        break;
      case "--http": {
        const text = value();
        port = Number(text);
        if (!/^\d+$/.test(text) || port > 65535)
          throw invalid(flag, `must be a port number 0-65535, got ${JSON.stringify(text)}`);
        transport = "http";
        break;
      }
      case "--host":
        host = value();
        break;
      case "--store":
        store = value();
        parseStoreSpec(store, [flag], env);
        break;
      case "--manager":
        manager = value();
        if (manager !== "default" && manager !== "llm" && !(manager.startsWith("learned:") && manager.length > 8))
          throw invalid(flag, `must be default, learned:<checkpoint folder> or llm, got ${JSON.stringify(manager)}`);
        break;
      case "--llm-url":
        llmUrl = value();
        break;
      case "--llm-model":
        llmModel = value();
        break;
      case "--llm-key":
        llmKey = value();
        break;
      case "--top-k": {
        const text = value();
        topK = Number(text);
        if (!/^\d+$/.test(text) || topK < 1) throw invalid(flag, `must be an integer ≥ 1, got ${JSON.stringify(text)}`);
        break;
      }
      default:
        throw invalid(flag, "is not a flag of finemem-mcp");
    }
  }
  if (manager === "llm" && (llmUrl === undefined || llmModel === undefined))
    throw invalid(llmUrl === undefined ? "--llm-url" : "--llm-model", "is required with --manager llm");
  if (manager !== "llm" && (llmUrl !== undefined || llmModel !== undefined))
    throw invalid(llmUrl !== undefined ? "--llm-url" : "--llm-model", "applies only with --manager llm");
  return {
    help,
    transport: transport === "http" ? { kind: "http", port, host } : { kind: "stdio" },
    store: store as StoreSpec,
    manager: manager as ManagerSpec,
    ...(llmUrl !== undefined && llmModel !== undefined
      ? { llm: { baseURL: llmUrl, model: llmModel, ...(llmKey === undefined ? {} : { apiKey: llmKey }) } }
      : {}),
    ...(topK === undefined ? {} : { topK }),
  };
}
