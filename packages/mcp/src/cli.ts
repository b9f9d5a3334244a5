#!/usr/bin/env node
import { isFineMemError } from "@finemem/spec";
// The `finemem-mcp` command: Fine-Mem memory as an MCP server over stdio (the default) or Streamable
// HTTP. Standard output belongs to the MCP protocol under stdio, so everything else goes to stderr.
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { CLI_USAGE, parseCliArgs } from "./cli-args.js";
import { startHttpServer } from "./http.js";
import { createFineMemMcpServer } from "./server.js";

async function main(): Promise<number> {
  const options = parseCliArgs(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(CLI_USAGE);
    return 0;
  }
  const mcp = await createFineMemMcpServer({
    store: options.store,
    manager: options.manager,
    ...(options.llm === undefined ? {} : { llm: options.llm }),
    ...(options.topK === undefined ? {} : { topK: options.topK }),
  });
  let stopping = false;
  let stopHttp: (() => Promise<void>) | undefined;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await stopHttp?.();
    await mcp.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
  if (options.transport.kind === "http") {
    const http = await startHttpServer(mcp, { port: options.transport.port, host: options.transport.host });
    stopHttp = http.close;
    process.stderr.write(`finemem-mcp: Streamable HTTP on ${http.url}\n`);
  } else {
    const transport = new StdioServerTransport();
    // The client closing our stdin ends the session: close the store (and its directory lock) cleanly.
    process.stdin.once("end", () => void stop());
    transport.onclose = () => void stop();
    await mcp.server.connect(transport);
    process.stderr.write(`finemem-mcp: serving ${options.store} over stdio\n`);
  }
  return -1;
}

main().then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `finemem-mcp: ${isFineMemError(error) ? `${error.code}: ` : ""}${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
