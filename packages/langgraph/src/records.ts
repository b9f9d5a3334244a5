import { getTextAtPath } from "@langchain/langgraph-checkpoint";

/** The JSON object a LangGraph item holds. */
export type LangGraphValue = Record<string, unknown>;

/**
 * What one memory item's content holds for one LangGraph item: the namespace tuple and key that find
 * it again, its timestamps, the `index` fields it was put with, and the value. Stored as one line of
 * JSON text, so every backend (in memory, PGlite, PostgreSQL) keeps it as it keeps any memory.
 */
export interface LangGraphRecord {
  readonly namespace: readonly string[];
  readonly key: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The fields indexed for BM25 (`false`: not ranked); absent for the store's default fields. */
  readonly index?: false | readonly string[];
  readonly value: LangGraphValue;
}

/** The marker field that tells a LangGraph record from any other memory item. */
export const RECORD_FORMAT = "finemem-langgraph/1";

export function encodeRecord(record: LangGraphRecord): string {
  return JSON.stringify({
    format: RECORD_FORMAT,
    namespace: record.namespace,
    key: record.key,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    ...(record.index === undefined ? {} : { index: record.index }),
    value: record.value,
  });
}

/** The record an item's content holds, or `undefined` when the content is not a LangGraph record. */
export function decodeRecord(content: string): LangGraphRecord | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    return undefined;
  }
  if (!isPlainObject(parsed) || parsed.format !== RECORD_FORMAT) return undefined;
  const { namespace, key, createdAt, updatedAt, index, value } = parsed;
  if (!Array.isArray(namespace) || !namespace.every((label) => typeof label === "string")) return undefined;
  if (typeof key !== "string" || typeof createdAt !== "string" || typeof updatedAt !== "string") return undefined;
  if (!isPlainObject(value)) return undefined;
  if (index !== undefined && index !== false && !(Array.isArray(index) && index.every((f) => typeof f === "string"))) {
    return undefined;
  }
  return {
    namespace: namespace as string[],
    key,
    createdAt,
    updatedAt,
    ...(index === undefined ? {} : { index: index as false | string[] }),
    value,
  };
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The identity of a LangGraph item: its namespace tuple and key, one string. */
export function itemKey(namespace: readonly string[], key: string): string {
  return JSON.stringify([namespace, key]);
}

/**
 * The text BM25 ranks for a value. `"$"` is every string, number and boolean leaf of the value, in
 * document order, one per line (field names left out, so that a field called `text` matches no query
 * for "text"); any other field is a path as LangGraph's `index` writes it (`a.b`, `a[0]`, `a[*]`).
 */
export function indexedText(value: LangGraphValue, fields: readonly string[]): string {
  const texts: string[] = [];
  for (const field of fields) {
    if (field === "$") collectLeaves(value, texts);
    else texts.push(...getTextAtPath(value, field));
  }
  return texts.join("\n");
}

function collectLeaves(value: unknown, out: string[]): void {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") out.push(String(value));
  else if (Array.isArray(value)) for (const element of value) collectLeaves(element, out);
  else if (isPlainObject(value)) for (const element of Object.values(value)) collectLeaves(element, out);
}

const FILTER_OPERATORS = new Set(["$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin"]);

/**
 * LangGraph's filter on one top-level field, exactly as its `InMemoryStore` evaluates it: a plain
 * value matches by `===`; an object of operators (`$eq $ne $gt $gte $lt $lte $in $nin`) matches when
 * every operator holds, the order operators comparing as numbers.
 */
export function matchesFilter(value: LangGraphValue, filter: Record<string, unknown>): boolean {
  return Object.entries(filter).every(([field, condition]) => compareValue(value[field], condition));
}

function compareValue(itemValue: unknown, condition: unknown): boolean {
  if (isPlainObject(condition) && Object.keys(condition).every((operator) => FILTER_OPERATORS.has(operator))) {
    return Object.entries(condition).every(([operator, operand]) => {
      switch (operator) {
        case "$eq":
          return itemValue === operand;
        case "$ne":
          return itemValue !== operand;
        case "$gt":
          return Number(itemValue) > Number(operand);
        case "$gte":
          return Number(itemValue) >= Number(operand);
        case "$lt":
          return Number(itemValue) < Number(operand);
        case "$lte":
          return Number(itemValue) <= Number(operand);
        case "$in":
          return Array.isArray(operand) ? operand.includes(itemValue) : false;
        default:
          return Array.isArray(operand) ? !operand.includes(itemValue) : true;
      }
    });
  }
  return itemValue === condition;
}
