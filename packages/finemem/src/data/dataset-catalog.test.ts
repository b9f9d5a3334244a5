import {
  MEMALPHA_REPOS,
  MEMORY_AGENT_BENCH_REPO,
  MEMORY_AGENT_BENCH_SPLIT_NAMES,
  PINNED_REVISIONS,
  SYNTHETIC_REVISION,
} from "@finemem/benchmarks";
import { describe, expect, it } from "vitest";
import { DataCommandError } from "./data-command-error.js";
import { findDataset, formatDatasetList, listDatasets, resolveSplits } from "./dataset-catalog.js";

describe("listDatasets", () => {
  it("lists the synthetic benchmark, MemoryAgentBench at its pinned commit and both Memalpha repos unpinned", () => {
    const datasets = listDatasets();
    expect(datasets.map((dataset) => [dataset.id, dataset.repo, dataset.protocol])).toEqual([
      ["synthetic", "synthetic", "memoryagentbench"],
      ["memoryagentbench", MEMORY_AGENT_BENCH_REPO, "memoryagentbench"],
      ["memalpha", MEMALPHA_REPOS[0], "memalpha"],
      ["memalpha-memoryagentbench", MEMALPHA_REPOS[1], "memalpha"],
    ]);
    const [synthetic, mab, memalpha, memalphaMab] = datasets;
    expect(synthetic).toMatchObject({ origin: "generated", revision: SYNTHETIC_REVISION, pinned: true, splits: [] });
    expect(mab).toMatchObject({
      origin: "hub",
      revision: PINNED_REVISIONS[MEMORY_AGENT_BENCH_REPO],
      pinned: true,
      warning: null,
    });
    expect(mab?.splits.map((split) => split.name)).toEqual(MEMORY_AGENT_BENCH_SPLIT_NAMES);
    expect(mab?.splits.find((split) => split.name === "Conflict_Resolution")).toEqual({
      name: "Conflict_Resolution",
      files: "data/Conflict_Resolution-NNNNN-of-NNNNN.parquet",
      competency: "CR",
    });
    for (const unpinned of [memalpha, memalphaMab]) {
      expect(unpinned).toMatchObject({ revision: "main", pinned: false });
      expect(unpinned?.warning).toMatch(/no pinned commit/);
    }
    expect(memalpha?.splits.map((split) => split.files)).toEqual(["train.parquet", "test.parquet"]);
    for (const dataset of datasets) expect(dataset.description).not.toContain("\n");
  });

  it("formats one block per dataset, flagging unpinned revisions", () => {
    const text = formatDatasetList();
    expect(text).toContain(`repo:         ${MEMORY_AGENT_BENCH_REPO}`);
    expect(text).toContain(`${PINNED_REVISIONS[MEMORY_AGENT_BENCH_REPO]} (pinned)`);
    expect(text.match(/UNPINNED/g)).toHaveLength(2);
    expect(text).toContain("Conflict_Resolution [CR] = data/Conflict_Resolution-NNNNN-of-NNNNN.parquet");
  });
});

describe("findDataset and resolveSplits", () => {
  it("accepts an id or a repo, in any case", () => {
    expect(findDataset("MemoryAgentBench").id).toBe("memoryagentbench");
    expect(findDataset("ai-hyz/memoryagentbench").id).toBe("memoryagentbench");
    expect(findDataset("YuWangX/Memalpha-Memoryagentbench").id).toBe("memalpha-memoryagentbench");
  });

  it("names an unknown dataset and every known one", () => {
    const error = (() => {
      try {
        findDataset("longbench");
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(DataCommandError);
    expect(error).toMatchObject({ code: "unknown_dataset", path: ["dataset"] });
    expect((error as Error).message).toBe(
      'unknown dataset "longbench"; expected one of synthetic, memoryagentbench (ai-hyz/MemoryAgentBench), memalpha (YuWangX/Memalpha), memalpha-memoryagentbench (YuWangX/Memalpha-Memoryagentbench)',
    );
  });

  it("checks split names against the dataset, keeping the canonical spelling", () => {
    const mab = findDataset("memoryagentbench");
    expect(resolveSplits(mab, undefined)).toEqual(MEMORY_AGENT_BENCH_SPLIT_NAMES);
    expect(resolveSplits(mab, ["conflict_resolution", "Conflict_Resolution"])).toEqual(["Conflict_Resolution"]);
    expect(() => resolveSplits(mab, ["Conflict"])).toThrow(
      expect.objectContaining({
        code: "unknown_split",
        path: ["splits", 0],
        message:
          'memoryagentbench has no split "Conflict"; expected one of Accurate_Retrieval, Test_Time_Learning, Long_Range_Understanding, Conflict_Resolution',
      }),
    );
    expect(() => resolveSplits(findDataset("memalpha"), ["validation"])).toThrow(
      expect.objectContaining({
        code: "unknown_split",
        message: expect.stringContaining("expected one of train, test"),
      }),
    );
    expect(() => resolveSplits(findDataset("synthetic"), ["train"])).toThrow(
      expect.objectContaining({ code: "unknown_split", message: expect.stringContaining("synthetic has no splits") }),
    );
    // The re-chunked repo's file names are not confirmed: any prefix is accepted, a path is not.
    expect(resolveSplits(findDataset("memalpha-memoryagentbench"), ["test"])).toEqual(["test"]);
    expect(() => resolveSplits(findDataset("memalpha-memoryagentbench"), ["../x"])).toThrow(
      expect.objectContaining({ code: "unknown_split" }),
    );
  });
});
