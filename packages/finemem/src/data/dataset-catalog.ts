// The datasets `finemem data` knows: what a user can list, download, inspect and build chunk
// questions for. Built from @finemem/benchmarks' constants (repos, splits, pinned revisions), so a
// new pin or split there shows here without an edit.
import {
  defaultRevision,
  MEMALPHA_REPOS,
  MEMORY_AGENT_BENCH_REPO,
  MEMORY_AGENT_BENCH_SPLIT_NAMES,
  MEMORY_AGENT_BENCH_SPLITS,
  SYNTHETIC_DATA_SOURCE,
  SYNTHETIC_GENERATOR_VERSION,
  SYNTHETIC_REPO,
  SYNTHETIC_REVISION,
} from "@finemem/benchmarks";
import type { Competency, MetricProtocol } from "@finemem/spec";
import { DataCommandError } from "./data-command-error.js";

/** The ids `finemem data` accepts (a dataset's repo is accepted too). */
export const DATASET_IDS = ["synthetic", "memoryagentbench", "memalpha", "memalpha-memoryagentbench"] as const;
export type DatasetId = (typeof DATASET_IDS)[number];

export interface DatasetSplitInfo {
  readonly name: string;
  /** The split's files inside the repo, as a pattern. */
  readonly files: string;
  /** Set when every row of the split has one competency (MemoryAgentBench's files). */
  readonly competency?: Competency;
}

export interface DatasetInfo {
  readonly id: DatasetId;
  /** The hub repo, or `synthetic` for the generated benchmark. */
  readonly repo: string;
  /** `hub`: files of a Hugging Face dataset repo; `generated`: made in-process from a seed, nothing to download. */
  readonly origin: "hub" | "generated";
  /** The revision read when none is asked for: a pinned commit, `main`, or the generator version. */
  readonly revision: string;
  /** True when `revision` is a commit (or the generator version): results are reproducible. */
  readonly pinned: boolean;
  /** Why a reader should care about the revision (unpinned), else null. */
  readonly warning: string | null;
  /**
   * How split names are checked: `named`, one of `splits`; `file-prefix`, any prefix of the repo's
   * parquet file names (the repo's file layout is not confirmed, so no list is imposed).
   */
  readonly splitRule: "named" | "file-prefix";
  readonly splits: readonly DatasetSplitInfo[];
  /** Which original scorer its questions are scored like by default. */
  readonly protocol: MetricProtocol;
  readonly competencies: readonly Competency[];
  /** The `DatasetLoader.loaderId` that reads it. */
  readonly loaderId: string;
  readonly description: string;
}

/** Every dataset `finemem data` knows, in display order. */
export function listDatasets(): DatasetInfo[] {
  const [memalpha, memalphaMab] = MEMALPHA_REPOS;
  return [
    {
      id: "synthetic",
      repo: SYNTHETIC_REPO,
      origin: "generated",
      revision: SYNTHETIC_REVISION,
      pinned: true,
      warning: null,
      splitRule: "named",
      splits: [],
      protocol: "memoryagentbench",
      competencies: ["CR", "AR"],
      loaderId: "synthetic",
      description: `Seeded synthetic benchmark (generator v${SYNTHETIC_GENERATOR_VERSION}, data source "${SYNTHETIC_DATA_SOURCE}"): facts stated, changed and restated across chunks, chunk questions included; no download, no model.`,
    },
    hubDataset({
      id: "memoryagentbench",
      repo: MEMORY_AGENT_BENCH_REPO,
      splitRule: "named",
      splits: MEMORY_AGENT_BENCH_SPLIT_NAMES.map((name) => ({
        name,
        files: `data/${name}-NNNNN-of-NNNNN.parquet`,
        competency: MEMORY_AGENT_BENCH_SPLITS[name],
      })),
      protocol: "memoryagentbench",
      competencies: ["AR", "TTL", "LRU", "CR"],
      loaderId: "memoryagentbench",
      description:
        "MemoryAgentBench (out of distribution): one long context per row, sentence-split and packed into 4096-token chunks; sub-dataset = metadata.source.",
    }),
    hubDataset({
      id: "memalpha",
      repo: memalpha,
      splitRule: "named",
      splits: [
        { name: "train", files: "train.parquet" },
        { name: "test", files: "test.parquet" },
      ],
      protocol: "memalpha",
      competencies: ["AR", "TTL", "LRU"],
      loaderId: "memalpha",
      description:
        "Memalpha (in distribution): Mem-α's training and evaluation rows, already chunked; squad, hotpotqa, perltqa, lme_train, pubmed-rct, booksum, icl_*.",
    }),
    hubDataset({
      id: "memalpha-memoryagentbench",
      repo: memalphaMab,
      splitRule: "file-prefix",
      splits: [],
      protocol: "memalpha",
      competencies: ["AR", "TTL", "LRU"],
      loaderId: "memalpha",
      description:
        "MemoryAgentBench's AR, TTL and LRU sub-datasets re-chunked by Mem-α, in Memalpha's columns; a split is a file-name prefix.",
    }),
  ];
}

