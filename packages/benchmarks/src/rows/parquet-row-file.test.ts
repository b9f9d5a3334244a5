import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoryAgentBenchParquet } from "@finemem/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatasetError } from "../dataset-error.js";
import { openParquetRowFile } from "./parquet-row-file.js";

let folder: string;
let path: string;
beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), "finemem-parquet-"));
  path = join(folder, "rows.parquet");
  writeFileSync(
    path,
    memoryAgentBenchParquet([
      { context: "A.", questions: ["q"], answers: [["a"]], metadata: { source: "first", qa_pair_ids: ["x0"] } },
      { context: "B.", questions: [], answers: [], metadata: null },
      { context: "C.", questions: [], answers: [], metadata: { source: "third", qa_pair_ids: null } },
    ]),
  );
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe("parquet rows", () => {
  it("reads one nested leaf for every row, null under a null parent", async () => {
    const rows = await openParquetRowFile(path, "rows.parquet");
    expect(await rows.readField(["metadata", "source"])).toEqual(["first", null, "third"]);
    expect(await rows.readField(["metadata", "qa_pair_ids"])).toEqual([["x0"], null, null]);
    // The whole struct, for comparison: the leaf read agrees with it.
    const structs = (await rows.readColumn("metadata")) as ({ source?: string } | null)[];
    expect(structs.map((struct) => struct?.source ?? null)).toEqual(["first", null, "third"]);
  });

  it("names a field the schema does not have", async () => {
    const rows = await openParquetRowFile(path, "rows.parquet");
    const error = await rows.readField(["metadata", "nope"]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DatasetError);
    expect(error).toMatchObject({ code: "missing_column", field: "metadata.nope" });
    await expect(rows.readField(["nope", "source"])).rejects.toMatchObject({ code: "missing_column", field: "nope" });
  });
});
