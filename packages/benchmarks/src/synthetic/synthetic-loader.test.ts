import {
  AbortedError,
  type BenchmarkInstance,
  type DatasetLoader,
  type LoadRequest,
  SPECIFICATION_VERSION,
  ValidationError,
} from "@finemem/spec";
import { describe, expect, it } from "vitest";
import { generateSyntheticBenchmark, SYNTHETIC_DATA_SOURCE } from "./synthetic-generator.js";
import { createSyntheticLoader } from "./synthetic-loader.js";

async function collect(
  loader: DatasetLoader,
  request?: LoadRequest,
  signal?: AbortSignal,
): Promise<BenchmarkInstance[]> {
  const out: BenchmarkInstance[] = [];
  for await (const instance of loader.load(request, signal === undefined ? undefined : { signal })) out.push(instance);
  return out;
}

describe("synthetic loader", () => {
  it("is a spec DatasetLoader with id 'synthetic' yielding the generator's instances", async () => {
    const loader = createSyntheticLoader({ seed: 3, instanceCount: 4 });
    expect(loader.loaderId).toBe("synthetic");
    expect(loader.specificationVersion).toBe(SPECIFICATION_VERSION);
    expect(await collect(loader)).toEqual(generateSyntheticBenchmark({ seed: 3, instanceCount: 4 }));
  });

  it("honours limit", async () => {
    const loader = createSyntheticLoader({ instanceCount: 4 });
    expect(await collect(loader, { limit: 2 })).toHaveLength(2);
    expect(await collect(loader, { limit: 0 })).toHaveLength(0);
    expect(await collect(loader, { limit: 10 })).toHaveLength(4);
  });

  it("refuses a bad limit with a typed error naming it", async () => {
    const loader = createSyntheticLoader();
    for (const limit of [-1, 1.5, Number.NaN]) {
      const error = await collect(loader, { limit }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ code: "out_of_range", path: ["limit"] });
    }
  });

  it("honours dataSources", async () => {
    const loader = createSyntheticLoader({ instanceCount: 2 });
    expect(await collect(loader, { dataSources: ["squad"] })).toHaveLength(0);
    expect(await collect(loader, { dataSources: [] })).toHaveLength(0);
    const kept = await collect(loader, { dataSources: ["squad", SYNTHETIC_DATA_SOURCE] });
    expect(kept.map((instance) => instance.dataSource)).toEqual([SYNTHETIC_DATA_SOURCE, SYNTHETIC_DATA_SOURCE]);
  });

  it("stops on an aborted signal, before the first instance and between instances", async () => {
    const loader = createSyntheticLoader({ instanceCount: 5 });
    const aborted = AbortSignal.abort("stop");
    await expect(collect(loader, {}, aborted)).rejects.toBeInstanceOf(AbortedError);

    const controller = new AbortController();
    const seen: string[] = [];
    const run = async (): Promise<void> => {
      for await (const instance of loader.load({}, { signal: controller.signal })) {
        seen.push(instance.instanceId);
        if (seen.length === 2) controller.abort();
      }
    };
    await expect(run()).rejects.toMatchObject({ code: "aborted" });
    expect(seen).toHaveLength(2);
  });
});
