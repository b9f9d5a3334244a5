// Export file names, the resume scan, and atomic writes that leave nothing behind when they fail.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rejection } from "@finemem/testing";
import { describe, expect, it } from "vitest";
import { TrainerError } from "../trainer-error.js";
import { exportFileName, highestExportedUpdate, writeFilesAtomically } from "./export-files.js";

describe("export files", () => {
  it("names updates on six digits, more past 999999", () => {
    expect(exportFileName(1, "jsonl")).toBe("samples-000001.jsonl");
    expect(exportFileName(42, "parquet")).toBe("samples-000042.parquet");
    expect(exportFileName(1234567, "jsonl")).toBe("samples-1234567.jsonl");
  });

  it("finds the highest update among the export files, ignoring other names", async () => {
    const directory = mkdtempSync(join(tmpdir(), "finemem-files-"));
    expect(await highestExportedUpdate(directory)).toBe(0);
    for (const name of [
      "samples-000003.jsonl",
      "samples-000012.parquet",
      "samples-99.jsonl",
      "samples-000050.csv",
      ".samples-000070.jsonl.1-ab.tmp",
    ]) {
      writeFileSync(join(directory, name), "");
    }
    expect(await highestExportedUpdate(directory)).toBe(12);
  });

  it("writes every file or none", async () => {
    const directory = mkdtempSync(join(tmpdir(), "finemem-files-"));
    await writeFilesAtomically(directory, [
      { name: "a.jsonl", bytes: "{}\n" },
      { name: "a.parquet", bytes: Uint8Array.from([1, 2, 3]) },
    ]);
    expect(readdirSync(directory).sort()).toEqual(["a.jsonl", "a.parquet"]);
    expect(readFileSync(join(directory, "a.jsonl"), "utf8")).toBe("{}\n");

    const cancelled = await rejection(
      writeFilesAtomically(directory, [{ name: "b.jsonl", bytes: "x" }], () => {
        throw new Error("cancelled");
      }),
    );
    expect((cancelled as Error).message).toBe("cancelled");
    expect(readdirSync(directory).sort()).toEqual(["a.jsonl", "a.parquet"]);
  });

  it("reports a failed write or rename as write_failed naming the file, and leaves no temporary file", async () => {
    const missing = join(mkdtempSync(join(tmpdir(), "finemem-files-")), "gone");
    const write = await rejection(writeFilesAtomically(missing, [{ name: "c.jsonl", bytes: "x" }]));
    expect(write).toBeInstanceOf(TrainerError);
    expect(write).toMatchObject({ code: "write_failed" });
    expect((write as Error).message).toMatch(/could not write .*gone\/c\.jsonl .*writable and has space/);

    const directory = mkdtempSync(join(tmpdir(), "finemem-files-"));
    mkdirSync(join(directory, "d.jsonl"));
    mkdirSync(join(directory, "d.jsonl", "inside"));
    const move = await rejection(
      writeFilesAtomically(directory, [
        { name: "d.parquet", bytes: "first, renamed, then taken back" },
        { name: "d.jsonl", bytes: "x" },
      ]),
    );
    expect(move).toMatchObject({ code: "write_failed" });
    expect((move as Error).message).toMatch(/could not move .* to .*d\.jsonl/);
    expect(readdirSync(directory)).toEqual(["d.jsonl"]);
  });
});
