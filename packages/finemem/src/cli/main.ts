import { parseArgs } from "node:util";
import { isFineMemError } from "@finemem/spec";
import { packageVersionOf } from "@finemem/utils";
import { MAX_EXACT_SEEDS } from "../ablate/paired-statistics.js";
import { ConfigError, type LoadedConfig, loadConfig } from "../config/load-config.js";
import { writeReport } from "../report/write-report.js";
import { ABLATE_CONFIG_DEFAULTS, ablateCommand, isAblationFolder, writeAblationReport } from "./ablate-command.js";
import { type CliIo, writeLine } from "./cli-io.js";
import {
  CONFIG_FLAG_OPTIONS,
  type ConfigFlagValues,
  joinNegativeNumberValues,
  limitFromFlag,
  overridesFromFlags,
  withLimit,
} from "./config-flags.js";
import { DATA_FLAG_OPTIONS, dataCommand } from "./data-command.js";
import { evalCommand } from "./eval-command.js";
import { serveCommand } from "./serve-command.js";
import { TRAIN_CONFIG_DEFAULTS, trainCommand } from "./train-command.js";

/** The options `eval` shares with `data` (configuration, models, datasets, run), in both helps. */
const RUN_OPTIONS = `  --config <file>           a JSON or YAML configuration
  --policy <name>           heuristic | learned | llm | rag-top2 | long-context | insert-every-fact | prompted-flat | prompted-memalpha
  --checkpoint <folder>     the learned policy of a finemem train checkpoint (or run folder: its latest)
  --reasoner <kind>         extractive | llm
  --dataset <kind>          synthetic | memoryagentbench | memalpha (repeatable; replaces the configured list)
  --file <path>             a MemoryAgentBench-format .jsonl or .parquet file (repeatable; replaces the list);
                            --split <name> gives its split when the file name does not start with one
  --limit <n>               instances per dataset (a positive integer; without --dataset or --file,
                            applies to the configured datasets, by default the synthetic benchmark)
  --out <folder>            where runs go (default finemem-runs)
  --run-id <id>             default: derived from the configuration, so a rerun resumes
  --seed <text>   --rollouts <n>   --concurrency <episodes>
  --<role>-url <url>  --<role>-model <id>  --<role>-key <key>
                            role: manager, reasoner, generator, verifier, judge, embedder
  --set <key>=<value>       any configuration key, e.g. --set rewards.beta=0.3
  --quiet                   no progress bar
`;

const ENVIRONMENT = `Environment: FINEMEM_SEED, FINEMEM_OUT, FINEMEM_RUN_ID, FINEMEM_<ROLE>_BASE_URL, FINEMEM_<ROLE>_MODEL,
FINEMEM_<ROLE>_API_KEY. Precedence: defaults < file < environment < flags.
FINEMEM_HEAP_GROWING_PERCENT: how far the heap may grow past what is live (default 100: twice; 0: V8's own).
`;

export const USAGE = `Usage: finemem <command> [options]

Commands:
  eval                      evaluate a memory manager (default: the heuristic policy and the extractive
                            reader on the synthetic benchmark); prints the results table, writes the
                            JSONL logs and an HTML report; the same command again resumes the run
  train                     train a memory manager with GRPO on Fine-Mem's per-step rewards (default: the
                            learned policy on generated synthetic instances, about a minute); held-out
                            scores before and after, checkpoints, a report; the same command resumes
  serve                     serve episodes over HTTP to a client that owns the manager model (verl): step
                            prompts, operation outcomes and every per-step reward; until Ctrl-C
  data list                 the datasets finemem reads
  data download <dataset>   fetch a dataset's files into the Hugging Face cache
  data inspect [dataset]    instances, chunks, questions and metric of the configured datasets
  data build-chunk-qa [dataset]  build the verified per-chunk questions (cost estimate first, resumable)
  data generate <file.parquet>   write a large MemoryAgentBench-format file (--instances, --context-mb)
  ablate                    the reward ablation: train the learned policy under four reward settings
                            (outcome only, + chunk reward, + attribution, both) × 8 seeds; the table,
                            paired tests and curves in results.md and report.html (about 25 minutes)
  report <run folder>       write the run's self-contained report.html (an eval or a train run, an ablation)

Options (eval, train and data):
${RUN_OPTIONS}  --split <name>  --revision <rev>  --hub-url <url>  --cache-dir <folder>
                            (data download) which files, at which commit, from which hub, into which cache
  --heldout                 (eval, with --checkpoint) evaluate on the training run's held-out sets and reader
  --updates <n>  --backend cpu|webgpu|external
                            (train) updates to run; where the trainer runs (external: export samples)
  --dry-run                 (data build-chunk-qa) print the cost estimate only
  --yes                     (data build-chunk-qa) start without asking

  -h, --help                this help; finemem <command> --help: the command's
  -v, --version             the finemem version

${ENVIRONMENT}`;

