import type { LoadedConfig } from "../config/load-config.js";
import { writeLine, type CliIo } from "./cli-io.js";
import type { ConfigFlagValues } from "./config-flags.js";

/** `finemem data <list | download | inspect | build-chunk-qa>`. */
export async function dataCommand(args: readonly string[], _values: ConfigFlagValues, _config: () => Promise<LoadedConfig>, io: CliIo): Promise<number> {
  writeLine(io.stderr, `finemem data: unknown subcommand ${JSON.stringify(args[0] ?? "")}`);
  return 2;
}
