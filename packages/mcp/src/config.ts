import { defaultMemoryPath } from "@finemem/agent";
import type { MemoryBackend } from "@finemem/memory";
import { createConversationalPolicy } from "@finemem/policy";
import type { MemoryLayout, MemoryPolicy } from "@finemem/spec";
import { McpServerError } from "./mcp-error.js";

/**
 * Where memory lives: `memory` (this process only), `pglite` (a PGlite directory, by default
 * `defaultMemoryPath()` of `@finemem/agent`: `FINEMEM_MEMORY_DIR`, else `~/.finemem/memory`),
 * `pglite:<directory>`, or `postgres:<connection string>` (e.g. `postgres:postgresql://user@host/db`).
 */
export type StoreSpec = "memory" | "pglite" | `pglite:${string}` | `postgres:${string}`;

/**
 * Who decides what to keep: `default` (the conversational policy of `@finemem/policy`, the agent's
 * default), `learned:<checkpoint folder>` (a policy trained by `finemem train`, loaded with
 * `loadLearnedPolicy` of `finemem`) or `llm` (an OpenAI-compatible model through
 * `createLlmMemoryPolicy`; give `llm`).
 */
export type ManagerSpec = "default" | "llm" | `learned:${string}`;

/** An OpenAI-compatible chat endpoint that serves the memory manager (vLLM, SGLang, OpenAI, …). */
export interface LlmManagerOptions {
  /** The API root, e.g. `http://localhost:8000/v1`. */
  readonly baseURL: string;
  readonly model: string;
  readonly apiKey?: string;
}

export type ParsedStoreSpec =
  | { readonly kind: "memory" }
  | { readonly kind: "pglite"; readonly directory: string }
  | { readonly kind: "postgres"; readonly connectionString: string };

/** Reads a {@link StoreSpec}; a bad one is an `invalid_option` error naming `path` (default `["store"]`). */
export function parseStoreSpec(
  spec: string,
  path: readonly (string | number)[] = ["store"],
  env: NodeJS.ProcessEnv = process.env,
): ParsedStoreSpec {
  if (spec === "memory") return { kind: "memory" };
  if (spec === "pglite") return { kind: "pglite", directory: defaultMemoryPath(env) };
  if (spec.startsWith("pglite:") && spec.length > "pglite:".length)
    return { kind: "pglite", directory: spec.slice("pglite:".length) };
  if (spec.startsWith("postgres:") && spec.length > "postgres:".length)
    return { kind: "postgres", connectionString: spec.slice("postgres:".length) };
  throw new McpServerError(
    "invalid_option",
    `${path.join(".")} must be "memory", "pglite", "pglite:<directory>" or "postgres:<connection string>", got ${JSON.stringify(spec)}`,
    path,
  );
}

/** Opens the store a spec names, in the layout the manager writes. */
export async function openStore(spec: ParsedStoreSpec, layout: MemoryLayout): Promise<MemoryBackend> {
  switch (spec.kind) {
    case "memory": {
      const { createInMemoryStore } = await import("@finemem/memory");
      return createInMemoryStore({ layout });
    }
    case "pglite": {
      const { openPgliteStore } = await import("@finemem/memory/pglite");
      return openPgliteStore({ directory: spec.directory, layout });
    }
    case "postgres": {
      const { openPostgresStore } = await import("@finemem/memory/postgres");
      return openPostgresStore({ connectionString: spec.connectionString, layout });
    }
  }
}

/** Reads a {@link ManagerSpec} and builds the policy; a bad one is an `invalid_option` error naming it. */
export async function createManagerPolicy(
  spec: string,
  llm: LlmManagerOptions | undefined,
  path: readonly (string | number)[] = ["manager"],
): Promise<MemoryPolicy> {
  if (spec === "default") return createConversationalPolicy();
  if (spec.startsWith("learned:") && spec.length > "learned:".length) {
    const { loadLearnedPolicy } = await import("finemem");
    return (await loadLearnedPolicy({ checkpoint: spec.slice("learned:".length) })).policy;
  }
  if (spec === "llm") {
    if (llm === undefined || typeof llm.baseURL !== "string" || typeof llm.model !== "string") {
      throw new McpServerError(
        "invalid_option",
        "the llm manager needs llm: { baseURL, model, apiKey? } (flags --llm-url and --llm-model)",
        ["llm"],
      );
    }
    const { createLlmMemoryPolicy, createOpenAICompatibleModel } = await import("@finemem/policy");
    const model = createOpenAICompatibleModel({
      baseURL: llm.baseURL,
      model: llm.model,
      role: "manager",
      ...(llm.apiKey === undefined ? {} : { apiKey: llm.apiKey }),
    });
    // A live agent's manager: no log-probabilities (that is training's), which not every endpoint returns.
    return createLlmMemoryPolicy({ model, logprobs: false });
  }
  throw new McpServerError(
    "invalid_option",
    `${path.join(".")} must be "default", "learned:<checkpoint folder>" or "llm", got ${JSON.stringify(spec)}`,
    path,
  );
}
