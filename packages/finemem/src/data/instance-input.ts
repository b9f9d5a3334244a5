// Where the data commands get instances: a loader (read lazily, so a multi-gigabyte split is never
// held whole) or instances already in hand (tests, or a caller that filtered them itself).
import { type BenchmarkInstance, type DatasetLoader, throwIfAborted } from "@finemem/spec";
import { integerAtLeast } from "@finemem/utils";
import { DataCommandError, invalidDataOption } from "./data-command-error.js";

export interface InstanceInput {
  /** Read with `load({ limit, dataSources })`. Exactly one of `loader` and `instances`. */
  readonly loader?: DatasetLoader;
  readonly instances?: Iterable<BenchmarkInstance> | AsyncIterable<BenchmarkInstance>;
  /** At most this many instances (≥ 0). */
  readonly limit?: number;
  /** Keep only these data sources. */
  readonly dataSources?: readonly string[];
}

/**
 * The instances of `input`, honouring `limit` and `dataSources` for given instances as a loader does.
 *
 * @throws {DataCommandError} `no_input` when neither or both of `loader` and `instances` are given; `invalid_option` for a bad limit
 */
export async function* iterateInstances(input: InstanceInput, signal?: AbortSignal): AsyncGenerator<BenchmarkInstance> {
  const given = input.limit === undefined ? undefined : integerAtLeast("limit", input.limit, 0, invalidDataOption);
  const limit = given ?? Number.POSITIVE_INFINITY;
  if ((input.loader === undefined) === (input.instances === undefined)) {
    throw new DataCommandError(
      "no_input",
      `expected exactly one of loader and instances, got ${input.loader === undefined ? "neither" : "both"}`,
      [input.loader === undefined ? "loader" : "instances"],
    );
  }
  if (limit === 0) return;
  const wanted = input.dataSources === undefined ? null : new Set(input.dataSources);
  const source =
    input.loader !== undefined
      ? input.loader.load(
          {
            ...(given === undefined ? {} : { limit: given }),
            ...(input.dataSources === undefined ? {} : { dataSources: input.dataSources }),
          },
          signal === undefined ? {} : { signal },
        )
      : input.instances!;
  let produced = 0;
  for await (const instance of source) {
    throwIfAborted(signal);
    if (wanted !== null && !wanted.has(instance.dataSource)) continue;
    yield instance;
    if (++produced >= limit) return;
  }
}
