import type { MemoryLayout, MemoryOperation, RejectionReason } from "@finemem/spec";
import type { ConformanceStoreOptions } from "./conformance-harness.js";

/**
 * One way to provoke a rejection: operations applied first (all must apply), then one operation that
 * must be rejected with `reason`. `operation` is `unknown` because some scenarios are malformed on
 * purpose, and `operationId` lets a scenario reuse an id.
 */
export interface ReasonScenario {
  readonly reason: RejectionReason;
  readonly name: string;
  readonly store?: Partial<Omit<ConformanceStoreOptions, "layout" | "tokenCounter">>;
  readonly setup: readonly MemoryOperation[];
  readonly operation: unknown;
  readonly operationId?: string;
}

/**
 * Reason codes that cannot occur in a layout, and why. The suite checks that every other code has at
 * least one scenario in that layout.
 */
export const IMPOSSIBLE_REASONS: Readonly<Record<MemoryLayout, Partial<Record<RejectionReason, string>>>> = {
  flat: {
    core_insert: "a flat store has no core paragraph; an INSERT naming memoryType core is a layout_mismatch",
    wrong_kind: "a flat store has no kinds; any memoryType is a layout_mismatch",
  },
  typed: {},
};

const fact = (content: string, memoryType?: "semantic" | "episodic"): MemoryOperation => ({
  type: "INSERT",
  content,
  ...(memoryType === undefined ? {} : { memoryType }),
});

export const FLAT_SCENARIOS: readonly ReasonScenario[] = [
  {
    reason: "unknown_id",
    name: "UPDATE of an id never written",
    setup: [fact("Ada lives in Paris")],
    operation: { type: "UPDATE", id: "m99", content: "x" },
  },
  { reason: "unknown_id", name: "DELETE of an id never written", setup: [], operation: { type: "DELETE", id: "m1" } },
  {
    reason: "unknown_id",
    name: "UPDATE of core in a flat store",
    setup: [],
    operation: { type: "UPDATE", id: "core", content: "a paragraph" },
  },
  {
    reason: "deleted_id",
    name: "UPDATE of a deleted item",
    setup: [fact("Ada lives in Paris"), { type: "DELETE", id: "m1" }],
    operation: { type: "UPDATE", id: "m1", content: "Ada lives in Rome" },
  },
  {
    reason: "deleted_id",
    name: "DELETE of a deleted item",
    setup: [fact("Ada lives in Paris"), { type: "DELETE", id: "m1" }],
    operation: { type: "DELETE", id: "m1" },
  },
  { reason: "empty_content", name: "INSERT of whitespace", setup: [], operation: { type: "INSERT", content: " \n\t" } },
  {
    reason: "empty_content",
    name: "UPDATE to the empty string",
    setup: [fact("Ada lives in Paris")],
    operation: { type: "UPDATE", id: "m1", content: "" },
  },
  {
    reason: "duplicate_insert",
    name: "INSERT of a current item's exact content",
    setup: [fact("Ada lives in Paris")],
    operation: fact("Ada lives in Paris"),
  },
  {
    reason: "layout_mismatch",
    name: "INSERT with a memoryType",
    setup: [],
    operation: fact("Ada lives in Paris", "semantic"),
  },
  {
    reason: "layout_mismatch",
    name: "INSERT into core",
    setup: [],
    operation: { type: "INSERT", content: "x", memoryType: "core" },
  },
  {
    reason: "layout_mismatch",
    name: "INSERT with a timestamp",
    setup: [],
    operation: { type: "INSERT", content: "met Bob", timestamp: "2024-05-01" },
  },
  {
    reason: "over_cap",
    name: "INSERT beyond maxItems",
    store: { maxItems: 1 },
    setup: [fact("Ada lives in Paris")],
    operation: fact("Bob lives in Rome"),
  },
  {
    reason: "over_cap",
    name: "INSERT beyond maxItemTokens",
    store: { maxItemTokens: 3 },
    setup: [],
    operation: fact("four words are here"),
  },
  {
    reason: "over_cap",
    name: "UPDATE beyond maxItemTokens",
    store: { maxItemTokens: 3 },
    setup: [fact("Ada in Paris")],
    operation: { type: "UPDATE", id: "m1", content: "Ada lives in Rome" },
  },
  { reason: "invalid_operation", name: "an unknown operation type", setup: [], operation: { type: "MOVE", id: "m1" } },
  {
    reason: "invalid_operation",
    name: "an id of the wrong shape",
    setup: [fact("Ada lives in Paris")],
    operation: { type: "DELETE", id: "m 1" },
  },
  {
    reason: "invalid_operation",
    name: "a field of the wrong type",
    setup: [],
    operation: { type: "INSERT", content: 42 },
  },
  {
    reason: "invalid_operation",
    name: "an unknown field",
    setup: [],
    operation: { type: "SKIP", reason: "nothing new" },
  },
  {
    reason: "invalid_operation",
    name: "an operation id already applied",
    setup: [fact("Ada lives in Paris")],
    operation: fact("Bob lives in Rome"),
    operationId: "setup-0",
  },
];

