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
 * (seed `<dataset seed>/<run seed>/update-<k>`); a file dataset (Memalpha) is served in a seeded
 * order, reshuffled every pass. A file dataset is not held: a first read keeps only its instance ids,
 * and each update reads the file again for the instances it draws (stopping once it has them), so
 * memory is bounded by an update's instances, not by the file, at the cost of one read per update.
 * A file whose instances change between two reads is a ConfigError naming the dataset.
 */
export function trainingInstances(options: TrainingInstanceOptions): (update: number) => Promise<BenchmarkInstance[]> {
  const datasets = trainingDatasets(options.datasets);
  const indexed = new Map<number, Promise<string[]>>();
  // Each pass's order of positions, for the two newest passes (a draw spans at most two).
  const orders = new Map<string, Int32Array>();
  const read = (index: number) => options.components.loadDataset(datasets[index]!, index, options.load);
  const collect = async (iterable: AsyncIterable<BenchmarkInstance>) => {
    const instances: BenchmarkInstance[] = [];
    for await (const instance of iterable) instances.push(instance);
    return instances;
  };
  const idsOf = async (index: number) => {
    const ids: string[] = [];
    for await (const instance of read(index)) ids.push(instance.instanceId);
    return ids;
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
    let pending = indexed.get(index);
    if (pending === undefined) {
      pending = idsOf(index);
      indexed.set(index, pending);
    }
    const ids = await pending;
    if (ids.length < options.instancesPerUpdate)
      throw new ConfigError(
        "train.instancesPerUpdate",
        `at most the ${ids.length} instances datasets[${index}] holds`,
        String(options.instancesPerUpdate),
        "config",
      );
    // Positions use·I, use·I + 1, … of the endless stream of seeded passes over the file, skipping an
    // instance the update already holds (a draw that straddles two passes can meet one twice).
    const drawn = new Map<string, number>();
    for (let position = use * options.instancesPerUpdate; drawn.size < options.instancesPerUpdate; position++) {
      const pass = Math.floor(position / ids.length);
      const seed = `${options.seed}/datasets[${index}]/pass-${pass}`;
      let order = orders.get(seed);
      if (order === undefined) {
        order = Int32Array.from(passOrder([...ids.keys()], seed));
        orders.set(seed, order);
        orders.delete(`${options.seed}/datasets[${index}]/pass-${pass - 2}`);
      }
      const at = order[position % ids.length]!;
      if (!drawn.has(ids[at]!)) drawn.set(ids[at]!, at);
    }
    // One more read of the file, keeping only the drawn positions.
    const wanted = new Set(drawn.values());
    const got = new Map<number, BenchmarkInstance>();
    let position = 0;
    for await (const instance of read(index)) {
      if (wanted.has(position)) {
        if (instance.instanceId !== ids[position])
          throw new ConfigError(
            `datasets[${index}]`,
            `the same instances on every read (instance ${position} was ${ids[position]} when training started); restore the file, or start a new run`,
            `instance ${instance.instanceId}`,
            "config",
          );
        got.set(position, instance);
        if (got.size === wanted.size) break;
      }
      position += 1;
    }
    if (got.size < wanted.size)
      throw new ConfigError(
        `datasets[${index}]`,
        `the same instances on every read (it held ${ids.length} when training started); restore the file, or start a new run`,
        `${position} instances`,
        "config",
      );
    return [...drawn.values()].map((at) => got.get(at)!);
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
