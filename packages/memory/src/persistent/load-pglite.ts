import { FineMemError, type FineMemErrorOptions } from "@finemem/spec";
import { importOptionalPeer } from "@finemem/utils";

const PACKAGE = "@electric-sql/pglite";
const ENTRY = "@finemem/memory/pglite";

/** The module `@electric-sql/pglite`, as this entry loads it. */
export type PgliteModule = typeof import("@electric-sql/pglite");

/**
 * A package a store needs could not be loaded. Codes:
 * - `missing_dependency`: the optional peer dependency (`@electric-sql/pglite`) is not installed; the message gives the install command;
 * - `load_failed`: it is installed but failed to load (a broken install, a wrong version).
 */
export class StoreDependencyError extends FineMemError {
  declare readonly code: "missing_dependency" | "load_failed";
  constructor(code: "missing_dependency" | "load_failed", message: string, options: FineMemErrorOptions = {}) {
    super(code, message, options);
  }
}

/**
 * Loads PGlite on first use (an optional peer, so importing `@finemem/memory/pglite` costs nothing and
 * a missing install is a {@link StoreDependencyError}, not Node's raw `ERR_MODULE_NOT_FOUND`). `load`
 * is the import, replaceable in tests.
 */
export function loadPglite(
  load: () => Promise<PgliteModule> = () => import("@electric-sql/pglite"),
): Promise<PgliteModule> {
  return importOptionalPeer(
    PACKAGE,
    ENTRY,
    load,
    (failure) => new StoreDependencyError(failure.code, failure.message, { cause: failure.cause }),
  );
}