/** `finemem eval --help`. */
export const EVAL_USAGE = `Usage: finemem eval [options]

Evaluates a memory manager (default: the heuristic policy and the extractive reader on the synthetic
benchmark), prints the results table, writes the JSONL logs and an HTML report. The same command again
resumes the run; Ctrl-C stops it after the work in flight.

Options:
${RUN_OPTIONS}  --heldout                 with --checkpoint: the training run's held-out datasets and reader, as its
                            evaluations.jsonl scored them

${ENVIRONMENT}`;

/** `finemem train --help`. */
export const TRAIN_USAGE = `Usage: finemem train [options]

Trains a memory manager with GRPO on Fine-Mem's per-step rewards. Each update draws training instances
(train.instancesPerUpdate, from the datasets in turn), runs G sampled rollouts of each from an empty
memory (train.rollouts), computes every reward component and updates the policy; held-out evaluation
runs before training, every train.evalEvery updates and at the end, beside the baselines. Default: the
learned policy on generated synthetic instances with the extractive reader (about a minute on 2 cores).

Writes <out>/<run id>/: manifest.json, updates.jsonl, steps.jsonl, evaluations.jsonl, baselines.jsonl,
checkpoints/update-<n>/ and report.html. The same command after a kill resumes from the latest
checkpoint. Training datasets: synthetic or memalpha (its train split); MemoryAgentBench is evaluation
data only (train.heldout may hold it).

Options:
${RUN_OPTIONS}  --updates <n>             updates to run (train.updates)
  --backend <where>         cpu (default) | webgpu | external (export each update's samples for verl)

Configuration (--config or --set): train.updates, train.instancesPerUpdate, train.rollouts,
train.evalEvery, train.checkpointEvery, train.heldout, train.baselines, train.backend,
train.trainer.<hyperparameter> (learningRate, epochs, minibatches, grouping, klCoefficient, ...),
train.export.dir; rewards.beta, rewards.chunk, rewards.compression, rewards.content,
rewards.provenance, rewards.evidence, rewards.questionFraction.

${ENVIRONMENT}`;

/** `finemem ablate --help`. */
export const ABLATE_USAGE = `Usage: finemem ablate [options]

The reward ablation with this project's trainer: trains the learned policy under four reward settings
with the same budget, rollouts and seeds (r_format and r_comp, at rewards.compression 0.05, in all four):
  outcome only   β 0, w_chunk 0 (r_global spread uniformly over the steps)
  + chunk        β 0, w_chunk rewards.chunk (default 0.5)
  + attribution  β rewards.beta (default 0.5), w_chunk 0
  both           β rewards.beta, w_chunk rewards.chunk (Fine-Mem)
Replicate k trains with seed <run.seed>-k. Evaluated on the held-out sets (train.heldout: generated
default and hard instances) beside the untrained start and the baselines (heuristic, insert-every-fact,
rag-top2); six paired comparisons with the exact sign-flip test over seeds, Holm-corrected.

Writes <out>/<ablation id>/: runs/<run id>/ (a finemem train run folder each), ablation.json,
results.md and report.html. The same command after a kill resumes; more seeds or --sweep later reuse
the runs already done.

Options:
  --seeds <n>               replicates per setting (default 8; at most 20)
  --sweep                   also the sensitivity sweep: β 0, 0.25, 0.5, 0.75, 1 at w_chunk 0.5 and
                            w_chunk 0, 0.25, 0.5, 1 at β 0.5, seeds 1 to 3
  --heldout-file <path>     a MemoryAgentBench file evaluated beside the held-out sets, not averaged
                            into the score (repeatable)
  --write-results <file>    also write results.md there (e.g. docs/results.md)
  --updates <n>  --config <file>  --set <key>=<value>  --out <folder>  --run-id <id>  --seed <text>
                            as for finemem train (train.*, rewards.*)
  --quiet                   no progress bars

${ENVIRONMENT}`;

