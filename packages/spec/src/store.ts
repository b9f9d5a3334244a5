import type { CallOptions, SpecificationVersion } from "./call-options.js";
import type { Id } from "./ids.js";
import type { MemoryItemVersion, MemoryLayout, MemoryView, Namespace } from "./memory.js";
import type { IdentifiedOperation, OperationResult } from "./operation.js";
import type { ProvenancePolicy, StepWeights } from "./provenance.js";

/** One step's writes: the operations of one policy call, applied in order. */
export interface ApplyRequest {
  readonly namespace: Namespace;
  /** The step that writes (stamped on every version it creates). */
  readonly step: number;
  /** The chunk the policy was reading, recorded on every version for "delete what chunk X gave". */
  readonly sourceChunkId?: Id;
  readonly operations: readonly IdentifiedOperation[];
}

/**
 * A memory store. Every method is async because a store may be remote (a database server). Stores
 * validate each operation and answer one {@link OperationResult} per operation, in order; a rejected
 * operation changes nothing, and bad operations never make `apply` throw (it throws only for
 * infrastructure failures and cancellation).
 */
export interface MemoryStore {
  readonly specificationVersion: SpecificationVersion;
  readonly layout: MemoryLayout;
  /** Applies one step's operations in order and reports each one's outcome. */
  apply(request: ApplyRequest, options?: CallOptions): Promise<readonly OperationResult[]>;
  /** The current items of a namespace. */
  view(namespace: Namespace, options?: CallOptions): Promise<MemoryView>;
  /** An item's version chain, oldest first, tombstone included; `[]` for an unknown id. */
  history(namespace: Namespace, itemId: Id, options?: CallOptions): Promise<readonly MemoryItemVersion[]>;
  /** φ(item) under `policy`: how the item's credit is split over steps. `{}` for an unknown id. */
  provenance(namespace: Namespace, itemId: Id, policy: ProvenancePolicy, options?: CallOptions): Promise<StepWeights>;
  /** Releases the store's resources; later calls reject. */
  close(): Promise<void>;
}
