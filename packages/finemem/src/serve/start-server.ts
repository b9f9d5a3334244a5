import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { ServeApp } from "./serve-app.js";

export interface RunningServer {
  /** e.g. `http://127.0.0.1:8123`. */
  readonly url: string;
  readonly port: number;
  /**
   * Graceful shutdown: new episode requests get 503 `shutting_down`, the requests in flight finish
   * (their steps are recorded and answered), then the listener closes.
   */
  close(): Promise<void>;
}

export interface StartServerOptions {
  readonly serveApp: ServeApp;
  /** Default 0 (any free port). */
  readonly port?: number | undefined;
  /** Default 127.0.0.1. */
  readonly host?: string | undefined;
}

/** Listens with the app on Node's HTTP server. */
export function startServer(options: StartServerOptions): Promise<RunningServer> {
  const host = options.host ?? "127.0.0.1";
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: options.serveApp.app.fetch, port: options.port ?? 0, hostname: host }, (info) => {
      const { port } = info as AddressInfo;
      const shownHost = host.includes(":") ? `[${host}]` : host;
      resolve({
        url: `http://${shownHost}:${port}`,
        port,
        async close() {
          options.serveApp.beginShutdown();
          await options.serveApp.drained();
          await new Promise<void>((done, fail) => server.close((error) => (error ? fail(error) : done())));
        },
      });
    });
    server.once("error", reject);
  });
}
