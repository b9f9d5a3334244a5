import {
  type ApplyRequest,
  CORE_ITEM_ID,
  type Id,
  type MemoryItemVersion,
  type MemoryOperation,
  memoryOperationValidator,
  type OperationResult,
  type RejectionReason,
  type TokenCounter,
} from "@finemem/spec";
import { truncateToTokens } from "./core-truncation.js";
import {
  appendVersion,
  contentKey,
  type ItemRecord,
  isDeleted,
  KIND_OF_TYPE,
  lastVersionOf,
  makeVersion,
  type NamespaceState,
  StoredItemRecord,
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
  const operations = request.operations as readonly unknown[];
  const results: OperationResult[] = [];
  const step = request.step;
  const sourceChunkId = request.sourceChunkId;
  const scratch: Scratch = { operation: undefined };
  let appliedAny = false;
  for (let position = 0; position < operations.length; position++) {
    const entry = operations[position];
    const operationId = readOperationId(entry);
    const outcome = applyOne(state, step, sourceChunkId, rules, entry, operationId, scratch);
    if ("reason" in outcome) {
      results.push({
        operationId: operationId ?? "invalid",
        status: "rejected",
        reason: outcome.reason,
        message: outcome.message,
      });
      continue;
    }
    results.push(outcome);
    state.log.push(
      sourceChunkId === undefined
        ? { step, operationId: outcome.operationId, operation: scratch.operation!, result: outcome }
        : { step, sourceChunkId, operationId: outcome.operationId, operation: scratch.operation!, result: outcome },
    );
    appliedAny = true;
  }
  if (appliedAny) {
    if (step > state.step) state.step = step;
    state.invalidateView();
  }
  return results;
}

/** Where {@link applyOne} leaves the (copied) operation it applied, for the log entry. */
interface Scratch {
  operation: MemoryOperation | undefined;
}

/** The result of an applied operation (keys in the order exports have always written them). */
function appliedResult(operationId: Id, itemId: Id | null, version: number | null): OperationResult {
  return { operationId, status: "applied", itemId, version };
}

function readOperationId(entry: unknown): Id | undefined {
  if (typeof entry !== "object" || entry === null) return undefined;
  const operationId = (entry as { operationId?: unknown }).operationId;
  return typeof operationId === "string" && isId(operationId) ? operationId : undefined;
}

/**
 * The spec's `ID_PATTERN` test (`^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$`) as a loop over the characters:
 * it runs for every operation, and the loop costs a fraction of the regular expression.
 */