/** `finemem serve --help`. */
export const SERVE_USAGE = `Usage: finemem serve [options]

Serves Fine-Mem episodes over HTTP (OpenAPI at /v1/openapi.json) for a client that owns the manager
model, such as verl's rollout workers with integrations/verl: start an episode (an instance of the
configured datasets by id, or one sent inline), get each step's prompt (chunk c_t and memory M_{t-1}),
send the model's output, get the operation outcomes, r_format and r_chunk, and at the end every
per-step reward and the training records. The configured reader answers the questions; the rewards
follow the configuration. Ctrl-C or SIGTERM shuts down gracefully (requests in flight finish).

Options:
  --host <host>  --port <n>  default 127.0.0.1:8420
  --database <url>          a PostgreSQL URL: episodes live there and any server process sharing it
                            serves any of them (default: this process's memory)
  --config, --dataset, --file, --limit, --reasoner, --set, --<role>-url/-model/-key: as for finemem eval

The bearer token is read from FINEMEM_SERVE_TOKEN (serve.tokenEnv names another variable); without it,
a token is generated and printed. Also serve.maxBodyBytes (8 MiB), serve.maxInFlight (256) and
serve.liveEpisodes (1024: episodes kept live between steps; 0 replays every step).

${ENVIRONMENT}`;

/** `finemem data --help`. */
export const DATA_USAGE = `Usage: finemem data <subcommand> [options]

Subcommands:
  list                      the datasets finemem reads
  download <dataset>        fetch a dataset's files into the Hugging Face cache
  inspect [dataset]         instances, chunks, questions and metric of the configured datasets
  build-chunk-qa [dataset]  build the verified per-chunk questions (cost estimate first, resumable)
  generate <file.parquet>   write a MemoryAgentBench-format parquet of generated fact-consolidation rows,
                            to measure time and memory at scale offline; evaluate it with --file
                            (name it Conflict_Resolution-….parquet, or give --split)

Options:
  --split <name>  --revision <rev>  --hub-url <url>  --cache-dir <folder>
                            (download) which files, at which commit, from which hub, into which cache
  --dry-run                 (build-chunk-qa) print the cost estimate only
  --yes                     (build-chunk-qa) start without asking
  --instances <n>  --context-mb <mb>  --questions <n>  --seed <text>
                            (generate) rows, megabytes of context per row (default 10), questions per
                            row (default 100), and the seed (the same seed writes the same bytes)
  --config, --dataset, --file, --limit, --set, --<role>-url/-model/-key: as for finemem eval
  --quiet                   no progress bar
`;

/** `finemem report --help`. */
export const REPORT_USAGE = `Usage: finemem report <run folder>

Writes the run's self-contained report.html, e.g. finemem report finemem-runs/eval-1234abcd5678
`;

const COMMAND_USAGE: Readonly<Record<string, string>> = {
  eval: EVAL_USAGE,
  train: TRAIN_USAGE,
  ablate: ABLATE_USAGE,
  serve: SERVE_USAGE,
  data: DATA_USAGE,
  report: REPORT_USAGE,
};
const COMMANDS = ["eval", "train", "ablate", "serve", "data", "report", "help"] as const;

/** The finemem package's version, from the package.json above this file (src/cli/ or the bundled dist/). */
export function packageVersion(): string {
  return packageVersionOf("finemem", import.meta.url);
}

/** Levenshtein distance (insertions, deletions, substitutions). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}

/** The closest of `candidates` within edit distance 2, for "did you mean" hints. */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate);
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}

/** `unknown command "evl"; did you mean "eval"?` */
function unknownCommand(name: string): string {
  const suggestion = closestName(name, COMMANDS);
  return `unknown command ${JSON.stringify(name)}${suggestion === undefined ? "" : `; did you mean ${JSON.stringify(suggestion)}?`}`;
}

/** `--seeds`: a whole number from 1 to MAX_EXACT_SEEDS. */
function seedsFromFlag(text: string): number {
  const seeds = Number(text);
  if (!/^\d+$/.test(text) || seeds < 1 || seeds > MAX_EXACT_SEEDS)
    throw new ConfigError("--seeds", `a whole number from 1 to ${MAX_EXACT_SEEDS}`, JSON.stringify(text), "flag");
  return seeds;
}

