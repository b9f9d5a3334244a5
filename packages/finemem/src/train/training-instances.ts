import type { BenchmarkInstance } from "@finemem/spec";
import { createSeededRandom } from "@finemem/utils";
import type { LoadInstancesOptions, RunComponents } from "../config/build-components.js";
import type { DatasetConfig } from "../config/config-schema.js";
import { ConfigError } from "../config/load-config.js";

/** The seed of a synthetic training dataset without one (never the held-out sets'). */
export const SYNTHETIC_TRAINING_SEED = "train";

/**
 * Checks the training datasets and gives them back as `finemem train` draws from them: MemoryAgentBench
 * is evaluation data only; a synthetic dataset is an endless stream (each update generates fresh
 * instances), so a fixed `instances` count is refused rather than ignored; Memalpha reads its
 * training split unless another is named.
 */
export function trainingDatasets(datasets: readonly DatasetConfig[]): DatasetConfig[] {
  return datasets.map((dataset, index) => {
    if (dataset.kind === "memoryagentbench")
      throw new ConfigError(
        `datasets[${index}].kind`,
        "a training dataset (synthetic or memalpha): MemoryAgentBench is evaluation data only; put it in train.heldout or evaluate on it with finemem eval",
        '"memoryagentbench"',
        "config",
      );
    if (dataset.kind === "synthetic" && dataset.instances !== undefined)
      throw new ConfigError(
        `datasets[${index}].instances`,
        "no count: a synthetic training dataset generates fresh instances every update (train.instancesPerUpdate of them)",
        String(dataset.instances),
        "config",
      );
    if (dataset.kind === "memalpha" && dataset.split === undefined) return { ...dataset, split: "train" };
    return dataset;
  });
}

export interface TrainingInstanceOptions {
  readonly datasets: readonly DatasetConfig[];
  readonly instancesPerUpdate: number;
  /** The run seed: synthetic instances and the order of a file dataset depend on it. */
  readonly seed: string;
  readonly components: Pick<RunComponents, "loadDataset">;
  readonly load?: LoadInstancesOptions | undefined;
}

/**
 * The training instances of update k (1-based), deterministic in k: update k draws
 * `instancesPerUpdate` instances from dataset (k − 1) mod D. A synthetic dataset generates them
 * (seed `<dataset seed>/<run seed>/update-<k>`); a file dataset (Memalpha) is read once and served in
 * a seeded order, reshuffled every pass.
 */
export function trainingInstances(options: TrainingInstanceOptions): (update: number) => Promise<BenchmarkInstance[]> {
  const datasets = trainingDatasets(options.datasets);
  const loaded = new Map<number, Promise<BenchmarkInstance[]>>();
  const orders = new Map<string, BenchmarkInstance[]>();
  const collect = async (iterable: AsyncIterable<BenchmarkInstance>) => {
    const instances: BenchmarkInstance[] = [];
    for await (const instance of iterable) instances.push(instance);
    return instances;
  };
  return async (update) => {
    const index = (update - 1) % datasets.length;
    const dataset = datasets[index]!;
    const use = Math.floor((update - 1) / datasets.length);
    if (dataset.kind === "synthetic") {
      const seed = `${dataset.seed ?? SYNTHETIC_TRAINING_SEED}/${options.seed}/update-${update}`;
      return collect(
        options.components.loadDataset(
          { ...dataset, seed, instances: options.instancesPerUpdate },
          index,
          options.load,
        ),
      );
    }
    let pool = loaded.get(index);
    if (pool === undefined) {
      pool = collect(options.components.loadDataset(dataset, index, options.load));
      loaded.set(index, pool);
    }
    const instances = await pool;
    if (instances.length < options.instancesPerUpdate)
      throw new ConfigError(
        "train.instancesPerUpdate",
        `at most the ${instances.length} instances datasets[${index}] holds`,
        String(options.instancesPerUpdate),
        "config",
      );
    // Positions use·I, use·I + 1, … of the endless stream of seeded passes over the pool, skipping an
    // instance the update already holds (a draw that straddles two passes can meet one twice).
    const drawn = new Map<string, BenchmarkInstance>();
    for (let position = use * options.instancesPerUpdate; drawn.size < options.instancesPerUpdate; position++) {
      const pass = Math.floor(position / instances.length);
      const seed = `${options.seed}/datasets[${index}]/pass-${pass}`;
      let order = orders.get(seed);
      if (order === undefined) {
        order = passOrder(instances, seed);
        orders.set(seed, order);
      }
      const instance = order[position % instances.length]!;
      if (!drawn.has(instance.instanceId)) drawn.set(instance.instanceId, instance);
    }
    return [...drawn.values()];
  };
}

/** A seeded permutation (Fisher–Yates). */
function passOrder<T>(items: readonly T[], seed: string): T[] {
  const random = createSeededRandom(seed);
  const order = [...items];
  for (let i = order.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}
