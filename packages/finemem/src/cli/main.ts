import { parseArgs } from "node:util";
import { isFineMemError } from "@finemem/spec";
import { type LoadedConfig, loadConfig } from "../config/load-config.js";
import { writeReport } from "../report/write-report.js";
import { type CliIo, writeLine } from "./cli-io.js";
import { CONFIG_FLAG_OPTIONS, type ConfigFlagValues, overridesFromFlags } from "./config-flags.js";
import { DATA_FLAG_OPTIONS, dataCommand } from "./data-command.js";
import { evalCommand } from "./eval-command.js";

export const USAGE = `Usage: finemem <command> [options]

Commands:
  eval                      evaluate a memory manager (default: the heuristic policy and the extractive
                            reader on the synthetic benchmark); prints the results table, writes the
                            JSONL logs and an HTML report; the same command again resumes the run
  data list                 the datasets finemem reads
  data download <dataset>   fetch a dataset's files into the Hugging Face cache
  data inspect [dataset]    instances, chunks, questions and metric of the configured datasets
  data build-chunk-qa [dataset]  build the verified per-chunk questions (cost estimate first, resumable)
  report <run folder>       write the run's self-contained report.html

Options (eval and data):
  --config <file>           a JSON or YAML configuration
  --policy <name>           heuristic | llm | rag-top2 | long-context | prompted-flat | prompted-memalpha
  --reasoner <kind>         extractive | llm
  --dataset <kind>          synthetic | memoryagentbench | memalpha (repeatable; replaces the configured list)
  --file <path>             a MemoryAgentBench-format .jsonl or .parquet file (repeatable; replaces the list);
                            --split <name> gives its split when the file name does not start with one
  --limit <n>               instances per dataset
  --out <folder>            where runs go (default finemem-runs)
  --run-id <id>             default: derived from the configuration, so a rerun resumes
  --seed <text>   --rollouts <n>   --concurrency <episodes>
  --<role>-url <url>  --<role>-model <id>  --<role>-key <key>
                            role: manager, reasoner, generator, verifier, judge, embedder
  --set <key>=<value>       any configuration key, e.g. --set rewards.beta=0.3
  --quiet                   no progress bar
  --split <name>  --revision <rev>  --hub-url <url>  --cache-dir <folder>
                            (data download) which files, at which commit, from which hub, into which cache
  --dry-run                 (data build-chunk-qa) print the cost estimate only
  --yes                     (data build-chunk-qa) start without asking

Environment: FINEMEM_SEED, FINEMEM_OUT, FINEMEM_RUN_ID, FINEMEM_<ROLE>_BASE_URL, FINEMEM_<ROLE>_MODEL,
FINEMEM_<ROLE>_API_KEY. Precedence: defaults < file < environment < flags.
`;

/** Exit codes: 0 success, 1 a failed run, 2 a usage or configuration error. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        ...CONFIG_FLAG_OPTIONS,
        ...DATA_FLAG_OPTIONS,
        quiet: { type: "boolean" },
        "dry-run": { type: "boolean" },
        yes: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    writeLine(io.stderr, `finemem: ${(error as Error).message}`);
    writeLine(io.stderr, USAGE);
    return 2;
  }
  const [command, ...rest] = parsed.positionals;
  const values = parsed.values as ConfigFlagValues;
  if (values.help === true || command === undefined || command === "help") {
    writeLine(command === undefined && values.help !== true ? io.stderr : io.stdout, USAGE);
    return command === undefined && values.help !== true ? 2 : 0;
  }
  try {
    const config = (): Promise<LoadedConfig> =>
      loadConfig({
        ...(typeof values.config === "string"
          ? { file: values.config }
          : io.env.FINEMEM_CONFIG
            ? { file: io.env.FINEMEM_CONFIG }
            : {}),
        env: io.env,
        overrides: overridesFromFlags(values),
      });
    switch (command) {
      case "eval":
        await evalCommand((await config()).config, io, { quiet: values.quiet === true });
        return 0;
      case "data":
        return await dataCommand(rest, values, config, io);
      case "report": {
        const [folder] = rest;
        if (folder === undefined) {
          writeLine(
            io.stderr,
            "finemem report: give the run folder, e.g. finemem report finemem-runs/eval-1234abcd5678",
          );
          return 2;
        }
        writeLine(io.stdout, `report: ${await writeReport(folder)}`);
        return 0;
      }
      default:
        writeLine(io.stderr, `finemem: unknown command ${JSON.stringify(command)}`);
        writeLine(io.stderr, USAGE);
        return 2;
    }
  } catch (error) {
    if (isFineMemError(error)) {
      writeLine(io.stderr, `finemem ${command}: ${error.message} [${error.code}]`);
      return error.code === "invalid_config" ? 2 : 1;
    }
    throw error;
  }
}