/** An argument as a POSIX shell reads it back: bare when it is plain, else single-quoted. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

/** Exit codes: 0 success, 1 a failed run, 2 a usage or configuration error. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: joinNegativeNumberValues(argv, { ...CONFIG_FLAG_OPTIONS, ...DATA_FLAG_OPTIONS }),
      allowPositionals: true,
      strict: true,
      options: {
        ...CONFIG_FLAG_OPTIONS,
        ...DATA_FLAG_OPTIONS,
        quiet: { type: "boolean" },
        heldout: { type: "boolean" },
        seeds: { type: "string" },
        sweep: { type: "boolean" },
        "heldout-file": { type: "string", multiple: true },
        "write-results": { type: "string" },
        "dry-run": { type: "boolean" },
        yes: { type: "boolean" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
      },
    });
  } catch (error) {
    writeLine(io.stderr, `finemem: ${(error as Error).message}`);
    writeLine(io.stderr, USAGE);
    return 2;
  }
  const [command, ...rest] = parsed.positionals;
  const values = parsed.values as ConfigFlagValues;
  if (values.version === true) {
    writeLine(io.stdout, packageVersion());
    return 0;
  }
  if (command !== undefined && command !== "help" && !Object.hasOwn(COMMAND_USAGE, command)) {
    writeLine(io.stderr, `finemem: ${unknownCommand(command)}`);
    writeLine(io.stderr, `commands: ${COMMANDS.join(", ")}; finemem --help for usage`);
    return 2;
  }
  if (values.help === true || command === undefined || command === "help") {
    // `finemem eval --help` and `finemem help eval`: the command's own help.
    const topic = command === "help" ? rest[0] : command;
    if (topic !== undefined && !Object.hasOwn(COMMAND_USAGE, topic)) {
      writeLine(io.stderr, `finemem help: ${unknownCommand(topic)}`);
      return 2;
    }
    const usage = topic === undefined ? USAGE : COMMAND_USAGE[topic]!;
    writeLine(command === undefined && values.help !== true ? io.stderr : io.stdout, usage);
    return command === undefined && values.help !== true ? 2 : 0;
  }
  const ablateOnly = ["seeds", "sweep", "heldout-file", "write-results"].filter(
    (flag) => (parsed.values as Record<string, unknown>)[flag] !== undefined,
  );
  if (command !== "ablate" && ablateOnly.length > 0) {
    writeLine(io.stderr, `finemem ${command}: --${ablateOnly[0]} is a finemem ablate flag (finemem ablate --help)`);
    return 2;
  }
  try {
    const limit = typeof values.limit === "string" ? limitFromFlag(values.limit) : undefined;
    const limitsConfigured = limit !== undefined && !Array.isArray(values.dataset) && !Array.isArray(values.file);
    const config = async (): Promise<LoadedConfig> => {
      const loaded = await loadConfig({
        ...(typeof values.config === "string"
          ? { file: values.config }
          : io.env.FINEMEM_CONFIG
            ? { file: io.env.FINEMEM_CONFIG }
            : {}),
        env: io.env,
        overrides: overridesFromFlags(values),
        ...(command === "train" ? { defaults: TRAIN_CONFIG_DEFAULTS } : {}),
        ...(command === "ablate" ? { defaults: ABLATE_CONFIG_DEFAULTS } : {}),
      });
      return limitsConfigured ? { ...loaded, config: withLimit(loaded.config, limit) } : loaded;
    };
    switch (command) {
      case "eval":
        await evalCommand((await config()).config, io, {
          quiet: values.quiet === true,
          heldout: values.heldout === true,
        });
        return 0;
      case "train":
        if (values.heldout === true) {
          writeLine(
            io.stderr,
            "finemem train: --heldout is an eval flag (finemem eval --checkpoint <folder> --heldout)",
          );
          return 2;
        }
        await trainCommand((await config()).config, io, { quiet: values.quiet === true });
        return 0;
      case "ablate": {
        const extra = parsed.values as {
          seeds?: string;
          sweep?: boolean;
          "heldout-file"?: string[];
          "write-results"?: string;
        };
        await ablateCommand((await config()).config, io, {
          seeds: extra.seeds === undefined ? 8 : seedsFromFlag(extra.seeds),
          sweep: extra.sweep === true,
          ...(extra["heldout-file"] === undefined ? {} : { heldoutFiles: extra["heldout-file"] }),
          ...(extra["write-results"] === undefined ? {} : { writeResults: extra["write-results"] }),
          quiet: values.quiet === true,
          commandLine: ["finemem", ...argv].map(shellWord).join(" "),
          version: packageVersion(),
        });
        return 0;
      }
      case "serve":
        await serveCommand((await config()).config, io);
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
        const report = isAblationFolder(folder) ? await writeAblationReport(folder) : await writeReport(folder);
        writeLine(io.stdout, `report: ${report}`);
        return 0;
      }
      default:
        // Unknown commands are answered before the configuration is read.
        return 2;
    }
  } catch (error) {
    if (io.signal?.aborted === true && (!isFineMemError(error) || error.code === "aborted")) {
      // Ctrl-C: finished steps and questions are in the run's journals.
      writeLine(
        io.stderr,
        `finemem ${command}: interrupted; finished work is saved, run the same command to resume [aborted]`,
      );
      return 1;
    }
    if (isFineMemError(error)) {
      writeLine(io.stderr, `finemem ${command}: ${error.message} [${error.code}]`);
      return error.code === "invalid_config" ? 2 : 1;
    }
    throw error;
  }
}
