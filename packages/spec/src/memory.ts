import { z } from "zod";
import { contentSchema, type Id, idSchema, namespaceIdSchema, stepSchema } from "./ids.js";
import { createValidator, issueCode } from "./validation.js";

/**
 * How memory is organised. `flat` is Fine-Mem's single list of items (the default); `typed` is
 * Mem-α's layout with one `core` paragraph plus `semantic` and `episodic` lists.
 */
export type MemoryLayout = "flat" | "typed";

/** The kind of an item in the typed layout. */
export type MemoryType = "core" | "semantic" | "episodic";

/** The id of the single core item in the typed layout: UPDATE with this id rewrites the paragraph. */
export const CORE_ITEM_ID = "core";

export const memoryLayoutSchema = z.enum(["flat", "typed"]);
export const memoryTypeSchema = z.enum(["core", "semantic", "episodic"]);

/**
 * Isolates items of different users, agents and runs (as in mem0). Items written under one namespace
 * are invisible under every other; `{}` is the default namespace. Each part is any non-empty string of
 * at most 128 characters without control characters (an email, a user name, a UUID): see `isNamespaceId`.
 */
export interface Namespace {
  readonly user?: Id;
  readonly agent?: Id;
  readonly run?: Id;
}

export const namespaceSchema = z.strictObject({
  user: namespaceIdSchema.exactOptional(),
  agent: namespaceIdSchema.exactOptional(),
  run: namespaceIdSchema.exactOptional(),
});

/** One current memory item, as the policy and the reasoning agent see it. */
export interface MemoryItem {
  readonly id: Id;
  /** The current text (never empty: a deleted item is not current). */
  readonly content: string;
  /** Present in the typed layout only. */
  readonly memoryType?: MemoryType;
  /** An episodic event's time, as the writer gave it (free text, e.g. an ISO date). */
  readonly timestamp?: string;
  /** Version of the current content, counting from 1; every UPDATE adds one. */
  readonly version: number;
  /** The step whose INSERT created the item. */
  readonly createdStep: number;
  /** The step that wrote the current version (φ under the last-writer policy). */
  readonly step: number;
  /** The operation that wrote the current version. */
  readonly operationId: Id;
  /** The chunk that step was reading, when known. */
  readonly sourceChunkId?: Id;
}

const itemFields = {
  id: idSchema,
  content: contentSchema,
  memoryType: memoryTypeSchema.exactOptional(),
  timestamp: z.string().max(256).exactOptional(),
  version: z.number().int().min(1),
  createdStep: stepSchema,
  step: stepSchema,
  operationId: idSchema,
  sourceChunkId: idSchema.exactOptional(),
};

export const memoryItemSchema = z.strictObject(itemFields).refine((item) => item.step >= item.createdStep, {
  message: "step must not precede createdStep",
  path: ["step"],
  ...issueCode("inconsistent"),
});

/**
 * One entry of an item's version chain. UPDATE adds a version linked to the one it replaces; DELETE
 * adds a tombstone (content `""`), so history and provenance survive deletion.
 */
export interface MemoryItemVersion {
  readonly itemId: Id;
  readonly version: number;
  /** The content of this version; `""` for a tombstone. */
  readonly content: string;
  readonly memoryType?: MemoryType;
  readonly timestamp?: string;
  /** The step that wrote this version. */
  readonly step: number;
  readonly operationId: Id;
  readonly sourceChunkId?: Id;
  /** The version this one replaces; `null` for the first. */
  readonly previousVersion: number | null;
  /** True when this version records a DELETE. */
  readonly tombstone: boolean;
}

export const memoryItemVersionSchema = z
  .strictObject({
    itemId: idSchema,
    version: z.number().int().min(1),
    content: z.string(),
    memoryType: memoryTypeSchema.exactOptional(),
    timestamp: z.string().max(256).exactOptional(),
    step: stepSchema,
    operationId: idSchema,
    sourceChunkId: idSchema.exactOptional(),
    previousVersion: z.number().int().min(1).nullable(),
    tombstone: z.boolean(),
  })
  .superRefine((version, ctx) => {
    if (!version.tombstone && version.content.trim().length === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["content"],
        message: "content must not be empty",
        ...issueCode("empty_content"),
      });
    }
    if (version.tombstone && version.content !== "") {
      ctx.addIssue({
        code: "custom",
        path: ["content"],
        message: "a tombstone has empty content",
        ...issueCode("inconsistent"),
      });
    }
    if (version.previousVersion !== null && version.previousVersion >= version.version) {
      ctx.addIssue({
        code: "custom",
        path: ["previousVersion"],
        message: "previousVersion must be older",
        ...issueCode("inconsistent"),
      });
    }
  });

/** The current memory of one namespace: what the policy sees before a step. */
export interface MemoryView {
  readonly namespace: Namespace;
  readonly layout: MemoryLayout;
  /** The last step applied (0 before the first). */
  readonly step: number;
  /** Current items in insertion order (the order ties are broken by). */
  readonly items: readonly MemoryItem[];
}

export const memoryViewSchema = z
  .strictObject({
    namespace: namespaceSchema,
    layout: memoryLayoutSchema,
    step: stepSchema,
    items: z.array(memoryItemSchema),
  })
  .superRefine((view, ctx) => {
    const seen = new Set<string>();
    view.items.forEach((item, index) => {
      if (seen.has(item.id)) {
        ctx.addIssue({
          code: "custom",
          path: ["items", index, "id"],
          message: `duplicate item id "${item.id}"`,
          ...issueCode("inconsistent"),
        });
      }
      seen.add(item.id);
      const typed = item.memoryType !== undefined;
      if (typed !== (view.layout === "typed")) {
        ctx.addIssue({
          code: "custom",
          path: ["items", index, "memoryType"],
          message:
            view.layout === "typed"
              ? "items of a typed view need a memoryType"
              : "items of a flat view have no memoryType",
          ...issueCode("inconsistent"),
        });
      }
    });
  });

export const namespaceValidator = createValidator<Namespace>("Namespace", namespaceSchema);
export const memoryItemValidator = createValidator<MemoryItem>("MemoryItem", memoryItemSchema);
export const memoryItemVersionValidator = createValidator<MemoryItemVersion>(
  "MemoryItemVersion",
  memoryItemVersionSchema,
);
export const memoryViewValidator = createValidator<MemoryView>("MemoryView", memoryViewSchema);
