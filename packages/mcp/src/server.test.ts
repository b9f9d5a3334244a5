import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { afterEach, describe, expect, it } from "vitest";
import { call, expectLisbonFirst, movesToLisbon, text } from "./conversation.test-helpers.js";
import { startHttpServer } from "./http.js";
import { createFineMemMcpServer, type FineMemMcpServer, memoryResourceUri } from "./server.js";

const TOOLS = ["delete", "forget_source", "history", "insert", "observe", "recall", "update"];
const opened: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of opened.splice(0).reverse()) await close();
});

async function resourceJson(
  client: Client,
  uri: string,
): Promise<Record<string, unknown> & { items: { content: string }[] }> {
  const [content] = (await client.readResource({ uri })).contents;
  return JSON.parse(content !== undefined && "text" in content ? content.text : "null");
}

async function inProcess(): Promise<{ mcp: FineMemMcpServer; client: Client }> {
  const mcp = await createFineMemMcpServer({ store: "memory" });
  const [serverSide, clientSide] = InMemoryTransport.createLinkedPair();
  await mcp.server.connect(serverSide);
  const client = new Client({ name: "test", version: "1.0.0" });
  await client.connect(clientSide);
  opened.push(
    () => mcp.close(),
    () => client.close(),
  );
  return { mcp, client };
}

