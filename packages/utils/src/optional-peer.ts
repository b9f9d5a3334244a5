import { FineMemError } from "@finemem/spec";

/**
 * Loading an optional peer dependency on first use. Heavy runtimes (transformers.js loads
 * onnxruntime's native binary at import, node-llama-cpp its llama.cpp build) and the hub client are
 * optional peers of the entry points that need them, so importing an entry costs nothing until a model
 * is created or a file downloaded. Every such entry reports a missing peer the same way: naming the
 * package, the entry that needs it and the install command.
 */

/**
 * Why a peer could not be loaded:
 * - `missing_dependency`: it is not installed (`npm install` fixes it);
 * - `load_failed`: it is installed but failed to initialise (a broken native binary, a wrong version), which reinstalling does not fix.
 */
export type OptionalPeerFailureCode = "missing_dependency" | "load_failed";

/** What went wrong, for the caller's own typed error. */
export interface OptionalPeerFailure {
  readonly code: OptionalPeerFailureCode;
  /** The message to show: names the package, and for a missing one the entry that needs it and the install command. */
  readonly message: string;
  readonly packageName: string;
  readonly requiredBy: string;
  /** The error the import threw. */
  readonly cause: unknown;
}

/** The error {@link importOptionalPeer} throws when the caller passes no error factory. */
export class OptionalPeerError extends FineMemError {
  declare readonly code: OptionalPeerFailureCode;
  constructor(failure: OptionalPeerFailure) {
    super(failure.code, failure.message, { cause: failure.cause });
  }
}

/**
 * Runs `load` (an `import()` of `packageName`) and returns the module. A failure becomes the error
 * `toError` makes of it (default: an {@link OptionalPeerError}), so each caller keeps its own error
 * class and codes; `requiredBy` is the entry point named in the message (e.g. `@finemem/memory/hybrid`).
 */
export async function importOptionalPeer<T>(
  packageName: string,
  requiredBy: string,
  load: () => Promise<T>,
  toError: (failure: OptionalPeerFailure) => Error = (failure) => new OptionalPeerError(failure),
): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    // Only the package itself being absent is a missing dependency: a module it fails to find inside
    // (a missing native binary, a missing transitive dependency) is a broken install.
    const notInstalled =
      (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") &&
      String((error as Error).message).includes(packageName);
    const failure: OptionalPeerFailure = notInstalled
      ? {
          code: "missing_dependency",
          message: `${packageName} is not installed; it is an optional peer dependency of ${requiredBy} (npm install ${packageName})`,
          packageName,
          requiredBy,
          cause: error,
        }
      : {
          code: "load_failed",
          message: `${packageName} could not be loaded: ${(error as Error)?.message ?? String(error)}`,
          packageName,
          requiredBy,
          cause: error,
        };
    throw toError(failure);
  }
}
