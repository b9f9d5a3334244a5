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
    // The train split by default, read once for its ids and once per draw; the same update draws the
    // same instances again.
    expect(loads).toHaveLength(6);
    expect(loads.every((load) => JSON.stringify(load) === JSON.stringify({ kind: "memalpha", split: "train" }))).toBe(
      true,
    );
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

  it("draws what the previous version drew, holding no more of the file than an update's instances", async () => {
    // The draws of the version that held the whole file (seed "r", 3 of 5 per update: draws straddle
    // passes, and update 4 meets an instance twice), recorded before the change.
    const golden = [
      [1, 4, 0],
      [3, 2, 0],
      [1, 2, 4],
      [3, 2, 1],
      [0, 4, 3],
      [2, 0, 3],
    ].map((update) => update.map((n) => `synthetic-2af0027ab850-${n}`));
    let yielded = 0;
    const draw = trainingInstances({
      datasets: [{ kind: "memalpha" }],
      instancesPerUpdate: 3,
      seed: "r",
      components: {
        async *loadDataset() {
          for (const instance of pool) {
            yielded += 1;
            yield instance;
          }
        },
      },
    });
    const drawn: string[][] = [];
    for (let update = 1; update <= 6; update++) drawn.push((await draw(update)).map((i) => i.instanceId));
    expect(drawn).toEqual(golden);
    // An id pass of 5, then each draw reads up to its last drawn position and stops there.
    const lastPositions = golden.map((update) => Math.max(...update.map((id) => Number(id.at(-1)))) + 1);
    expect(yielded).toBe(5 + lastPositions.reduce((sum, count) => sum + count, 0));
  });

  it("refuses a file whose instances changed since training started, naming the dataset", async () => {
    let reads = 0;
    const draw = (shrink: boolean, rename: boolean) =>
      trainingInstances({
        datasets: [{ kind: "synthetic" }, { kind: "memalpha" }],
        instancesPerUpdate: 2,
        seed: "r",
        components: {
          async *loadDataset(dataset: DatasetConfig) {
            if (dataset.kind === "synthetic") return;
            reads += 1;
            const instances = reads === 1 ? pool : shrink ? pool.slice(0, 1) : pool;
            for (const instance of instances)
              yield rename && reads > 1 ? { ...instance, instanceId: `${instance.instanceId}-x` } : instance;
          },
        },
      });
    reads = 0;
    await expect(draw(false, true)(2)).rejects.toMatchObject({ code: "invalid_config", key: "datasets[1]" });
    reads = 0;
    await expect(draw(true, false)(2)).rejects.toMatchObject({ code: "invalid_config", key: "datasets[1]" });
    reads = 0;
    await expect(draw(true, false)(2)).rejects.toThrow(/restore the file, or start a new run/);
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
