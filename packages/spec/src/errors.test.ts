import { describe, expect, it } from "vitest";
import { AbortedError, FineMemError, formatPath, isFineMemError, throwIfAborted } from "./errors.js";

describe("FineMemError", () => {
  it("carries code, path and cause, and names the subclass", () => {
    class StoreClosedError extends FineMemError {
      constructor(cause: unknown) {
        super("store_closed", "store is closed", { path: ["items", 2], cause });
      }
    }
    const cause = new Error("socket hang up");
    const error = new StoreClosedError(cause);
    expect(error).toBeInstanceOf(FineMemError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("StoreClosedError");
    expect(error.code).toBe("store_closed");
    expect(error.path).toEqual(["items", 2]);
    expect(error.cause).toBe(cause);
    expect(Object.isFrozen(error.path)).toBe(true);
  });

  it("is recognised across copies of the package by its registered brand", () => {
    const foreign = Object.assign(new Error("x"), { [Symbol.for("@finemem/spec/error")]: true });
    expect(isFineMemError(foreign)).toBe(true);
    expect(isFineMemError(new Error("plain"))).toBe(false);
    expect(isFineMemError(null)).toBe(false);
    expect(isFineMemError(new AbortedError())).toBe(true);
  });

  it("formats paths", () => {
    expect(formatPath([])).toBe("(root)");
    expect(formatPath(["items", 0, "content"])).toBe("items[0].content");
    expect(formatPath([3, "id"])).toBe("(root)[3].id");
  });
});

describe("throwIfAborted", () => {
  it("throws AbortedError carrying the abort reason once the signal fires", () => {
    const controller = new AbortController();
    expect(() => throwIfAborted(controller.signal)).not.toThrow();
    expect(() => throwIfAborted(undefined)).not.toThrow();
    controller.abort("user cancelled");
    let caught: unknown;
    try {
      throwIfAborted(controller.signal);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AbortedError);
    expect((caught as AbortedError).code).toBe("aborted");
    expect((caught as AbortedError).cause).toBe("user cancelled");
  });
});
