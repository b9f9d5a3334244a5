import type { RunSummary } from "../run/run-files.js";

/** Columns padded to their widest cell; numbers right-aligned. */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  numeric: readonly boolean[],
): string {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (numeric[column] === true ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join("\n");
}

const score = (value: number | null) => (value === null ? "—" : value.toFixed(3));

/**
 * The results of a run as the papers print them: one row per data source with its metric, then each
 * competency and the average of the data sources (recomputed from the rows, docs/method.md §18).
 */
export function formatResultsTable(summary: RunSummary): string {
  const sources = summary.table.dataSources.map((row) => [
    row.dataSource,
    row.competency,
    summary.metrics[row.dataSource] ?? "?",
    String(row.instances),
    String(row.questions),
    score(row.mean),
    (summary.memoryTokens[row.dataSource] ?? 0).toFixed(0),
  ]);
  const table = formatTable(
    ["data source", "competency", "metric", "instances", "questions", "score", "memory tokens"],
    sources,
    [false, false, false, true, true, true, true],
  );
  const competencies = summary.table.competencies.map(
    (row) => `${row.competency} ${score(row.mean)} (${row.dataSources} data source${row.dataSources === 1 ? "" : "s"})`,
  );
  return [
    table,
    "",
    `competencies: ${competencies.join(", ")}`,
    `average over ${summary.table.average.dataSources} data source${summary.table.average.dataSources === 1 ? "" : "s"}: ${score(summary.table.average.mean)}`,
  ].join("\n");
}
