import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as entry from "./index.js";

describe("@finemem/policy/llama-cpp entry", () => {
  it("exports the backend, the grammar helpers and the errors", () => {
    expect(Object.keys(entry).sort()).toEqual(
      [
        "ContextOverflowError",
        "LocalModelError",
        "ModelConfigError",
        "UnsupportedOptionError",
        "createLlamaCppModel",
        "operationGrammarGbnf",
        "operationGrammarTokenBudget",
      ].sort(),
    );
  });

  it("imports node-llama-cpp only for types and through one dynamic import, so importing the entry loads no native code", async () => {
    const files = (await readdir(import.meta.dirname)).filter(
      (name) => name.endsWith(".ts") && !name.endsWith(".test.ts"),
    );
    const dynamic: string[] = [];
    for (const name of files) {
      const source = await readFile(join(import.meta.dirname, name), "utf8");
      for (const match of source.matchAll(/^import\s+(type\s+)?[^;]*?from\s+"node-llama-cpp";/gms))
        expect(match[1], `${name}: ${match[0]}`).toBe("type ");
      if (source.includes('import("node-llama-cpp")')) dynamic.push(name);
    }
    expect(dynamic).toEqual(["load-llama-runtime.ts"]);
  });
});
