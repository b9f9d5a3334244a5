// The operation mix of a run, counted from steps.jsonl. Each operation lands in exactly one bar: its
// type when the store applied it, `rejected` otherwise, so the bars add up to every operation emitted.
import { OPERATION_TYPES, type OperationType, type StepRecord } from "@finemem/spec";

export interface OperationCounts {
  /** Applied operations per type. */
  readonly applied: { readonly [type in OperationType]: number };
  /** Rejected operations per type (their sum is `rejected`). */
  readonly rejectedByType: { readonly [type in OperationType]: number };
  readonly rejected: number;
  readonly total: number;
}

export function countOperations(steps: readonly StepRecord[]): OperationCounts {
  const applied = zeroCounts();
  const rejectedByType = zeroCounts();
  let rejected = 0;
  let total = 0;
  for (const record of steps) {
    record.operations.forEach((identified, index) => {
      total++;
      const type = identified.operation.type;
      // The spec validator guarantees one result per operation, in order.
      if (record.results[index]?.status === "rejected") {
        rejected++;
        rejectedByType[type]++;
      } else applied[type]++;
    });
  }
  return { applied, rejectedByType, rejected, total };
}

function zeroCounts(): Record<OperationType, number> {
  return Object.fromEntries(OPERATION_TYPES.map((type) => [type, 0])) as Record<OperationType, number>;
}