function hubDataset(fields: Omit<DatasetInfo, "origin" | "revision" | "pinned" | "warning">): DatasetInfo {
  const choice = defaultRevision(fields.repo);
  return {
    ...fields,
    origin: "hub",
    revision: choice.revision,
    pinned: choice.warning === null,
    warning: choice.warning,
  };
}

/**
 * The dataset named `name`: an id (`memoryagentbench`) or a repo (`ai-hyz/MemoryAgentBench`), case
 * insensitive.
 *
 * @throws {DataCommandError} `unknown_dataset`, listing the known names
 */
export function findDataset(name: string): DatasetInfo {
  const wanted = typeof name === "string" ? name.trim().toLowerCase() : "";
  const datasets = listDatasets();
  const found = datasets.find((dataset) => dataset.id === wanted || dataset.repo.toLowerCase() === wanted);
  if (found !== undefined) return found;
  const known = datasets
    .map((dataset) => (dataset.origin === "hub" ? `${dataset.id} (${dataset.repo})` : dataset.id))
    .join(", ");
  throw new DataCommandError("unknown_dataset", `unknown dataset ${JSON.stringify(name)}; expected one of ${known}`, [
    "dataset",
  ]);
}

/**
 * The splits to use: all of the dataset's when `splits` is undefined or empty, else `splits`, checked
 * against the dataset's rule and without repeats.
 *
 * @throws {DataCommandError} `unknown_split`, naming the split and the dataset's splits
 */
export function resolveSplits(dataset: DatasetInfo, splits: readonly string[] | undefined): string[] {
  if (splits === undefined || splits.length === 0) return dataset.splits.map((split) => split.name);
  if (dataset.origin === "generated") {
    throw new DataCommandError(
      "unknown_split",
      `${dataset.id} has no splits (it is generated from a seed); got ${splits.map((split) => JSON.stringify(split)).join(", ")}`,
      ["splits"],
    );
  }
  const out: string[] = [];
  splits.forEach((split, index) => {
    if (typeof split !== "string" || split.trim() === "") {
      throw new DataCommandError(
        "unknown_split",
        `splits[${index}]: expected a split name, got ${JSON.stringify(split)}`,
        ["splits", index],
      );
    }
    if (dataset.splitRule === "named") {
      // Case-insensitive, so `conflict_resolution` works on a command line; the canonical spelling is kept.
      const known = dataset.splits.find((candidate) => candidate.name.toLowerCase() === split.toLowerCase());
      if (known === undefined) {
        throw new DataCommandError(
          "unknown_split",
          `${dataset.id} has no split ${JSON.stringify(split)}; expected one of ${dataset.splits.map((candidate) => candidate.name).join(", ")}`,
          ["splits", index],
        );
      }
      if (!out.includes(known.name)) out.push(known.name);
    } else if (!out.includes(split)) {
      if (!/^[\w.-]+$/.test(split)) {
        throw new DataCommandError(
          "unknown_split",
          `${dataset.id}: a split is a parquet file-name prefix of letters, digits, "_", "." or "-"; got ${JSON.stringify(split)}`,
          ["splits", index],
        );
      }
      out.push(split);
    }
  });
  return out;
}

/** The catalog as a terminal listing: one block per dataset. */
export function formatDatasetList(datasets: readonly DatasetInfo[] = listDatasets()): string {
  const lines: string[] = [];
  for (const dataset of datasets) {
    lines.push(`${dataset.id}  ${dataset.description}`);
    const revision =
      dataset.origin === "generated"
        ? `${dataset.revision} (generated locally, nothing to download)`
        : `${dataset.revision}${dataset.pinned ? " (pinned)" : " (UNPINNED: results record the commit the hub reports)"}`;
    lines.push(`  repo:         ${dataset.repo}`);
    lines.push(`  revision:     ${revision}`);
    lines.push(`  splits:       ${describeSplits(dataset)}`);
    lines.push(`  protocol:     ${dataset.protocol}   competencies: ${dataset.competencies.join(", ")}`);
    lines.push("");
  }
  return lines.join("\n");
}

function describeSplits(dataset: DatasetInfo): string {
  if (dataset.origin === "generated") return "(none: instances come from the seed and knobs)";
  if (dataset.splitRule === "file-prefix")
    return "any parquet file-name prefix (default: every *.parquet at the root, else under data/)";
  return dataset.splits
    .map((split) => `${split.name}${split.competency === undefined ? "" : ` [${split.competency}]`} = ${split.files}`)
    .join("; ");
}
