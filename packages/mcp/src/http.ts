import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import type { FineMemMcpServer } from "./server.js";

/** The path the Streamable HTTP endpoint answers on. */
export const MCP_HTTP_PATH = "/mcp";

export interface HttpServerOptions {
  /** Default 0: a free port (read it from the result's `url`). */
  readonly port?: number;
  /** Default `127.0.0.1`: only this machine can connect. */
  readonly host?: string;
  /** Largest request body in bytes (default 4 MiB). */
  readonly maxBodyBytes?: number;
}

export interface RunningHttpServer {
  /** e.g. `http://127.0.0.1:3000/mcp`. */
  readonly url: string;
  readonly port: number;
  /** Closes every session and stops listening (the memory stays open: close it with `mcp.close()`). */
  close(): Promise<void>;
}

function jsonRpcError(res: ServerResponse, status: number, code: number, message: string): void {
  res
    .writeHead(status, { "content-type": "application/json" })
    .end(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }));
}

async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new RangeError(`request body over ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

/**
 * Serves `mcp` over MCP's Streamable HTTP transport at `http://<host>:<port>/mcp`, one session (and one
 * MCP server from `mcp.createServer()`) per client, with DNS-rebinding protection (the Host header must
 * name this host and port).
 */
export async function startHttpServer(
  mcp: FineMemMcpServer,
  options: HttpServerOptions = {},
): Promise<RunningHttpServer> {
  const host = options.host ?? "127.0.0.1";
  const maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  let allowedHosts: string[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (path !== MCP_HTTP_PATH) {
      res.writeHead(404, { "content-type": "text/plain" }).end(`not found: the MCP endpoint is ${MCP_HTTP_PATH}\n`);
      return;
    }
    const sessionHeader = req.headers["mcp-session-id"];
    const sessionId = Array.isArray(sessionHeader) ? sessionHeader[0] : sessionHeader;
    let body: unknown;
    if (req.method === "POST") {
      try {
        body = await readJson(req, maxBodyBytes);
      } catch (error) {
        jsonRpcError(res, error instanceof RangeError ? 413 : 400, -32700, `Parse error: ${(error as Error).message}`);
        return;
      }
    }
    let transport = sessionId === undefined ? undefined : sessions.get(sessionId);
    if (transport === undefined) {
      if (sessionId !== undefined) {
        jsonRpcError(res, 404, -32001, `Session not found: ${sessionId}`);
        return;
      }
      if (req.method !== "POST" || !isInitializeRequest(body)) {
        jsonRpcError(res, 400, -32000, "Bad Request: no valid session id; start with an initialize request");
        return;
      }
      const created: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => {
          sessions.set(id, created);
        },
        enableDnsRebindingProtection: true,
        allowedHosts,
      });
      created.onclose = () => {
        if (created.sessionId !== undefined) sessions.delete(created.sessionId);
      };
      await mcp.createServer().connect(created);
      transport = created;
    }
    await transport.handleRequest(req, res, body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) jsonRpcError(res, 500, -32603, `Internal error: ${(error as Error).message}`);
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostInUrl = host.includes(":") ? `[${host}]` : host;
  allowedHosts = [`${hostInUrl}:${port}`, `localhost:${port}`];
  return {
    url: `http://${hostInUrl}:${port}${MCP_HTTP_PATH}`,
    port,
    async close() {
      for (const transport of sessions.values()) await transport.close();
      sessions.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
