// `@electric-sql/pglite` is an optional peer: without it, opening a PGlite store says which package
// to install, with a typed error, like the transformers and llama-cpp entries do.
import { describe, expect, it } from "vitest";
import { StoreDependencyError } from "../pglite.js";
import { loadPglite } from "./load-pglite.js";

function notFound(specifier: string): Error {
  return Object.assign(new Error(`Cannot find package '${specifier}' imported from /app/dist/pglite.js`), {
    code: "ERR_MODULE_NOT_FOUND",
  });
}

async function failure(load: () => Promise<never>): Promise<unknown> {
  return loadPglite(load).then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe("loading PGlite", () => {
  it("without @electric-sql/pglite installed, fails with missing_dependency and the install command", async () => {
    const cause = notFound("@electric-sql/pglite");
    const error = await failure(() => Promise.reject(cause));
    expect(error).toBeInstanceOf(StoreDependencyError);
    expect(error).toMatchObject({ code: "missing_dependency", cause });
    expect((error as Error).message).toBe(
      "@electric-sql/pglite is not installed; it is an optional peer dependency of @finemem/memory/pglite (npm install @electric-sql/pglite)",
    );
  });

  it("an installed PGlite that fails to load is load_failed, not missing", async () => {
    const error = await failure(() => Promise.reject(notFound("./postgres.wasm")));
    expect(error).toBeInstanceOf(StoreDependencyError);
    expect(error).toMatchObject({ code: "load_failed" });
    expect((error as Error).message).toContain("@electric-sql/pglite could not be loaded");
  });

  it("loads the installed package by default", async () => {
    const pglite = await loadPglite();
    expect(typeof pglite.PGlite.create).toBe("function");
  });
});
