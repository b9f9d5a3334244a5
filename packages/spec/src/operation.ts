import { z } from "zod";
import { contentSchema, type Id, idSchema } from "./ids.js";
import { type MemoryType, memoryTypeSchema } from "./memory.js";
import { createValidator } from "./validation.js";

/** Add an item. In the typed layout `memoryType` says which list (never `core`: core is rewritten). */
export interface InsertOperation {
  readonly type: "INSERT";
  readonly content: string;
  readonly memoryType?: MemoryType;
  readonly timestamp?: string;
}

/** Replace an item's content; the item keeps its id and gains a version. */
export interface UpdateOperation {
  readonly type: "UPDATE";
  readonly id: Id;
  readonly content: string;
  readonly memoryType?: MemoryType;
}

/** Remove an item from the current memory; its history stays as a tombstone. */
export interface DeleteOperation {
  readonly type: "DELETE";
  readonly id: Id;
  readonly memoryType?: MemoryType;
}

/** Write nothing this step; an explicit choice, distinct from a reply that holds no call. */
export interface SkipOperation {
  readonly type: "SKIP";
}

/** One memory operation as a policy emits it. Several per step, applied in order. */
export type MemoryOperation = InsertOperation | UpdateOperation | DeleteOperation | SkipOperation;

/** The operation kinds, in the order the spec lists them. */
export const OPERATION_TYPES = ["INSERT", "UPDATE", "DELETE", "SKIP"] as const;
export type OperationType = (typeof OPERATION_TYPES)[number];

export const insertOperationSchema = z.strictObject({
  type: z.literal("INSERT"),
  content: contentSchema,
  memoryType: memoryTypeSchema.exactOptional(),
  timestamp: z.string().max(256).exactOptional(),
});
export const updateOperationSchema = z.strictObject({
  type: z.literal("UPDATE"),
  id: idSchema,
  content: contentSchema,
  memoryType: memoryTypeSchema.exactOptional(),
});
export const deleteOperationSchema = z.strictObject({
  type: z.literal("DELETE"),
  id: idSchema,
  memoryType: memoryTypeSchema.exactOptional(),
});
export const skipOperationSchema = z.strictObject({ type: z.literal("SKIP") });

export const memoryOperationSchema = z.discriminatedUnion("type", [
  insertOperationSchema,
  updateOperationSchema,
  deleteOperationSchema,
  skipOperationSchema,
]);

/** An operation with the id the orchestrator gave it; provenance and logs refer to this id. */
export interface IdentifiedOperation {
  readonly operationId: Id;
  readonly operation: MemoryOperation;
}

export const identifiedOperationSchema = z.strictObject({
  operationId: idSchema,
  operation: memoryOperationSchema,
});

/**
 * Why a store refused an operation. A rejected operation changes nothing and never throws.
 * - `unknown_id`: UPDATE / DELETE of an id the namespace never had.
 * - `deleted_id`: UPDATE / DELETE of an item that is already a tombstone.
 * - `empty_content`: content that is empty or whitespace only.
 * - `duplicate_insert`: INSERT of content equal to a current item's (Mem-α counts it as unsuccessful).
 * - `core_insert`: INSERT into `core`, which can only be rewritten.
 * - `wrong_kind`: the memoryType given does not match the item's.
 * - `over_cap`: content beyond the layout's limit (e.g. the core paragraph's token cap).
 * - `layout_mismatch`: a typed operation on a flat store or the reverse.
 * - `invalid_operation`: the operation failed validation.
 */
export type RejectionReason =
  | "unknown_id"
  | "deleted_id"
  | "empty_content"
  | "duplicate_insert"
  | "core_insert"
  | "wrong_kind"
  | "over_cap"
  | "layout_mismatch"
  | "invalid_operation";

export const REJECTION_REASONS = [
  "unknown_id",
  "deleted_id",
  "empty_content",
  "duplicate_insert",
  "core_insert",
  "wrong_kind",
  "over_cap",
  "layout_mismatch",
  "invalid_operation",
] as const satisfies readonly RejectionReason[];

/** The store's answer for one operation. */
export type OperationResult =
  | {
      readonly operationId: Id;
      readonly status: "applied";
      /** The item written; `null` for SKIP. */
      readonly itemId: Id | null;
      /** The version written (the tombstone's for DELETE); `null` for SKIP. */
      readonly version: number | null;
    }
  | {
      readonly operationId: Id;
      readonly status: "rejected";
      readonly reason: RejectionReason;
      readonly message: string;
    };

export const operationResultSchema = z.discriminatedUnion("status", [
  z.strictObject({
    operationId: idSchema,
    status: z.literal("applied"),
    itemId: idSchema.nullable(),
    version: z.number().int().min(1).nullable(),
  }),
  z.strictObject({
    operationId: idSchema,
    status: z.literal("rejected"),
    reason: z.enum(REJECTION_REASONS),
    message: z.string().max(2000),
  }),
]);

export const memoryOperationValidator = createValidator<MemoryOperation>("MemoryOperation", memoryOperationSchema);
export const identifiedOperationValidator = createValidator<IdentifiedOperation>(
  "IdentifiedOperation",
  identifiedOperationSchema,
);
export const operationResultValidator = createValidator<OperationResult>("OperationResult", operationResultSchema);
