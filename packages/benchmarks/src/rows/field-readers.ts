import { DatasetError } from "../dataset-error.js";

/** Where a value was read from, for error messages. */
export interface FieldContext {
  readonly file: string;
  readonly row: number;
  readonly field: string;
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "bigint") return "an int64";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function wrongType(at: FieldContext, expected: string, value: unknown): DatasetError {
  return new DatasetError("wrong_type", `expected ${expected}, found ${typeName(value)}`, at);
}

export function readString(value: unknown, at: FieldContext): string {
  if (value === undefined) throw new DatasetError("missing_column", "missing", at);
  if (typeof value !== "string") throw wrongType(at, "text", value);
  return value;
}

export function readStringList(value: unknown, at: FieldContext): string[] {
  if (value === undefined) throw new DatasetError("missing_column", "missing", at);
  if (!Array.isArray(value)) throw wrongType(at, "a list of text", value);
  return value.map((item, index) => readString(item, { ...at, field: `${at.field}[${index}]` }));
}

/** Parquet int64 arrives as bigint; JSON gives a number. Both must be safe integers. */
export function readInteger(value: unknown, at: FieldContext): number {
  if (value === undefined) throw new DatasetError("missing_column", "missing", at);
  if (typeof value === "bigint") {
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER))
      throw new DatasetError("wrong_type", `int64 ${value} is beyond 2^53`, at);
    return Number(value);
  }
  if (typeof value === "number" && Number.isSafeInteger(value)) return value;
  throw wrongType(at, "an integer", value);
}

/** A column that holds JSON as text (Memalpha's `chunks`, `questions_and_answers`, `metadata`). */
export function readJsonString(value: unknown, at: FieldContext): unknown {
  const text = readString(value, at);
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new DatasetError(
      "invalid_json",
      `not valid JSON (${cause instanceof Error ? cause.message : String(cause)})`,
      at,
      { cause },
    );
  }
}

/** A gold answer: a string, or a non-empty list of strings (kept as a list). */
export function readGold(value: unknown, at: FieldContext): string | string[] {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return readStringList(value, at);
  // Some rows give numeric labels (pubmed-rct, icl_*); the scorers compare their text.
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (value === undefined) throw new DatasetError("missing_column", "missing", at);
  throw wrongType(at, "a string or a list of strings", value);
}
