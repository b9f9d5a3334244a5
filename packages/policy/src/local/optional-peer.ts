import { LocalModelError } from "./local-model-error.js";

/**
 * Imports an optional peer dependency on first use, so that importing a subpath entry costs nothing
 * (transformers.js loads onnxruntime's native binary at import, node-llama-cpp its llama.cpp build)
 * until a model is actually created. A package that is not installed and one that fails to initialise
 * get different codes: the first is fixed by `npm install`, the second is not.
 */
export async function importOptionalPeer<T>(packageName: string, entry: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    const notInstalled = (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") && String((error as Error).message).includes(packageName);
    if (notInstalled) {
      throw new LocalModelError("missing_dependency", `${packageName} is not installed; it is an optional peer dependency of ${entry} (npm install ${packageName})`, { cause: error });
    }
    throw new LocalModelError("load_failed", `${packageName} could not be loaded: ${(error as Error)?.message ?? String(error)}`, { cause: error });
  }
}
