import {
  type ApplyRequest,
  CORE_ITEM_ID,
  ID_PATTERN,
  type Id,
  type MemoryItem,
  type MemoryItemVersion,
  type MemoryOperation,
  type MemoryType,
  memoryOperationValidator,
  type OperationResult,
  type RejectionReason,
  type TokenCounter,
} from "@finemem/spec";
import { truncateToTokens } from "./core-truncation.js";
import {
  contentKey,
  type ItemRecord,
  KIND_OF_TYPE,
  type LoggedOperation,
  type NamespaceState,
} from "./namespace-state.js";

/** The rules a store enforces, fixed when it is created. */
export interface StoreRules {
  readonly layout: "flat" | "typed";
  /** Token cap of the typed layout's core paragraph. */
  readonly coreTokenCap: number;
  /** `truncate` (Mem-α): cut the paragraph and mark the cut; `reject`: reject with `over_cap`. */
  readonly coreOverflow: "truncate" | "reject";
  /** Cap on any other item's tokens (`over_cap` beyond it); undefined for none. */
  readonly maxItemTokens: number | undefined;
  /** Cap on current non-core items per namespace (`over_cap` for an INSERT beyond it). */
  readonly maxItems: number | undefined;
  /** Whether an INSERT may repeat a current item's exact content (Mem-α rejects it). */
  readonly allowDuplicateInserts: boolean;
  /** Counts tokens for the caps; only called when a cap applies. */
  readonly tokenCounter: () => TokenCounter;
}

type Rejection = { readonly reason: RejectionReason; readonly message: string };

const reject = (reason: RejectionReason, message: string): Rejection => ({ reason, message });

/**
 * Applies one step's operations to a namespace state, in order, and answers one result per operation.
 * A rejected operation changes nothing (no item, version, log entry, id or step is consumed). Applied
 * operations, SKIP included, go to the operation log, and the namespace's step becomes the request's.
 */
export function applyStep(state: NamespaceState, request: ApplyRequest, rules: StoreRules): OperationResult[] {
  const results: OperationResult[] = [];
  for (const entry of request.operations as readonly unknown[]) {
    const operationId = readOperationId(entry);
    const outcome = applyOne(state, request, rules, entry, operationId);
    if ("reason" in outcome) {
      results.push({
        operationId: operationId ?? "invalid",
        status: "rejected",
        reason: outcome.reason,
        message: outcome.message,
      });
      continue;
    }
    results.push(outcome.result);
    const logged: { -readonly [K in keyof LoggedOperation]: LoggedOperation[K] } = {
      step: request.step,
    } as LoggedOperation;
    if (request.sourceChunkId !== undefined) logged.sourceChunkId = request.sourceChunkId;
    logged.operationId = outcome.result.operationId;
    logged.operation = outcome.operation;
    logged.result = outcome.result;
    state.log.push(logged);
    state.operationIds.add(outcome.result.operationId);
    state.step = Math.max(state.step, request.step);
    state.invalidateView();
  }
  return results;
}

function readOperationId(entry: unknown): Id | undefined {
  if (typeof entry !== "object" || entry === null) return undefined;
  const operationId = (entry as { operationId?: unknown }).operationId;
  return typeof operationId === "string" && ID_PATTERN.test(operationId) ? operationId : undefined;
}

type Applied = { readonly result: OperationResult; readonly operation: MemoryOperation };

