import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createValidator, type StandardSchemaV1, ValidationError } from "./validation.js";

type IssuePath = readonly (PropertyKey | { readonly key: PropertyKey })[] | undefined;

/** A Standard Schema from no library: a positive integer, its failures at a fixed path. */
function positiveInteger(path: IssuePath): StandardSchemaV1<unknown, number> {
  return {
    "~standard": {
      version: 1,
      vendor: "hand-written",
      validate: (value) =>
        Number.isInteger(value) && (value as number) > 0
          ? { value: value as number }
          : { issues: [{ message: "expected a positive integer", path }] },
    },
  };
}

describe("createValidator", () => {
  it("maps a zod schema's issues to the specific codes", () => {
    const validator = createValidator("Pair", z.strictObject({ left: z.string(), right: z.number() }));
    expect(validator.validate({ left: "a", right: 1 })).toEqual({ ok: true, value: { left: "a", right: 1 } });
    const result = validator.validate({ left: 1, extra: true });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBeInstanceOf(ValidationError);
    expect(result.error.schemaName).toBe("Pair");
    expect(result.error.issues.map((issue) => [issue.code, issue.path])).toEqual([
      ["wrong_type", ["left"]],
      ["missing_field", ["right"]],
      ["unknown_field", ["extra"]],
    ]);
  });

  it("takes another library's schema: its issues are invalid_value with their message and path", () => {
    const validator = createValidator("Count", positiveInteger(["count", { key: 2 }]));
    expect(validator.parse(3)).toBe(3);
    const result = validator.validate(-1);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.issues).toEqual([
      { code: "invalid_value", path: ["count", 2], message: "expected a positive integer" },
    ]);
    expect(result.error.message).toBe("Count: count[2]: expected a positive integer");
    expect(() => validator.parse(0)).toThrow(ValidationError);
  });

  it("reports another library's issue without a path at the root, dropping symbol keys", () => {
    expect(createValidator("Count", positiveInteger(undefined)).validate("x")).toMatchObject({
      ok: false,
      error: { path: [], code: "invalid_value" },
    });
    expect(createValidator("Count", positiveInteger([Symbol("hidden"), "n"])).validate("x")).toMatchObject({
      ok: false,
      error: { path: ["n"] },
    });
  });

  it("refuses an asynchronous schema instead of waiting", () => {
    const asynchronous: StandardSchemaV1<unknown, number> = {
      "~standard": { version: 1, vendor: "hand-written", validate: async (value) => ({ value: value as number }) },
    };
    expect(() => createValidator("Later", asynchronous).validate(1)).toThrow(/Later: the schema is asynchronous/);
  });
});

describe("ValidationError.messageAt", () => {
  it("says the first issue once, under the field the value was checked as", () => {
    const error = new ValidationError("Namespace", [
      { code: "invalid_id", path: ["user"], message: "a namespace id must be non-empty" },
      { code: "invalid_id", path: ["run"], message: "second issue" },
    ]);
    expect(error.message).toBe("Namespace: user: a namespace id must be non-empty");
    expect(error.messageAt(["namespace"])).toBe("namespace.user: a namespace id must be non-empty");
    expect(error.messageAt([])).toBe("user: a namespace id must be non-empty");
  });
});
