import { generateSyntheticBenchmark } from "@finemem/benchmarks";
import type { BenchmarkInstance } from "@finemem/spec";
import { describe, expect, it } from "vitest";
import type { DatasetConfig } from "../config/config-schema.js";
import { trainingDatasets, trainingInstances } from "./training-instances.js";

const pool = generateSyntheticBenchmark({ seed: "pool", instanceCount: 5, chunkCount: 2 });

/** A stand-in for the configured loaders: a file dataset gives the pool, a synthetic one generates. */
function components(loads: DatasetConfig[]) {
  return {
    async *loadDataset(dataset: DatasetConfig): AsyncIterable<BenchmarkInstance> {
      loads.push(dataset);
      if (dataset.kind === "synthetic")
        yield* generateSyntheticBenchmark({
          seed: String(dataset.seed),
          instanceCount: dataset.instances ?? 1,
          chunkCount: 2,
        });
      else yield* pool;
    },
  };
}

describe("trainingInstances", () => {
  it("serves a file dataset in seeded passes: each pass holds every instance once, every update the same count", async () => {
    const loads: DatasetConfig[] = [];
    const draw = trainingInstances({
      datasets: [{ kind: "memalpha" }],
      instancesPerUpdate: 2,
      seed: "r",
      components: components(loads),
    });
    const updates = await Promise.all([1, 2, 3, 4, 5].map((update) => draw(update)));
    for (const instances of updates) {
      expect(instances).toHaveLength(2);
      expect(new Set(instances.map((instance) => instance.instanceId)).size).toBe(2);
    }
    // Positions 0–9 are two passes of 5: each pass's positions 0–4 hold every instance once.
    const ids = updates.flat().map((instance) => instance.instanceId);
    expect(new Set(ids.slice(0, 4)).size).toBe(4);
    expect([...new Set(pool.map((instance) => instance.instanceId))].sort()).toEqual([...new Set(ids)].sort());
    // Read once, with the train split by default; the same update draws the same instances again.
    expect(loads).toEqual([{ kind: "memalpha", split: "train" }]);
    expect((await draw(3)).map((instance) => instance.instanceId)).toEqual(updates[2]!.map((i) => i.instanceId));
    const other = trainingInstances({
      datasets: [{ kind: "memalpha" }],
      instancesPerUpdate: 2,
      seed: "q",
      components: components([]),
    });
    const orders = await Promise.all([1, 2].map((update) => other(update)));
    expect(orders.flat().map((instance) => instance.instanceId)).not.toEqual(ids.slice(0, 4));
  });

  it("takes the datasets in turn, and generates fresh synthetic instances per update and run seed", async () => {
    const loads: DatasetConfig[] = [];
    const draw = trainingInstances({
      datasets: [{ kind: "synthetic" }, { kind: "synthetic", seed: "hard", changedShare: 1 }],
      instancesPerUpdate: 3,
      seed: "r",
      components: components(loads),
    });
    await draw(1);
    await draw(2);
    await draw(3);
    expect(loads).toEqual([
      { kind: "synthetic", seed: "train/r/update-1", instances: 3 },
      { kind: "synthetic", seed: "hard/r/update-2", changedShare: 1, instances: 3 },
      { kind: "synthetic", seed: "train/r/update-3", instances: 3 },
    ]);
  });

  it("refuses MemoryAgentBench, a synthetic count, and more instances per update than a file holds", async () => {
    expect(() => trainingDatasets([{ kind: "synthetic" }, { kind: "memoryagentbench" }])).toThrow(
      /datasets\[1\]\.kind/,
    );
    expect(() => trainingDatasets([{ kind: "synthetic", instances: 4 }])).toThrow(/datasets\[0\]\.instances/);
    const draw = trainingInstances({
      datasets: [{ kind: "memalpha" }],
      instancesPerUpdate: 6,
      seed: "r",
      components: components([]),
    });
    await expect(draw(1)).rejects.toMatchObject({ code: "invalid_config", key: "train.instancesPerUpdate" });
  });
});
