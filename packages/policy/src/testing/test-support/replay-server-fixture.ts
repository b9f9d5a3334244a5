// Test-only: replay servers that close after each test (and, re-exported, the shared helper that awaits an expected failure).
import { afterEach } from "vitest";
import { type OpenAIReplayServer, type ReplayScript, startOpenAIReplayServer } from "../openai-replay-server.js";

/** Returns `serve(script)`: starts a replay server that is closed after the current test. */
export function useReplayServers(): (script: ReplayScript) => Promise<OpenAIReplayServer> {
  const servers: OpenAIReplayServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });
  return async (script) => {
    const server = await startOpenAIReplayServer(script);
    servers.push(server);
    return server;
  };
}

export { rejection } from "@finemem/testing";
