// The deterministic batches the durability test writes: batch b is step b, with inserts and an
// update of an earlier batch's item, so a torn batch would show as missing items or a stale version.
import type { ApplyRequest } from "@finemem/spec";

export const DURABILITY_NAMESPACE = { user: "durability" } as const;
const INSERTS_PER_BATCH = 6;

export function durabilityBatch(batch: number): ApplyRequest {
  const operations: ApplyRequest["operations"][number][] = [];
  for (let k = 0; k < INSERTS_PER_BATCH; k++) {
    operations.push({
      operationId: `b${batch}-i${k}`,
      operation: { type: "INSERT", content: `batch ${batch} fact ${k}: the value is ${batch * 100 + k}` },
    });
  }
  // Items are numbered m1, m2, … in insertion order: rewrite the first item of the previous batch.
  if (batch > 1) {
    operations.push({
      operationId: `b${batch}-u`,
      operation: {
        type: "UPDATE",
        id: `m${(batch - 2) * INSERTS_PER_BATCH + 1}`,
        content: `batch ${batch - 1} fact 0, revised by batch ${batch}`,
      },
    });
  }
  return { namespace: DURABILITY_NAMESPACE, step: batch, sourceChunkId: `chunk-${batch}`, operations };
}