describe("the MCP server in process", () => {
  it("lists the tools and the memory resource templates", async () => {
    const { client } = await inProcess();
    expect((await client.listTools()).tools.map((tool) => tool.name).sort()).toEqual(TOOLS);
    // The handshake names the package and the version in its package.json.
    const manifest = JSON.parse(readFileSync(join(import.meta.dirname, "..", "package.json"), "utf8")) as {
      version: string;
    };
    expect(client.getServerVersion()).toMatchObject({ version: manifest.version });
    const observe = (await client.listTools()).tools.find((tool) => tool.name === "observe");
    expect(observe?.inputSchema.required).toEqual(expect.arrayContaining(["userId", "role", "content"]));
    expect((await client.listResourceTemplates()).resourceTemplates.map((template) => template.uriTemplate)).toEqual([
      "finemem://memory/{userId}",
      "finemem://memory/{userId}/agent/{agentId}",
      "finemem://memory/{userId}/run/{runId}",
      "finemem://memory/{userId}/agent/{agentId}/run/{runId}",
    ]);
  });

  it("observes a changing fact and recalls the update first, with provenance", async () => {
    const { client } = await inProcess();
    await movesToLisbon(client, "ada@example.com");
    await expectLisbonFirst(client, "ada@example.com");
    const { versions } = await call(client, "history", { userId: "ada@example.com", itemId: "m1" });
    expect(versions.map((version) => version.content)).toEqual(["I live in Paris.", "I live in Lisbon now."]);
    const stranger = await call(client, "recall", { userId: "bo", question: "Where do I live?" });
    expect(stranger.items).toEqual([]);
  });

  it("names the field of a bad argument", async () => {
    const { client } = await inProcess();
    const missing = await client.callTool({ name: "observe", arguments: { role: "user", content: "Hi." } });
    expect(missing.isError).toBe(true);
    expect(text(missing)).toMatch(/userId/);
    const number = await client.callTool({ name: "observe", arguments: { userId: "ada", role: "user", content: 42 } });
    expect(number.isError).toBe(true);
    expect(text(number)).toMatch(/content must be a string, got number at content/);
    const blank = await client.callTool({ name: "recall", arguments: { userId: "ada", question: "  " } });
    expect(text(blank)).toMatch(/question/);
    const badK = await client.callTool({ name: "recall", arguments: { userId: "ada", question: "x", topK: 0 } });
    expect(text(badK)).toMatch(/topK/);
    const emptyUser = await client.callTool({ name: "recall", arguments: { userId: "", question: "x" } });
    expect(text(emptyUser)).toMatch(/userId must be a non-empty string at userId/);
  });

  it("answers an unknown item id with a tool error naming it", async () => {
    const { client } = await inProcess();
    for (const [name, args] of [
      ["delete", {}],
      ["update", { content: "New." }],
      ["history", {}],
    ] as const) {
      const result = await client.callTool({ name, arguments: { userId: "ada", itemId: "m42", ...args } });
      expect(result.isError).toBe(true);
      expect(text(result)).toMatch(/^not_found at itemId: no memory item "m42"/);
    }
  });

  it("inserts, updates, deletes and forgets by source, per agent and run", async () => {
    const { client } = await inProcess();
    const scope = { userId: "ada", agentId: "planner", runId: "run 1" };
    const inserted = await call(client, "insert", { ...scope, content: "The trip is in May." });
    expect(inserted.operations[0]).toMatchObject({ type: "INSERT", itemId: "m1", status: "applied" });
    await call(client, "update", { ...scope, itemId: "m1", content: "The trip is in June." });
    await call(client, "observe", { ...scope, role: "user", content: "My passport expires in 2031." });
    const view = await resourceJson(client, memoryResourceUri(scope));
    expect(view).toMatchObject({ userId: "ada", agentId: "planner", runId: "run 1", step: 3 });
    expect(view.items.map((item: { content: string }) => item.content)).toEqual([
      "The trip is in June.",
      "My passport expires in 2031.",
    ]);
    const forgotten = await call(client, "forget_source", { ...scope, sourceChunkId: "chunk-3" });
    expect(forgotten.operations).toMatchObject([{ type: "DELETE", itemId: "m2", status: "applied" }]);
    await call(client, "delete", { ...scope, itemId: "m1" });
    const after = await resourceJson(client, memoryResourceUri(scope));
    expect(after.items).toEqual([]);
    // The user's own namespace (no agent, no run) is another memory.
    const own = await resourceJson(client, "finemem://memory/ada");
    expect(own).toMatchObject({ userId: "ada", step: 0, items: [] });
  });

  it("lists the users' memory resources", async () => {
    const { client } = await inProcess();
    await call(client, "insert", { userId: "ada@example.com", content: "Ada likes tea." });
    expect((await client.listResources()).resources.map((resource) => resource.uri)).toEqual([
      "finemem://memory/ada%40example.com",
    ]);
  });

  it("refuses bad options", async () => {
    await expect(createFineMemMcpServer({ store: "redis:x" as never })).rejects.toMatchObject({
      code: "invalid_option",
      path: ["store"],
    });
    await expect(createFineMemMcpServer({ store: "memory", manager: "magic" as never })).rejects.toMatchObject({
      path: ["manager"],
    });
    await expect(createFineMemMcpServer({ store: "memory", manager: "llm" })).rejects.toMatchObject({ path: ["llm"] });
    await expect(createFineMemMcpServer({ store: "memory", topK: 0 })).rejects.toMatchObject({ path: ["topK"] });
  });
});

describe("the MCP server over Streamable HTTP", () => {
  it("serves sessions on /mcp that share one memory", async () => {
    const mcp = await createFineMemMcpServer({ store: "memory" });
    const http = await startHttpServer(mcp);
    opened.push(
      () => mcp.close(),
      () => http.close(),
    );
    expect(http.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);

    const first = new Client({ name: "first", version: "1.0.0" });
    await first.connect(new StreamableHTTPClientTransport(new URL(http.url)));
    expect((await first.listTools()).tools.map((tool) => tool.name).sort()).toEqual(TOOLS);
    await movesToLisbon(first, "ada");
    const bad = await first.callTool({ name: "observe", arguments: { userId: "ada", role: "user", content: 7 } });
    expect(text(bad)).toMatch(/at content/);
    await first.close();

    const second = new Client({ name: "second", version: "1.0.0" });
    await second.connect(new StreamableHTTPClientTransport(new URL(http.url)));
    await expectLisbonFirst(second, "ada");
    await second.close();

    expect((await fetch(http.url.replace("/mcp", "/other"))).status).toBe(404);
    const noSession = await fetch(http.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(noSession.status).toBe(400);
  });
});