function applyOne(
  state: NamespaceState,
  request: ApplyRequest,
  rules: StoreRules,
  entry: unknown,
  operationId: Id | undefined,
): Applied | Rejection {
  if (typeof entry !== "object" || entry === null)
    return reject("invalid_operation", "an operation entry must be an object {operationId, operation}");
  // A loop, not Object.keys(...).filter(...): this runs once per operation, and the array is garbage.
  for (const key in entry) {
    if (key !== "operationId" && key !== "operation" && Object.hasOwn(entry, key))
      return reject("invalid_operation", `unknown field "${key}" beside operationId and operation`);
  }
  if (operationId === undefined) return reject("invalid_operation", "operationId is missing or is not a valid id");
  if (state.operationIds.has(operationId))
    return reject("invalid_operation", `operation id "${operationId}" was already applied in this namespace`);

  const candidate = (entry as { operation?: unknown }).operation;
  let operation: MemoryOperation;
  if (isPlainValidOperation(candidate)) {
    // A copy: the operation log must not change when the caller reuses its object.
    operation = { ...candidate };
  } else {
    const checked = memoryOperationValidator.validate(candidate);
    if (!checked.ok) {
      const emptyContent = checked.error.issues.some((issue) => issue.code === "empty_content");
      return reject(emptyContent ? "empty_content" : "invalid_operation", checked.error.message);
    }
    operation = checked.value;
  }
  const applied = (itemId: Id | null, version: number | null): Applied => ({
    operation,
    result: { operationId, status: "applied", itemId, version },
  });
  if (operation.type === "SKIP") return applied(null, null);

  const layoutProblem = checkLayout(operation, rules.layout);
  if (layoutProblem !== undefined) return layoutProblem;
  const stamp: Stamp = { step: request.step, operationId, sourceChunkId: request.sourceChunkId };

  if (operation.type === "INSERT") {
    if (operation.memoryType === "core")
      return reject("core_insert", 'the core paragraph is rewritten with UPDATE (id "core"), never inserted');
    const duplicate = rules.allowDuplicateInserts
      ? undefined
      : firstHolder(state.contents.get(contentKey(operation.memoryType, operation.content)));
    if (duplicate !== undefined)
      return reject("duplicate_insert", `item ${duplicate} already holds exactly this content`);
    const capProblem = checkItemCap(operation.content, rules);
    if (capProblem !== undefined) return capProblem;
    if (rules.maxItems !== undefined && countNonCore(state) >= rules.maxItems) {
      return reject("over_cap", `the namespace already holds ${rules.maxItems} items, the store's maxItems`);
    }
    const itemId = `m${state.nextItemNumber}`;
    const version = makeVersion(
      itemId,
      1,
      operation.content,
      operation.memoryType,
      operation.timestamp,
      stamp,
      null,
      false,
    );
    state.nextItemNumber += 1;
    createRecord(state, itemId, operation.memoryType, request.step, version);
    return applied(itemId, 1);
  }

  const isCore = rules.layout === "typed" && operation.id === CORE_ITEM_ID;
  let record = state.items.get(operation.id);
  if (isCore && operation.memoryType !== undefined && operation.memoryType !== "core") {
    return reject("wrong_kind", `item core is the core paragraph, not ${operation.memoryType}`);
  }
  if (!isCore && operation.memoryType === "core")
    return reject("wrong_kind", `only the item "core" has memoryType core, not ${operation.id}`);

  if (operation.type === "UPDATE") {
    let content = operation.content;
    if (isCore) {
      const counter = rules.tokenCounter();
      if (counter.count(content) > rules.coreTokenCap) {
        if (rules.coreOverflow === "reject")
          return reject("over_cap", `the core paragraph is capped at ${rules.coreTokenCap} ${counter.encoding} tokens`);
        content = truncateToTokens(content, rules.coreTokenCap, counter);
      }
    } else {
      if (record === undefined) return reject("unknown_id", `no item ${operation.id} in this namespace`);
      if (record.current === undefined) return reject("deleted_id", `item ${operation.id} was deleted`);
      if (operation.memoryType !== undefined && operation.memoryType !== record.memoryType) {
        return reject("wrong_kind", `item ${operation.id} is ${record.memoryType}, not ${operation.memoryType}`);
      }
      const capProblem = checkItemCap(content, rules);
      if (capProblem !== undefined) return capProblem;
    }
    const previous = record?.versions.at(-1);
    const version = makeVersion(
      operation.id,
      (previous?.version ?? 0) + 1,
      content,
      isCore ? "core" : record!.memoryType,
      // An UPDATE keeps an episodic event's time: the event happened when it happened.
      record?.current?.timestamp,
      stamp,
      previous?.version ?? null,
      false,
    );
    if (record === undefined) {
      // The first write of the core paragraph creates it.
      record = createRecord(state, CORE_ITEM_ID, "core", request.step, version);
    } else {
      writeVersion(state, record, version);
    }
    return applied(operation.id, version.version);
  }

  // DELETE
  if (record === undefined) return reject("unknown_id", `no item ${operation.id} in this namespace`);
  if (record.current === undefined) return reject("deleted_id", `item ${operation.id} was already deleted`);
  if (operation.memoryType !== undefined && operation.memoryType !== record.memoryType) {
    return reject("wrong_kind", `item ${operation.id} is ${record.memoryType}, not ${operation.memoryType}`);
  }
  const previous = record.versions.at(-1)!;
  const tombstone = makeVersion(
    operation.id,
    previous.version + 1,
    "",
    record.memoryType,
    undefined,
    stamp,
    previous.version,
    true,
  );
  writeVersion(state, record, tombstone);
  return applied(operation.id, tombstone.version);
}

