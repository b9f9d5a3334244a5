import { resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import { buildComponents } from "../config/build-components.js";
import type { FineMemConfig } from "../config/config-schema.js";
import { ConfigError, type LoadedConfig } from "../config/load-config.js";
import { buildDatasetChunkQa, formatChunkQaResult } from "../data/build-dataset-chunk-qa.js";
import type { ChunkQaEstimate } from "../data/chunk-qa-estimate.js";
import { invalidDataOption } from "../data/data-command-error.js";
import { findDataset, formatDatasetList, listDatasets } from "../data/dataset-catalog.js";
import { downloadDataset, formatDownload } from "../data/download-dataset.js";
import { generateMemoryAgentBenchFile } from "../data/generate-memory-agent-bench.js";
import { formatInspection, inspectDataset } from "../data/inspect-dataset.js";
import { type CliIo, writeLine } from "./cli-io.js";
import type { ConfigFlagValues } from "./config-flags.js";

/** Flags only `finemem data` reads. */
export const DATA_FLAG_OPTIONS = {
  split: { type: "string", multiple: true },
  revision: { type: "string" },
  "hub-url": { type: "string" },
  "cache-dir": { type: "string" },
  instances: { type: "string" },
  "context-mb": { type: "string" },
  questions: { type: "string" },
} as const;

/** `finemem data <list | download | inspect | build-chunk-qa | generate>`. */
export async function dataCommand(
  args: readonly string[],
  values: ConfigFlagValues,
  loadConfig: () => Promise<LoadedConfig>,
  io: CliIo,
): Promise<number> {
  const [subcommand, name] = args;
  const text = (flag: string) => (typeof values[flag] === "string" ? (values[flag] as string) : undefined);
  switch (subcommand) {
    case "list":
      writeLine(io.stdout, formatDatasetList(listDatasets()));
      return 0;
    case "download": {
      if (name === undefined) {
        writeLine(
          io.stderr,
          `finemem data download: name a dataset (${listDatasets()
            .map((dataset) => dataset.id)
            .join(", ")})`,
        );
        return 2;
      }
      const hubUrl = text("hub-url");
      const cacheDir = text("cache-dir");
      const revision = text("revision");
      const splits = Array.isArray(values.split) ? (values.split as readonly string[]) : undefined;
      const download = await downloadDataset({
        dataset: name,
        ...(splits === undefined ? {} : { splits }),
        hub: {
          ...(hubUrl === undefined ? {} : { hubUrl }),
          ...(cacheDir === undefined ? {} : { cacheDir }),
          ...(revision === undefined ? {} : { revision }),
          ...(io.fetch === undefined ? {} : { fetch: io.fetch }),
        },
        onProgress: (event) => {
          if (event.kind === "file") writeLine(io.stderr, `downloaded ${event.done}/${event.total}: ${event.file}`);
        },
        onWarning: (message) => writeLine(io.stderr, `warning: ${message}`),
        ...(io.signal === undefined ? {} : { signal: io.signal }),
      });
      writeLine(io.stdout, formatDownload(download));
      return 0;
    }
    case "inspect": {
      const { config } = await loadConfig();
      const components = await buildComponents(datasetNamed(config, name), {
        env: io.env,
        cwd: io.cwd,
        ...(io.fetch === undefined ? {} : { fetch: io.fetch }),
      });
      const inspection = await inspectDataset({
        instances: components.loadInstances({ onWarning: (message) => writeLine(io.stderr, `warning: ${message}`) }),
        ...(io.signal === undefined ? {} : { signal: io.signal }),
      });
      writeLine(io.stdout, formatInspection(inspection));
      return 0;
    }
    case "build-chunk-qa": {
      const { config } = await loadConfig();
      const chosen = datasetNamed(config, name);
      if (chosen.chunkQa.cache === undefined)
        throw new ConfigError(
          "chunkQa.cache",
          "the path of the question cache (a JSONL file; an interrupted build resumes from it)",
          "nothing (the key is missing)",
          "default",
        );
      const components = await buildComponents(chosen, {
        env: io.env,
        cwd: io.cwd,
        ...(io.fetch === undefined ? {} : { fetch: io.fetch }),
      });
      const model = (role: "generator" | "verifier") => {
        const found = components.models[role];
        if (found === undefined)
          throw new ConfigError(
            `models.${role}`,
            `a model endpoint (baseUrl and model): build-chunk-qa needs a ${role}`,
            "nothing (the key is missing)",
            "default",
          );
        return found;
      };
      const generatorPricing = chosen.models.generator?.pricing;
      const verifierPricing = chosen.models.verifier?.pricing;
      const result = await buildDatasetChunkQa({
        instances: components.loadInstances({ onWarning: (message) => writeLine(io.stderr, `warning: ${message}`) }),
        generator: model("generator"),
        verifier: model("verifier"),
        cachePath: resolve(io.cwd, chosen.chunkQa.cache),
        options: { questionsPerChunk: chosen.chunkQa.perChunk, candidatesPerChunk: chosen.chunkQa.candidates },
        pricing: {
          ...(generatorPricing === undefined ? {} : { generator: generatorPricing }),
          ...(verifierPricing === undefined ? {} : { verifier: verifierPricing }),
        },
        dryRun: values["dry-run"] === true,
        confirm: (estimate) => confirmBuild(estimate, values.yes === true, io),
        stream: values.quiet === true ? null : io.stderr,
        ...(io.signal === undefined ? {} : { signal: io.signal }),
      });
      writeLine(io.stdout, formatChunkQaResult(result));
      return result.status === "declined" ? 1 : 0;
    }
    case "generate": {
      if (name === undefined) {
        writeLine(
          io.stderr,
          "finemem data generate: name the parquet file to write, e.g. Conflict_Resolution-big.parquet",
        );
        return 2;
      }
      const number = (flag: string, fallback: number) => {
        const given = text(flag);
        if (given === undefined) return fallback;
        const value = Number(given);
        if (given.trim() === "" || !Number.isFinite(value))
          throw invalidDataOption(`--${flag}`, "a number", JSON.stringify(given));
        return value;
      };
      const instances = number("instances", 1);
      const contextMb = number("context-mb", 10);
      if (!(contextMb > 0)) throw invalidDataOption("--context-mb", "a number of megabytes > 0", contextMb);
      const seed = text("seed");
      const generated = await generateMemoryAgentBenchFile({
        out: resolve(io.cwd, name),
        instances,
        contextBytes: Math.round(contextMb * 1_000_000),
        questionsPerInstance: number("questions", 100),
        ...(seed === undefined ? {} : { seed }),
        onRow: (done, total) => {
          if (values.quiet !== true) writeLine(io.stderr, `generated row ${done}/${total}`);
        },
      });
      writeLine(
        io.stdout,
        `${generated.out}: ${generated.rows} rows of ${contextMb} MB context each (source ${generated.source}), ${(generated.bytes / 1e6).toFixed(2)} MB on disk`,
      );
      return 0;
    }
    default:
      writeLine(
        io.stderr,
        `finemem data: unknown subcommand ${JSON.stringify(subcommand ?? "")} (list, download, inspect, build-chunk-qa, generate)`,
      );
      return 2;
  }
}

/** `finemem data inspect memoryagentbench`: the named dataset instead of the configured list. */
function datasetNamed(config: FineMemConfig, name: string | undefined): FineMemConfig {
  if (name === undefined) return config;
  const dataset = findDataset(name);
  const kind =
    dataset.id === "synthetic"
      ? { kind: "synthetic" as const }
      : dataset.id === "memoryagentbench"
        ? { kind: "memoryagentbench" as const }
        : { kind: "memalpha" as const, repo: dataset.repo as "YuWangX/Memalpha" };
  return { ...config, datasets: [kind] };
}

/** With --yes, or on a terminal after the user says yes; elsewhere a build that costs calls needs --yes. */
async function confirmBuild(estimate: ChunkQaEstimate, yes: boolean, io: CliIo): Promise<boolean> {
  if (yes) return true;
  const stdin = process.stdin;
  if (stdin.isTTY !== true) {
    writeLine(
      io.stderr,
      "finemem data build-chunk-qa: not started; pass --yes to build after the estimate above (or --dry-run for the estimate alone)",
    );
    return false;
  }
  const prompt = createInterface({ input: stdin, output: io.stderr });
  try {
    // The estimate was already drawn on stderr by the build; this only asks.
    void estimate;
    const reply = await prompt.question("Start the build? [y/N] ");
    return /^y(es)?$/i.test(reply.trim());
  } finally {
    prompt.close();
  }
}
