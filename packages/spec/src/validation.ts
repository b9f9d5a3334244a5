import type { z } from "zod";
import { FineMemError, formatPath, type PathSegment } from "./errors.js";

/**
 * Codes of {@link ValidationError}. Each names one kind of defect so that callers (and tests) can tell
 * a missing field from a value of the wrong type, an unknown operation, or an id of the wrong shape.
 */
export type ValidationCode =
  | "missing_field"
  | "wrong_type"
  | "unexpected_nesting"
  | "unknown_field"
  | "unknown_operation"
  | "unknown_variant"
  | "empty_content"
  | "invalid_id"
  | "invalid_value"
  | "out_of_range"
  | "invalid_format"
  | "inconsistent";

/** One defect found in a value. */
export interface ValidationIssue {
  readonly code: ValidationCode;
  readonly path: readonly PathSegment[];
  readonly message: string;
}

/** A value failed validation. `code` and `path` are those of the first issue; `issues` lists all. */
export class ValidationError extends FineMemError {
  declare readonly code: ValidationCode;
  /** The name of the validator that rejected the value, e.g. `MemoryOperation`. */
  readonly schemaName: string;
  readonly issues: readonly ValidationIssue[];

  constructor(schemaName: string, issues: readonly ValidationIssue[]) {
    const first = issues[0] ?? { code: "invalid_value" as const, path: [], message: "invalid value" };
    super(first.code, `${schemaName}: ${formatPath(first.path)}: ${first.message}`, { path: first.path });
    this.schemaName = schemaName;
    this.issues = Object.freeze([...issues]);
  }

  /**
   * The first issue as `field.path: message`, for a value that was checked as the `field` of a larger
   * one (an apply request's `namespace`, an option): the message a caller rethrows, saying once where
   * and what, without the schema's name.
   */
  messageAt(field: readonly PathSegment[]): string {
    const first = this.issues[0];
    return first === undefined
      ? `${formatPath(field)}: ${this.message}`
      : `${formatPath([...field, ...first.path])}: ${first.message}`;
  }
}

/** The outcome of {@link Validator.validate}: the parsed value, or a typed error. */
export type ValidationResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: ValidationError };

/** A runtime validator for a value that crosses a process boundary. */
export interface Validator<T> {
  /** The name of the validated type, used in error messages. */
  readonly name: string;
  /** Checks `value`; never throws for bad input. */
  validate(value: unknown): ValidationResult<T>;
  /** Checks `value`; throws {@link ValidationError} for bad input. */
  parse(value: unknown): T;
}

/**
 * A schema of the Standard Schema v1 interface (https://standardschema.dev), which zod 4, Valibot and
 * ArkType schemas implement: what {@link createValidator} accepts. Only synchronous schemas are
 * supported; a validator never waits.
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly "~standard": {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) =>
      | { readonly value: Output; readonly issues?: undefined }
      | {
          readonly issues: ReadonlyArray<{
            readonly message: string;
            readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
          }>;
        }
      | Promise<unknown>;
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  };
}

/**
 * Builds a {@link Validator} from a Standard Schema (a zod 4 schema, for one). Issues of a zod schema
 * are mapped to the specific {@link ValidationCode}s; another library's issues report `invalid_value`
 * with their message and path.
 */
export function createValidator<T>(name: string, schema: StandardSchemaV1<unknown, T>): Validator<T> {
  const standard = schema["~standard"];
  const zodSchema = isZodSchema<T>(schema) ? schema : undefined;
  const validate = (value: unknown): ValidationResult<T> => {
    if (zodSchema !== undefined) {
      // zod's own entry point: its issues carry the detail the specific codes are read from.
      const parsed = zodSchema.safeParse(value);
      if (parsed.success) return { ok: true, value: parsed.data };
      return { ok: false, error: new ValidationError(name, toIssues(parsed.error.issues, value)) };
    }
    const result = standard.validate(value);
    if (result instanceof Promise)
      throw new TypeError(`${name}: the schema is asynchronous; a validator must check synchronously`);
    if (result.issues === undefined) return { ok: true, value: result.value };
    return { ok: false, error: new ValidationError(name, result.issues.map(toForeignIssue)) };
  };
  return {
    name,
    validate,
    parse(value) {
      const result = validate(value);
      if (!result.ok) throw result.error;
      return result.value;
    },
  };
}

/** The params a refinement attaches so that its failure maps to a specific {@link ValidationCode}. */
export function issueCode(code: ValidationCode): { params: { finememCode: ValidationCode } } {
  return { params: { finememCode: code } };
}