const MEMORY_TYPES = new Set(["core", "semantic", "episodic"]);
const NON_WHITESPACE = /\S/u;

/**
 * A fast check that accepts only operations the spec's validator also accepts (so the store's verdict
 * never depends on which check ran); anything else, valid or not, goes to the full validator, which
 * names the defect. Validation is most of a step's cost otherwise.
 */
function isPlainValidOperation(value: unknown): value is MemoryOperation {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  // Plain objects only (JSON's kind), so that own keys are all the keys there are.
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  const operation = value as Record<string, unknown>;
  const fields = Object.keys(operation).length;
  const { type, memoryType } = operation;
  if (memoryType !== undefined && !(typeof memoryType === "string" && MEMORY_TYPES.has(memoryType))) return false;
  const optional = memoryType === undefined ? 0 : 1;
  switch (type) {
    case "INSERT": {
      const timestamp = operation.timestamp;
      if (timestamp !== undefined && !(typeof timestamp === "string" && timestamp.length <= 256)) return false;
      return (
        fields === 2 + optional + (timestamp === undefined ? 0 : 1) &&
        typeof operation.content === "string" &&
        NON_WHITESPACE.test(operation.content)
      );
    }
    case "UPDATE":
      return (
        fields === 3 + optional &&
        typeof operation.id === "string" &&
        ID_PATTERN.test(operation.id) &&
        typeof operation.content === "string" &&
        NON_WHITESPACE.test(operation.content)
      );
    case "DELETE":
      return fields === 2 + optional && typeof operation.id === "string" && ID_PATTERN.test(operation.id);
    case "SKIP":
      return fields === 1;
    default:
      return false;
  }
}

function checkLayout(
  operation: Exclude<MemoryOperation, { type: "SKIP" }>,
  layout: "flat" | "typed",
): Rejection | undefined {
  if (layout === "flat") {
    if (operation.memoryType !== undefined)
      return reject("layout_mismatch", `a flat store has no memory types (got memoryType ${operation.memoryType})`);
    if (operation.type === "INSERT" && operation.timestamp !== undefined)
      return reject("layout_mismatch", "a flat store keeps no timestamps; they belong to typed episodic items");
    return undefined;
  }
  if (operation.type === "INSERT") {
    if (operation.memoryType === undefined)
      return reject("layout_mismatch", "an INSERT into a typed store needs memoryType semantic or episodic");
    if (operation.timestamp !== undefined && operation.memoryType !== "episodic") {
      return reject(
        "layout_mismatch",
        `only episodic items carry a timestamp (got one on a ${operation.memoryType} INSERT)`,
      );
    }
  }
  return undefined;
}

