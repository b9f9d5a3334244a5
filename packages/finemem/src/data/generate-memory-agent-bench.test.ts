import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMemoryAgentBenchLoader, createSingleFileSource } from "@finemem/benchmarks";
import type { BenchmarkInstance } from "@finemem/spec";
import { asyncBufferFromFile, parquetMetadataAsync } from "hyparquet";
import { describe, expect, it } from "vitest";
import { generateMemoryAgentBenchFile } from "./generate-memory-agent-bench.js";

const folder = () => mkdtempSync(join(tmpdir(), "finemem-gen-mab-"));

async function load(path: string): Promise<BenchmarkInstance[]> {
  const loader = createMemoryAgentBenchLoader({ source: createSingleFileSource({ path }) });
  const instances: BenchmarkInstance[] = [];
  for await (const instance of loader.load()) instances.push(instance);
  return instances;
}

describe("generateMemoryAgentBenchFile", () => {
  it("writes rows the MemoryAgentBench loader reads, one row group each, with the latest fact as each gold answer", async () => {
    const out = join(folder(), "Conflict_Resolution-generated.parquet");
    const seen: number[] = [];
    const written = await generateMemoryAgentBenchFile({
      out,
      instances: 3,
      contextBytes: 20_000,
      questionsPerInstance: 12,
      seed: "t",
      onRow: (done) => seen.push(done),
    });
    expect(written).toMatchObject({ out, rows: 3, source: "factconsolidation_generated" });
    expect(seen).toEqual([1, 2, 3]);
    const metadata = await parquetMetadataAsync(await asyncBufferFromFile(out));
    expect(metadata.row_groups.map((group) => Number(group.num_rows))).toEqual([1, 1, 1]);

    const instances = await load(out);
    expect(instances).toHaveLength(3);
    for (const instance of instances) {
      expect(instance.dataSource).toBe("factconsolidation_generated");
      expect(instance.competency).toBe("CR");
      expect(instance.questions).toHaveLength(12);
      const context = instance.chunks.map((chunk) => chunk.text).join("\n");
      // At least the asked size, and past it by less than one fact line.
      expect(Buffer.byteLength(context)).toBeGreaterThanOrEqual(19_900);
      expect(Buffer.byteLength(context)).toBeLessThan(20_200);
      for (const question of instance.questions) {
        const [, relation, subject] = /^What is the (\w+) of (Country \d+)\?$/.exec(question.question)!;
        const stated = [...context.matchAll(new RegExp(`\\d+\\. The ${relation} of ${subject} is ([^.]+)\\.`, "g"))];
        expect(stated.length).toBeGreaterThan(0);
        expect(question.gold).toEqual([stated.at(-1)![1]]);
      }
    }
    expect(new Set(instances.map((instance) => instance.instanceId)).size).toBe(3);
  });

  it("writes the same bytes for the same seed and other bytes for another", async () => {
    const dir = folder();
    const write = (name: string, seed: string) =>
      generateMemoryAgentBenchFile({ out: join(dir, name), instances: 2, contextBytes: 5_000, seed });
    await write("Conflict_Resolution-a.parquet", "s1");
    await write("Conflict_Resolution-b.parquet", "s1");
    await write("Conflict_Resolution-c.parquet", "s2");
    const bytes = (name: string) => readFileSync(join(dir, name));
    expect(bytes("Conflict_Resolution-a.parquet").equals(bytes("Conflict_Resolution-b.parquet"))).toBe(true);
    expect(bytes("Conflict_Resolution-a.parquet").equals(bytes("Conflict_Resolution-c.parquet"))).toBe(false);
  });

  it("refuses bad counts with a typed error and leaves no file behind", async () => {
    const dir = folder();
    const out = join(dir, "Conflict_Resolution-x.parquet");
    await expect(generateMemoryAgentBenchFile({ out, instances: 0, contextBytes: 5_000 })).rejects.toMatchObject({
      code: "invalid_option",
      path: ["instances"],
    });
    await expect(generateMemoryAgentBenchFile({ out, instances: 1, contextBytes: 10 })).rejects.toMatchObject({
      code: "invalid_option",
      path: ["contextBytes"],
    });
    await expect(
      generateMemoryAgentBenchFile({ out, instances: 1, contextBytes: 5_000, questionsPerInstance: 1.5 }),
    ).rejects.toMatchObject({ path: ["questionsPerInstance"] });
    expect(readdirSync(dir)).toEqual([]);
  });
});