export function isId(value: string): boolean {
  const length = value.length;
  if (length === 0 || length > 128) return false;
  for (let position = 0; position < length; position++) {
    const code = value.charCodeAt(position);
    const alphanumeric = (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
    // After the first character also "." (46), ":" (58), "_" (95) and "-" (45).
    if (!alphanumeric && (position === 0 || !(code === 46 || code === 58 || code === 95 || code === 45))) return false;
  }
  return true;
}

function applyOne(
  state: NamespaceState,
  step: number,
  sourceChunkId: Id | undefined,
  rules: StoreRules,
  entry: unknown,
  operationId: Id | undefined,
  scratch: Scratch,
): OperationResult | Rejection {
  if (typeof entry !== "object" || entry === null)
    return reject("invalid_operation", "an operation entry must be an object {operationId, operation}");
  // A loop, not Object.keys(...).filter(...): this runs once per operation, and the array is garbage.
  for (const key in entry) {
    if (key !== "operationId" && key !== "operation" && Object.hasOwn(entry, key))
      return reject("invalid_operation", `unknown field "${key}" beside operationId and operation`);
  }
  if (operationId === undefined) return reject("invalid_operation", "operationId is missing or is not a valid id");
  // The id is taken first (one set operation, not a lookup and an insert: they cost as much as the
  // rest of an INSERT together) and given back when the operation is rejected or throws.
  const ids = state.operationIds;
  const held = ids.size;
  ids.add(operationId);
  if (ids.size === held)
    return reject("invalid_operation", `operation id "${operationId}" was already applied in this namespace`);
  let outcome: OperationResult | Rejection;
  try {
    outcome = applyIdentified(state, step, sourceChunkId, rules, entry, operationId, scratch);
  } catch (error) {
    ids.delete(operationId);
    throw error;
  }
  if ("reason" in outcome) ids.delete(operationId);
  return outcome;
}

/** {@link applyOne} once the entry's shape and its (new) operation id are checked. */
function applyIdentified(
  state: NamespaceState,
  step: number,
  sourceChunkId: Id | undefined,
  rules: StoreRules,
  entry: object,
  operationId: Id,
  scratch: Scratch,
): OperationResult | Rejection {
  const candidate = (entry as { operation?: unknown }).operation;
  let operation: MemoryOperation;
  if (isPlainValidOperation(candidate)) {
    // A copy: the operation log must not change when the caller reuses its object. A frozen
    // operation cannot change (its fields are strings), so it is kept as given: one object per
    // operation instead of two, for the policies that freeze what they decide.
    operation = Object.isFrozen(candidate) ? candidate : { ...candidate };
  } else {
    const checked = memoryOperationValidator.validate(candidate);
    if (!checked.ok) {
      const emptyContent = checked.error.issues.some((issue) => issue.code === "empty_content");
      return reject(emptyContent ? "empty_content" : "invalid_operation", checked.error.message);
    }
    operation = checked.value;
  }
  scratch.operation = operation;
  if (operation.type === "SKIP") return appliedResult(operationId, null, null);

  const layoutProblem = checkLayout(operation, rules.layout);
  if (layoutProblem !== undefined) return layoutProblem;

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
    state.nextItemNumber += 1;
    // The record holds version 1 as fields; its version object is built when something reads it.
    const record = new StoredItemRecord(
      itemId,
      state.nextSeq,
      operation.memoryType,
      step,
      operation.content,
      operation.timestamp,
      operationId,
      sourceChunkId,
    );
    addRecord(state, record, operation.content, !rules.allowDuplicateInserts);
    return appliedResult(operationId, itemId, 1);
  }

  const isCore = rules.layout === "typed" && operation.id === CORE_ITEM_ID;
  const record = state.items.get(operation.id);
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
      if (isDeleted(record)) return reject("deleted_id", `item ${operation.id} was deleted`);
      if (operation.memoryType !== undefined && operation.memoryType !== record.memoryType) {
        return reject("wrong_kind", `item ${operation.id} is ${record.memoryType}, not ${operation.memoryType}`);
      }
      const capProblem = checkItemCap(content, rules);
      if (capProblem !== undefined) return capProblem;
    }
    const previous = record === undefined ? undefined : lastVersionOf(record);
    const version = makeVersion(
      operation.id,
      (previous?.version ?? 0) + 1,
      content,
      isCore ? "core" : record!.memoryType,
      // An UPDATE keeps an episodic event's time: the event happened when it happened (the current
      // item's timestamp is its newest version's, and a deleted core paragraph has none).
      previous === undefined || previous.tombstone ? undefined : previous.timestamp,
      step,
      operationId,
      sourceChunkId,
      previous?.version ?? null,
      false,
    );
    if (record === undefined) {
      // The first write of the core paragraph creates it.
      const core = new StoredItemRecord(
        CORE_ITEM_ID,
        state.nextSeq,
        "core",
        step,
        content,
        undefined,
        operationId,
        sourceChunkId,
      );
      addRecord(state, core, content, !rules.allowDuplicateInserts);
    } else {
      writeVersion(state, record, version, !rules.allowDuplicateInserts);
    }
    return appliedResult(operationId, operation.id, version.version);
  }

  // DELETE
  if (record === undefined) return reject("unknown_id", `no item ${operation.id} in this namespace`);
  if (isDeleted(record)) return reject("deleted_id", `item ${operation.id} was already deleted`);
  if (operation.memoryType !== undefined && operation.memoryType !== record.memoryType) {
    return reject("wrong_kind", `item ${operation.id} is ${record.memoryType}, not ${operation.memoryType}`);
  }
  const previous = lastVersionOf(record);
  const tombstone = makeVersion(
    operation.id,
    previous.version + 1,
    "",
    record.memoryType,
    undefined,
    step,
    operationId,
    sourceChunkId,
    previous.version,
    true,
  );
  writeVersion(state, record, tombstone, !rules.allowDuplicateInserts);
  return appliedResult(operationId, operation.id, tombstone.version);
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
  // Counted with for-in rather than Object.keys (an array per operation): a plain object's inherited
  // keys are Object.prototype's, none of them enumerable unless someone added one, and then the count
  // is too high and the validator decides.
  let fields = 0;
  for (const _ in operation) fields++;
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
        isId(operation.id) &&
        typeof operation.content === "string" &&
        NON_WHITESPACE.test(operation.content)
      );
    case "DELETE":
      return fields === 2 + optional && typeof operation.id === "string" && isId(operation.id);
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

function firstHolder(holders: Id | readonly Id[] | undefined): Id | undefined {
  return typeof holders === "string" ? holders : holders?.[0];
}

/** Adds a new record (numbered `state.nextSeq`) whose first version holds `content`. */
function addRecord(state: NamespaceState, record: StoredItemRecord, content: string, trackContents: boolean): void {
  state.nextSeq += 1;
  state.items.set(record.id, record);
  state.bySeq.push(record);
  addCurrent(state, record, content, trackContents);
}

/**
 * Appends a version and moves the current item, duplicate index and BM25 document along with it.
 * `trackContents` false leaves the duplicate index (`state.contents`) alone: a store that accepts
 * duplicate INSERTs never reads it, and keeping it costs two map operations per write.
 */
function writeVersion(
  state: NamespaceState,
  record: ItemRecord,
  version: MemoryItemVersion,
  trackContents = true,
): void {
  const previous = lastVersionOf(record);
  if (!previous.tombstone) {
    if (trackContents) {
      const key = contentKey(record.memoryType, previous.content);
      const holders = state.contents.get(key);
      if (typeof holders === "string" || holders === undefined) state.contents.delete(key);
      else {
        const rest = holders.filter((id) => id !== record.id);
        state.contents.set(key, rest.length === 1 ? rest[0]! : rest);
      }
    }
    state.index.remove(record.seq);
  }
  appendVersion(record, version);
  if (!version.tombstone) addCurrent(state, record, version.content, trackContents);
}

/** Records `version`, the record's newest, as current: in the duplicate index and the BM25 index. */
function addCurrent(state: NamespaceState, record: ItemRecord, content: string, trackContents: boolean): void {
  if (trackContents) {
    const key = contentKey(record.memoryType, content);
    const holders = state.contents.get(key);
    if (holders === undefined) state.contents.set(key, record.id);
    else if (typeof holders === "string") state.contents.set(key, [holders, record.id]);
    // Holder lists belong to their state (a cloned state copies them), so they grow in place.
    else (holders as Id[]).push(record.id);
  }
  state.index.add(record.seq, content, KIND_OF_TYPE[record.memoryType ?? "flat"]);
}
