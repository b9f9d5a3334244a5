/**
 * JSONL, the one line format of every log, cache and export (run logs, episode journals, the chunk-QA
 * cache, memory exports, serialized synthetic data): one encoder that refuses NaN and one decoder that
 * names the bad line, so a file written by one layer always reads back in another.
 */
import { FineMemError, type Validator } from "@finemem/spec";

/** A JSONL text could not be read: a line is not JSON, or fails its validator. */
export class JsonlError extends FineMemError {
  /** 1-based line number of the bad line. */
  readonly line: number;
  constructor(code: "invalid_json" | "invalid_line", line: number, message: string, cause?: unknown) {
    super(code, `line ${line}: ${message}`, { path: [line], cause });
    this.line = line;
  }
}

/**
 * Encodes one value as a JSONL line (with its trailing newline). `JSON.stringify` escapes newlines
 * inside strings, so a line never spans two; non-finite numbers are refused rather than written as
 * `null`, which would silently change a reward.
 */
export function encodeJsonlLine(value: unknown): string {
  const text = JSON.stringify(value, (_key, inner: unknown) => {
    if (typeof inner === "number" && !Number.isFinite(inner)) {
      throw new FineMemError("non_finite_number", `cannot write ${inner} to JSONL`);
    }
    return inner;
  });
  if (text === undefined) throw new FineMemError("wrong_type", "value has no JSON form");
  return `${text}\n`;
}

/**
 * Decodes JSONL text into values, validating each line when a validator is given. Blank lines are
 * skipped; a final line without its newline is accepted. Errors name the 1-based line.
 */
export function decodeJsonl<T = unknown>(text: string, validator?: Validator<T>): T[] {
  const values: T[] = [];
  const lines = text.split("\n");
  lines.forEach((raw, index) => {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.trim() === "") return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (cause) {
      throw new JsonlError("invalid_json", index + 1, "not valid JSON", cause);
    }
    if (validator === undefined) {
      values.push(parsed as T);
      return;
    }
    const result = validator.validate(parsed);
    if (!result.ok) throw new JsonlError("invalid_line", index + 1, result.error.message, result.error);
    values.push(result.value);
  });
  return values;
}
