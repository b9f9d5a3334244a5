// Shared by the transport tests: the conversation every transport is tested with, a fact that changes.
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { expect } from "vitest";
import type { AppliedOperation, ItemVersionReport, RecalledMemory, StepReport } from "./memory-service.js";

export function text(result: unknown): string {
  const [first] = (result as CallToolResult).content;
  return first?.type === "text" ? first.text : "";
}

/** What the tools answer, loosely: each test reads the fields it needs. */
export interface ToolReply {
  readonly steps: readonly StepReport[];
  readonly items: readonly RecalledMemory[];
  readonly versions: readonly ItemVersionReport[];
  readonly operations: readonly AppliedOperation[];
}

export async function call(client: Client, name: string, args: Record<string, unknown>): Promise<ToolReply> {
  const result = await client.callTool({ name, arguments: args });
  if (result.isError) throw new Error(text(result));
  return JSON.parse(text(result)) as ToolReply;
}

/** The conversation every transport is tested with: a fact that changes. */
export async function movesToLisbon(client: Client, userId: string): Promise<void> {
  const turns = ["I live in Paris.", "My sister Ada Moreau is a pianist.", "I live in Lisbon now."];
  const types: string[] = [];
  for (const content of turns) {
    const { steps } = await call(client, "observe", { userId, role: "user", content });
    types.push(...steps.flatMap((step) => step.operations.map((operation) => operation.type)));
  }
  expect(types).toEqual(["INSERT", "INSERT", "UPDATE"]);
}

export async function expectLisbonFirst(client: Client, userId: string): Promise<void> {
  const { items } = await call(client, "recall", { userId, question: "Where do I live?" });
  expect(items[0]).toMatchObject({
    itemId: "m1",
    content: "I live in Lisbon now.",
    version: 2,
    step: 3,
    createdStep: 1,
    sourceChunkId: "chunk-3",
    operationId: "s3.0",
    provenance: { 1: 0.5, 3: 0.5 },
  });
  expect(items.map((item) => item.content)).not.toContain("I live in Paris.");
}
