/**
 * The synthetic benchmark as a spec `DatasetLoader` (loader id `synthetic`), so the evaluation job and
 * the trainer read it exactly as they read Memalpha or MemoryAgentBench. Instances are generated one
 * at a time as the consumer pulls them: a `limit` or an abort stops the work, not only the output.
 */
import {
  type BenchmarkInstance,
  type CallOptions,
  type DatasetLoader,
  type LoadRequest,
  SPECIFICATION_VERSION,
  throwIfAborted,
  ValidationError,
} from "@finemem/spec";
import { generateSyntheticInstance, SYNTHETIC_DATA_SOURCE } from "./synthetic-generator.js";
import { resolveSyntheticOptions, type SyntheticOptionsInput } from "./synthetic-options.js";

/** The loader id of {@link createSyntheticLoader}. */
export const SYNTHETIC_LOADER_ID = "synthetic";

/**
 * A loader of `instanceCount` synthetic instances. The options are validated here, at creation, so a
 * bad knob fails when the job is configured rather than when it first reads data.
 */
export function createSyntheticLoader(input: SyntheticOptionsInput = {}): DatasetLoader {
  const options = resolveSyntheticOptions(input);
  return {
    specificationVersion: SPECIFICATION_VERSION,
    loaderId: SYNTHETIC_LOADER_ID,
    async *load(request: LoadRequest = {}, callOptions: CallOptions = {}): AsyncIterable<BenchmarkInstance> {
      const { signal } = callOptions;
      throwIfAborted(signal);
      const limit = request.limit;
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
        throw new ValidationError("LoadRequest", [
          { code: "out_of_range", path: ["limit"], message: `limit must be an integer ≥ 0, got ${limit}` },
        ]);
      }
      // Every synthetic instance has the same data source: a filter without it selects nothing.
      if (request.dataSources !== undefined && !request.dataSources.includes(SYNTHETIC_DATA_SOURCE)) return;
      const count = Math.min(options.instanceCount, limit ?? options.instanceCount);
      for (let index = 0; index < count; index++) {
        throwIfAborted(signal);
        yield generateSyntheticInstance(options, index);
      }
    },
  };
}
