import { describe, expect, it } from "vitest";
import type { LoggedOperation } from "./namespace-state.js";
import { OperationLog } from "./operation-log.js";

const entry = (operationId: string): LoggedOperation => ({
  step: 1,
  operationId,
  operation: { type: "DELETE", id: "m1" },
  result: { operationId, status: "applied", itemId: "m1", version: 2 },
});

describe("an operation log restored from a snapshot", () => {
  it("counts and appends without decoding, decodes once when read, and keeps appended entries after the restored ones", () => {
    let decoded = 0;
    const log = new OperationLog([], {
      count: 2,
      decode: () => {
        decoded += 1;
        return [entry("a"), entry("b")];
      },
    });
    log.push(entry("c"));
    expect(log.length).toBe(3);
    expect(decoded).toBe(0);
    const copy = log.copy();
    copy.push(entry("d"));
    expect([...log].map((logged) => logged.operationId)).toEqual(["a", "b", "c"]);
    expect([...log].map((logged) => logged.operationId)).toEqual(["a", "b", "c"]);
    expect(decoded).toBe(1);
    // The copy decodes on its own and has its own tail.
    expect(copy.toArray().map((logged) => logged.operationId)).toEqual(["a", "b", "c", "d"]);
    expect(decoded).toBe(2);
  });

  it("refuses entries that are not as many as the image said", () => {
    const log = new OperationLog([], { count: 3, decode: () => [entry("a")] });
    expect(log.length).toBe(3);
    expect(() => log.toArray()).toThrow(/holds 1 entries, expected 3/);
  });
});