export const TYPED_SCENARIOS: readonly ReasonScenario[] = [
  {
    reason: "unknown_id",
    name: "UPDATE of an id never written",
    setup: [],
    operation: { type: "UPDATE", id: "m7", content: "x", memoryType: "semantic" },
  },
  {
    reason: "unknown_id",
    name: "DELETE of an id never written",
    setup: [],
    operation: { type: "DELETE", id: "m7", memoryType: "episodic" },
  },
  {
    reason: "deleted_id",
    name: "UPDATE of a deleted item",
    setup: [fact("Ada lives in Paris", "semantic"), { type: "DELETE", id: "m1", memoryType: "semantic" }],
    operation: { type: "UPDATE", id: "m1", content: "Ada lives in Rome", memoryType: "semantic" },
  },
  {
    reason: "deleted_id",
    name: "DELETE of a deleted item",
    setup: [fact("met Bob", "episodic"), { type: "DELETE", id: "m1" }],
    operation: { type: "DELETE", id: "m1", memoryType: "episodic" },
  },
  {
    reason: "empty_content",
    name: "INSERT of whitespace",
    setup: [],
    operation: { type: "INSERT", content: "  ", memoryType: "semantic" },
  },
  {
    reason: "empty_content",
    name: "UPDATE of core to the empty string",
    setup: [],
    operation: { type: "UPDATE", id: "core", content: "", memoryType: "core" },
  },
  {
    reason: "duplicate_insert",
    name: "INSERT of a current item's exact content in the same type",
    setup: [fact("Ada lives in Paris", "semantic")],
    operation: fact("Ada lives in Paris", "semantic"),
  },
  {
    reason: "core_insert",
    name: "INSERT into core",
    setup: [],
    operation: { type: "INSERT", content: "The user is Ada.", memoryType: "core" },
  },
  {
    reason: "wrong_kind",
    name: "UPDATE naming the wrong memoryType",
    setup: [fact("Ada lives in Paris", "semantic")],
    operation: { type: "UPDATE", id: "m1", content: "Ada lives in Rome", memoryType: "episodic" },
  },
  {
    reason: "wrong_kind",
    name: "DELETE naming the wrong memoryType",
    setup: [fact("met Bob", "episodic")],
    operation: { type: "DELETE", id: "m1", memoryType: "semantic" },
  },
  {
    reason: "wrong_kind",
    name: "UPDATE of core naming another memoryType",
    setup: [],
    operation: { type: "UPDATE", id: "core", content: "The user is Ada.", memoryType: "semantic" },
  },
  {
    reason: "wrong_kind",
    name: "UPDATE of an item naming memoryType core",
    setup: [fact("Ada lives in Paris", "semantic")],
    operation: { type: "UPDATE", id: "m1", content: "Ada lives in Rome", memoryType: "core" },
  },
  {
    reason: "over_cap",
    name: "core UPDATE beyond the core cap when overflow is reject",
    store: { coreTokenCap: 16, coreOverflow: "reject" },
    setup: [],
    operation: {
      type: "UPDATE",
      id: "core",
      content: Array.from({ length: 17 }, (_, index) => `w${index}`).join(" "),
      memoryType: "core",
    },
  },
  {
    reason: "over_cap",
    name: "INSERT beyond maxItems",
    store: { maxItems: 1 },
    setup: [fact("a fact", "semantic")],
    operation: fact("met Bob", "episodic"),
  },
  {
    reason: "over_cap",
    name: "INSERT beyond maxItemTokens",
    store: { maxItemTokens: 2 },
    setup: [],
    operation: fact("met Bob today", "episodic"),
  },
  { reason: "layout_mismatch", name: "INSERT without a memoryType", setup: [], operation: fact("Ada lives in Paris") },
  {
    reason: "layout_mismatch",
    name: "a timestamp on a semantic INSERT",
    setup: [],
    operation: { type: "INSERT", content: "Ada lives in Paris", memoryType: "semantic", timestamp: "2024-05-01" },
  },
  {
    reason: "invalid_operation",
    name: "an unknown memoryType",
    setup: [],
    operation: { type: "INSERT", content: "x", memoryType: "procedural" },
  },
  {
    reason: "invalid_operation",
    name: "a missing id",
    setup: [],
    operation: { type: "DELETE", memoryType: "semantic" },
  },
  {
    reason: "invalid_operation",
    name: "an operation that is not an object",
    setup: [],
    operation: "INSERT Ada lives in Paris",
  },
];
