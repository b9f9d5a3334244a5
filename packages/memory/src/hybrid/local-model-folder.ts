import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { EmbedderError } from "./errors.js";
import { CONFIG_FILE, modelFilesAfterConfig, type EmbedderDtype } from "./model-files.js";

/** Checks that a local folder holds what transformers.js will read, so a wrong path fails clearly. */
export async function checkLocalModelFolder(dir: string, dtype: EmbedderDtype): Promise<void> {
  const isDirectory = await stat(dir).then((entry) => entry.isDirectory(), () => false);
  if (!isDirectory) throw new EmbedderError("model_not_found", `no model folder at ${dir}`);
  let configText: string;
  try {
    configText = await readFile(join(dir, CONFIG_FILE), "utf8");
  } catch (error) {
    throw new EmbedderError("model_not_found", `${join(dir, CONFIG_FILE)} does not exist: ${dir} is not a transformers.js model folder`, { cause: error });
  }
  let config: unknown;
  try {
    config = JSON.parse(configText);
  } catch (error) {
    throw new EmbedderError("load_failed", `${join(dir, CONFIG_FILE)} is not valid JSON`, { cause: error });
  }
  const files = modelFilesAfterConfig(config, dtype);
  const present = await Promise.all(files.map((file) => stat(join(dir, ...file.split("/"))).then((entry) => entry.isFile(), () => false)));
  const missing = files.filter((_, index) => !present[index]);
  if (missing.length > 0) throw new EmbedderError("model_not_found", `${dir} lacks ${missing.join(", ")} (needed for dtype ${dtype})`);
}
