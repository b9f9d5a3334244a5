import { EmbedderError } from "./errors.js";

/**
 * Imports an optional peer dependency on first use, so that importing `@finemem/memory/hybrid` costs
 * nothing (transformers.js loads onnxruntime's native binary at import) and works without them until
 * an embedder is actually created. A package that is not installed and one that fails to initialise
 * get different codes: the first is fixed by `npm install`, the second is not.
 */
export async function importOptional<T>(packageName: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    const notInstalled = (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") && String((error as Error).message).includes(packageName);
    if (notInstalled) {
      throw new EmbedderError("missing_dependency", `${packageName} is not installed; it is an optional peer dependency of @finemem/memory/hybrid (npm install ${packageName})`, { cause: error });
    }
    throw new EmbedderError("load_failed", `${packageName} could not be loaded: ${(error as Error)?.message ?? String(error)}`, { cause: error });
  }
}
