import { describe, expect, it } from "vitest";
import { parseCliArgs } from "./cli-args.js";
import { parseStoreSpec } from "./config.js";
import { McpServerError } from "./mcp-error.js";

function failure(run: () => unknown): McpServerError {
  try {
    run();
  } catch (error) {
    if (error instanceof McpServerError) return error;
    throw error;
  }
  throw new Error("expected an McpServerError");
}

describe("parseCliArgs", () => {
  it("defaults to stdio, the default PGlite directory and the default manager", () => {
    expect(parseCliArgs([], {})).toEqual({
      help: false,
      transport: { kind: "stdio" },
      store: "pglite",
      manager: "default",
    });
  });

  it("reads every flag", () => {
    expect(
      parseCliArgs(
        [
          "--http",
          "3000",
          "--store=pglite:/tmp/m",
          "--manager",
          "llm",
          "--llm-url",
          "http://x/v1",
          "--llm-model",
          "m",
          "--top-k",
          "3",
        ],
        { OPENAI_API_KEY: "sk-test" },
      ),
    ).toEqual({
      help: false,
      transport: { kind: "http", port: 3000, host: "127.0.0.1" },
      store: "pglite:/tmp/m",
      manager: "llm",
      llm: { baseURL: "http://x/v1", model: "m", apiKey: "sk-test" },
      topK: 3,
    });
    expect(parseCliArgs(["--manager", "learned:/runs/a", "--store", "memory"], {}).manager).toBe("learned:/runs/a");
    expect(parseCliArgs(["-h"], {}).help).toBe(true);
  });

  it("names the bad flag", () => {
    expect(failure(() => parseCliArgs(["--http", "port"], {})).path).toEqual(["--http"]);
    expect(failure(() => parseCliArgs(["--store", "redis:x"], {})).path).toEqual(["--store"]);
    expect(failure(() => parseCliArgs(["--manager", "magic"], {})).path).toEqual(["--manager"]);
    expect(failure(() => parseCliArgs(["--manager", "llm", "--llm-model", "m"], {})).path).toEqual(["--llm-url"]);
    expect(failure(() => parseCliArgs(["--top-k", "0"], {})).path).toEqual(["--top-k"]);
    expect(failure(() => parseCliArgs(["--verbose"], {})).code).toBe("invalid_option");
    expect(failure(() => parseCliArgs(["--store"], {})).message).toContain("needs a value");
  });
});

describe("parseStoreSpec", () => {
  it("reads the store kinds, pglite defaulting to the agent's directory", () => {
    expect(parseStoreSpec("memory")).toEqual({ kind: "memory" });
    expect(parseStoreSpec("pglite", ["store"], { FINEMEM_MEMORY_DIR: "/data/mem" })).toEqual({
      kind: "pglite",
      directory: "/data/mem",
    });
    expect(parseStoreSpec("pglite:./m")).toEqual({ kind: "pglite", directory: "./m" });
    expect(parseStoreSpec("postgres:postgresql://u@h/db")).toEqual({
      kind: "postgres",
      connectionString: "postgresql://u@h/db",
    });
    expect(failure(() => parseStoreSpec("pglite:")).path).toEqual(["store"]);
  });
});