function checkItemCap(content: string, rules: StoreRules): Rejection | undefined {
  if (rules.maxItemTokens === undefined) return undefined;
  const counter = rules.tokenCounter();
  const tokens = counter.count(content);
  return tokens > rules.maxItemTokens
    ? reject(
        "over_cap",
        `content has ${tokens} ${counter.encoding} tokens, above the store's maxItemTokens ${rules.maxItemTokens}`,
      )
    : undefined;
}

function countNonCore(state: NamespaceState): number {
  let count = state.index.size;
  if (state.items.get(CORE_ITEM_ID)?.current !== undefined && state.items.get(CORE_ITEM_ID)?.memoryType === "core")
    count -= 1;
  return count;
}

interface Stamp {
  readonly step: number;
  readonly operationId: Id;
  readonly sourceChunkId: Id | undefined;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Builds a version with its keys always in one order (exports compare byte for byte) and absent
 * optional fields left out. Property assignment rather than conditional spreads: this is the hot
 * path of every write. Versions are frozen: views, histories and forks share them.
 */
function makeVersion(
  itemId: Id,
  versionNumber: number,
  content: string,
  memoryType: MemoryType | undefined,
  timestamp: string | undefined,
  stamp: Stamp,
  previousVersion: number | null,
  tombstone: boolean,
): MemoryItemVersion {
  const version = { itemId, version: versionNumber, content } as Mutable<MemoryItemVersion>;
  if (memoryType !== undefined) version.memoryType = memoryType;
  if (timestamp !== undefined) version.timestamp = timestamp;
  version.step = stamp.step;
  version.operationId = stamp.operationId;
  if (stamp.sourceChunkId !== undefined) version.sourceChunkId = stamp.sourceChunkId;
  version.previousVersion = previousVersion;
  version.tombstone = tombstone;
  return Object.freeze(version);
}

function firstHolder(holders: Id | readonly Id[] | undefined): Id | undefined {
  return typeof holders === "string" ? holders : holders?.[0];
}

function createRecord(
  state: NamespaceState,
  itemId: Id,
  memoryType: MemoryType | undefined,
  step: number,
  version: MemoryItemVersion,
): ItemRecord {
  const record: ItemRecord = {
    id: itemId,
    seq: state.nextSeq,
    memoryType,
    createdStep: step,
    versions: [],
    current: undefined,
  };
  state.nextSeq += 1;
  state.items.set(itemId, record);
  state.bySeq.push(record);
  writeVersion(state, record, version);
  return record;
}

/** Appends a version and moves the current item, duplicate index and BM25 document along with it. */
function writeVersion(state: NamespaceState, record: ItemRecord, version: MemoryItemVersion): void {
  if (record.current !== undefined) {
    const key = contentKey(record.memoryType, record.current.content);
    const holders = state.contents.get(key);
    if (typeof holders === "string" || holders === undefined) state.contents.delete(key);
    else {
      const rest = holders.filter((id) => id !== record.id);
      state.contents.set(key, rest.length === 1 ? rest[0]! : rest);
    }
    state.index.remove(record.seq);
  }
  record.versions.push(version);
  if (version.tombstone) {
    record.current = undefined;
    return;
  }
  record.current = itemOf(record, version);
  const key = contentKey(record.memoryType, version.content);
  const holders = state.contents.get(key);
  state.contents.set(
    key,
    holders === undefined ? record.id : [...(typeof holders === "string" ? [holders] : holders), record.id],
  );
  state.index.add(record.seq, version.content, KIND_OF_TYPE[record.memoryType ?? "flat"]);
}

function itemOf(record: ItemRecord, version: MemoryItemVersion): MemoryItem {
  const item = { id: record.id, content: version.content } as Mutable<MemoryItem>;
  if (version.memoryType !== undefined) item.memoryType = version.memoryType;
  if (version.timestamp !== undefined) item.timestamp = version.timestamp;
  item.version = version.version;
  item.createdStep = record.createdStep;
  item.step = version.step;
  item.operationId = version.operationId;
  if (version.sourceChunkId !== undefined) item.sourceChunkId = version.sourceChunkId;
  return Object.freeze(item);
}