type ZodIssue = z.core.$ZodIssue;

function isZodSchema<T>(
  schema: StandardSchemaV1<unknown, T>,
): schema is StandardSchemaV1<unknown, T> & Pick<z.ZodType<T>, "safeParse"> {
  return schema["~standard"].vendor === "zod" && typeof (schema as { safeParse?: unknown }).safeParse === "function";
}

function toForeignIssue(issue: {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}): ValidationIssue {
  const path = (issue.path ?? [])
    .map((segment) => (typeof segment === "object" && segment !== null ? segment.key : segment))
    .filter((segment): segment is PathSegment => typeof segment !== "symbol");
  return { code: "invalid_value", path, message: issue.message };
}

function toIssues(issues: readonly ZodIssue[], root: unknown): ValidationIssue[] {
  return issues.flatMap((issue) => {
    // zod reports all unknown keys of an object in one issue; name each one at its own path.
    if (issue.code !== "unrecognized_keys") return [toIssue(issue, root)];
    return issue.keys.map((key) => toIssue({ ...issue, keys: [key] }, root));
  });
}

function toIssue(issue: ZodIssue, root: unknown): ValidationIssue {
  const path = issue.path.filter((segment): segment is PathSegment => typeof segment !== "symbol");
  const at = (code: ValidationCode, message = issue.message, where = path): ValidationIssue => ({
    code,
    path: where,
    message,
  });
  // Absent values and values wrapped in an extra object are reported the same way whatever check
  // tripped (a type, an enum, a literal, a union), so callers see the defect rather than zod's mechanism.
  if (issue.code === "invalid_type" || issue.code === "invalid_value" || issue.code === "invalid_union") {
    const found = lookup(root, path);
    if (!found.present && found.keyed && path.length > 0) {
      return at(
        "wrong_type",
        "expected a value, got undefined (an optional field is left out, never set to undefined)",
      );
    }
    if (!found.present) return at("missing_field", "required field is missing");
    const expectsObject = issue.code === "invalid_type" && (issue.expected === "object" || issue.expected === "record");
    if (isPlainObject(found.value) && !expectsObject)
      return at("unexpected_nesting", "expected a plain value, got a nested object");
  }
  switch (issue.code) {
    case "invalid_type": {
      const found = lookup(root, path);
      return at("wrong_type", `expected ${issue.expected}, got ${describe(found.value)}`);
    }
    case "unrecognized_keys": {
      const key = issue.keys[0] ?? "";
      return at("unknown_field", `unknown field "${key}"`, [...path, key]);
    }
    case "invalid_union": {
      const discriminator = (issue as { discriminator?: string }).discriminator;
      if (discriminator !== undefined) {
        const found = lookup(root, path);
        const options = ((issue as { options?: unknown[] }).options ?? []).map(String);
        // The operation union is the one union discriminated by operation types; every other
        // discriminated union (message roles, result statuses) reports an unknown variant.
        const code: ValidationCode = options.includes("INSERT") ? "unknown_operation" : "unknown_variant";
        return at(
          code,
          `unknown ${discriminator} ${JSON.stringify(found.value)}; expected one of ${options.join(", ")}`,
        );
      }
      // A plain union: a wrong type when no alternative accepted the value's type at all.
      const alternatives = issue.errors.flat();
      const typeOnly =
        alternatives.length > 0 &&
        alternatives.every((inner) => inner.code === "invalid_type" && inner.path.length === 0);
      return at(typeOnly ? "wrong_type" : "invalid_value");
    }
    case "custom": {
      const code = (issue.params as { finememCode?: ValidationCode } | undefined)?.finememCode;
      return at(code ?? "invalid_value");
    }
    case "too_small":
    case "too_big":
      return at("out_of_range");
    case "invalid_format":
      return at("invalid_format");
    case "invalid_value":
    case "invalid_key":
    case "invalid_element":
    case "not_multiple_of":
      return at("invalid_value");
    default:
      return at("invalid_value");
  }
}

function lookup(root: unknown, path: readonly PathSegment[]): { present: boolean; keyed: boolean; value?: unknown } {
  let current: unknown = root;
  for (const segment of path) {
    if (current === null || typeof current !== "object" || !(segment in (current as object))) {
      return { present: false, keyed: false };
    }
    current = (current as Record<PathSegment, unknown>)[segment];
  }
  // `keyed`: the field is there, even when its value is `undefined` (an optional field must then be
  // left out instead: optional fields are exact, as their interfaces declare them).
  return { present: current !== undefined, keyed: true, value: current };
}

function isPlainObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}
