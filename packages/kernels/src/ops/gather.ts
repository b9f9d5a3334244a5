// Index-driven operations: embedding lookup and gather (gatherRows), with the scatter-add gradient, and
// sums by group id (scatterAddRows) with the gather gradient. Indices are checked on the host, where
// they were uploaded from, so an out-of-range id is a typed error rather than a read past a buffer.
import { KernelError } from "../kernel-error.js";
import { record } from "../tensor/tape.js";
import { formatShape, type IndexTensor, sameBackend, type Tensor } from "../tensor/tensor.js";
import { emptyLike } from "./kernel-calls.js";

function checkIndices(operation: string, ids: IndexTensor, bound: number): void {
  const max = ids.max();
  if (max >= bound) {
    const position = ids.values.indexOf(max);
    throw new KernelError(
      "index_out_of_range",
      `${operation}: index ${max} at position ${position} is not below ${bound}`,
      {
        path: [position],
      },
    );
  }
}

function gatherRowsOf(
  table: Tensor,
  ids: IndexTensor,
  tableRows: number,
  width: number,
  shape: readonly number[],
): Tensor {
  const out = emptyLike(table, shape);
  if (ids.length * width > 0) {
    table.backend.run({
      kind: "gatherRows",
      table: table.buffer,
      indices: ids.buffer,
      out: out.buffer,
      rows: ids.length,
      width,
      tableRows,
    });
  }
  return out;
}

function scatterAddRowsOf(
  source: Tensor,
  ids: IndexTensor,
  tableRows: number,
  width: number,
  shape: readonly number[],
): Tensor {
  const out = emptyLike(source, shape);
  if (ids.length * width > 0) {
    source.backend.run({
      kind: "scatterAddRows",
      source: source.buffer,
      indices: ids.buffer,
      out: out.buffer,
      rows: ids.length,
      width,
      tableRows,
    });
  }
  return out;
}

/** Rows of a [vocabulary, width] table for each id: [ids.length, width]. The gradient scatter-adds into the table. */
export function embedding(table: Tensor, ids: IndexTensor): Tensor {
  sameBackend("embedding", table, ids);
  if (table.shape.length !== 2)
    throw new KernelError("shape_mismatch", `embedding needs a 2-D table, got ${formatShape(table.shape)}`);
  const [tableRows, width] = table.shape as [number, number];
  checkIndices("embedding", ids, tableRows);
  const out = gatherRowsOf(table, ids, tableRows, width, [ids.length, width]);
  return record(out, [table], (dy) => [scatterAddRowsOf(dy, ids, tableRows, width, table.shape)]);
}

/**
 * x's elements at flat positions (x read row-major as a vector): e.g. the log-probability of each chosen
 * candidate from a segment log-softmax. Shape [positions.length].
 */
export function gather(x: Tensor, positions: IndexTensor): Tensor {
  sameBackend("gather", x, positions);
  checkIndices("gather", positions, x.size);
  const out = gatherRowsOf(x, positions, x.size, 1, [positions.length]);
  return record(out, [x], (dy) => [scatterAddRowsOf(dy, positions, x.size, 1, x.shape)]);
}

/**
 * Sums rows of x ([n, …] or [n]) by group: out[g] = Σ_{i: groups[i] = g} x[i], for g < groupCount.
 * The gradient gathers back.
 */
export function segmentSum(x: Tensor, groups: IndexTensor, groupCount: number): Tensor {
  sameBackend("segmentSum", x, groups);
  const rows = x.shape[0] ?? 1;
  if (groups.length !== rows) {
    throw new KernelError("shape_mismatch", `segmentSum: ${groups.length} group ids for ${rows} rows`);
  }
  checkIndices("segmentSum", groups, groupCount);
  const width = rows === 0 ? 0 : x.size / rows;
  const out = scatterAddRowsOf(x, groups, groupCount, width, [groupCount, ...x.shape.slice(1)]);
  return record(out, [x], (dy) => [gatherRowsOf(dy, groups, groupCount, width, x.shape)]);
}
