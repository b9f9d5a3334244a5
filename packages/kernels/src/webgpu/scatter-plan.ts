// scatterAddRows without float atomics. WGSL has no atomic float add, and an atomic order would not be
// deterministic anyway, so the kernel inverts the index map instead: one thread per (table row, column)
// sums the source rows that land on its table row, in increasing r, exactly the reference's order. The
// inverse is built on the host from the host copy of the indices (they are uploaded by the host and
// never written by a kernel), once per (indices buffer, rows, tableRows).

/**
 * The inverse of `indices[0..rows)` as one u32 array: `tableRows + 1` start positions, then the source
 * rows grouped by table row, increasing within each group. Table row t's sources are
 * `plan[plan[t] .. plan[t + 1])` (starts are absolute positions in the array).
 */
export function buildScatterPlan(indices: Int32Array, rows: number, tableRows: number): Uint32Array {
  const head = tableRows + 1;
  const plan = new Uint32Array(head + rows);
  // Counting sort: count per table row, prefix sums, then place r in increasing order (stable).
  const counts = new Uint32Array(tableRows);
  for (let r = 0; r < rows; r++) counts[indices[r]!]!++;
  let position = head;
  for (let t = 0; t < tableRows; t++) {
    plan[t] = position;
    position += counts[t]!;
  }
  plan[tableRows] = position;
  const next = plan.slice(0, tableRows);
  for (let r = 0; r < rows; r++) {
    const t = indices[r]!;
    plan[next[t]!] = r;
    next[t]!++;
  }
  return plan;
}
