import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, expectLisbonFirst, movesToLisbon, text } from "./conversation.test-helpers.js";

// The built command, as Claude Desktop runs it: build first (`npx tsup`).
const CLI = join(import.meta.dirname, "..", "dist", "cli.js");

let folder: string;
beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npx tsup\` in packages/mcp first`);
  folder = await mkdtemp(join(tmpdir(), "finemem-mcp-"));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function start(): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, "--stdio", "--store", `pglite:${join(folder, "memory")}`],
    stderr: "pipe",
  });
  const client = new Client({ name: "stdio-test", version: "1.0.0" });
  await client.connect(transport);
  return client;
}

describe("finemem-mcp over stdio", () => {
  it("keeps memory in a PGlite directory across a restart", { timeout: 30_000 }, async () => {
    const first = await start();
    expect((await first.listTools()).tools.map((tool) => tool.name)).toContain("observe");
    await movesToLisbon(first, "ada@example.com");
    await expectLisbonFirst(first, "ada@example.com");
    const missing = await first.callTool({ name: "recall", arguments: { question: "Where do I live?" } });
    expect(missing.isError).toBe(true);
    expect(text(missing)).toMatch(/at userId/);
    const number = await first.callTool({ name: "observe", arguments: { userId: "ada", role: "user", content: 1 } });
    expect(text(number)).toMatch(/at content/);
    await first.close();

    const second = await start();
    await expectLisbonFirst(second, "ada@example.com");
    // Step numbers continue from the store.
    const { steps } = await call(second, "observe", {
      userId: "ada@example.com",
      role: "user",
      content: "My dog is called Rex.",
    });
    expect(steps[0]).toMatchObject({ step: 4, sourceChunkId: "chunk-4" });
    await second.close();
  });
});
