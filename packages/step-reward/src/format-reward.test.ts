import type { MemoryOperation, OperationResult, ParseOutcome } from "@finemem/spec";
import { rejection } from "@finemem/testing";
import { describe, expect, it } from "vitest";
import { formatReward } from "./format-reward.js";
import { StepRewardError } from "./step-reward-error.js";

const applied = (operationId: string): OperationResult => ({
  operationId,
  status: "applied",
  itemId: "m1",
  version: 1,
});
const duplicate = (operationId: string): OperationResult => ({
  operationId,
  status: "rejected",
  reason: "duplicate_insert",
  message: "same content",
});
const parsed = (fragment: number, operationIndex: number): ParseOutcome => ({
  fragment,
  status: "parsed",
  operationIndex,
  repairs: [],
});
const failed = (fragment: number): ParseOutcome => ({
  fragment,
  status: "failed",
  reason: "malformed_json",
  message: "bad",
});

const insert: MemoryOperation = { type: "INSERT", content: "a fact" };
const skip: MemoryOperation = { type: "SKIP" };

describe("the format reward", () => {
  it("is the share of calls that parsed, validated and executed", () => {
    const reward = formatReward(
      {
        operations: [insert, insert, skip],
        parseOutcomes: [
          parsed(0, 0),
          failed(1),
          { fragment: 2, status: "repaired", operationIndex: 1, repairs: ["trailing_comma"] },
          parsed(3, 2),
        ],
      },
      [applied("a"), duplicate("b"), applied("c")],
    );
    // 4 calls: one parse failure, one exact-duplicate INSERT (unsuccessful, as in Mem-α), two successes.
    expect(reward).toEqual({
      score: 0.5,
      calls: 4,
      succeeded: 2,
      parseFailures: 1,
      rejected: { duplicate_insert: 1 },
      skipsNotCounted: 0,
      internalErrors: 0,
    });
  });

  it("scores a step with no call 0, and a failed-only reply 0", () => {
    expect(formatReward({ operations: [], parseOutcomes: [] }, []).score).toBe(0);
    expect(formatReward({ operations: [], parseOutcomes: [failed(0)] }, []).score).toBe(0);
  });

  it("leaves internal parser errors out: neither for nor against the policy", () => {
    const internal: ParseOutcome = { fragment: 1, status: "internal_error", message: "internal parser error: bug" };
    // 2 calls counted (the internal error is not one): one applied, one parse failure → 1/2.
    const mixed = formatReward({ operations: [insert], parseOutcomes: [parsed(0, 0), internal, failed(2)] }, [
      applied("a"),
    ]);
    expect(mixed).toMatchObject({ score: 0.5, calls: 2, succeeded: 1, parseFailures: 1, internalErrors: 1 });
    // Only an internal error: no call to judge, so no score (not 0, which would charge the policy).
    const only = formatReward({ operations: [], parseOutcomes: [{ ...internal, fragment: 0 }] }, []);
    expect(only).toMatchObject({ score: null, calls: 0, internalErrors: 1 });
  });

  it("counts an explicit SKIP as a success unless configured otherwise", () => {
    const decision = { operations: [skip], parseOutcomes: [parsed(0, 0)] };
    expect(formatReward(decision, [{ operationId: "s", status: "applied", itemId: null, version: null }]).score).toBe(
      1,
    );
    const strict = formatReward(decision, [{ operationId: "s", status: "applied", itemId: null, version: null }], {
      skipSucceeds: false,
    });
    expect(strict).toMatchObject({ score: 0, skipsNotCounted: 1 });
  });

  it("counts each operation as a call when a policy reports no parse outcomes", () => {
    expect(
      formatReward({ operations: [insert, insert], parseOutcomes: [] }, [applied("a"), duplicate("b")]).score,
    ).toBe(0.5);
  });

  it("under skipSucceeds: false still counts every other applied operation", () => {
    // INSERT applied, SKIP applied, INSERT applied: 2 successes of 3 calls, the SKIP set aside.
    const reward = formatReward(
      { operations: [insert, skip, insert], parseOutcomes: [parsed(0, 0), parsed(1, 1), parsed(2, 2)] },
      [applied("a"), { operationId: "s", status: "applied", itemId: null, version: null }, applied("c")],
      { skipSucceeds: false },
    );
    expect(reward).toEqual({
      score: 2 / 3,
      calls: 3,
      succeeded: 2,
      parseFailures: 0,
      rejected: {},
      skipsNotCounted: 1,
      internalErrors: 0,
    });
  });

  it("refuses results that do not line up with the operations", async () => {
    const short = await rejection(() => formatReward({ operations: [insert], parseOutcomes: [parsed(0, 0)] }, []));
    expect(short).toBeInstanceOf(StepRewardError);
    expect(short).toMatchObject({
      code: "inconsistent_results",
      path: ["results"],
      message: "one result per operation: 1 operations, 0 results",
    });
    // More results than operations is as wrong as fewer, even with nothing pointing past them.
    const extra = await rejection(() => formatReward({ operations: [], parseOutcomes: [] }, [applied("a")]));
    expect(extra).toMatchObject({ code: "inconsistent_results", path: ["results"] });
    const past = await rejection(() =>
      formatReward({ operations: [insert], parseOutcomes: [failed(0), parsed(1, 3)] }, [applied("a")]),
    );
    expect(past).toBeInstanceOf(StepRewardError);
    expect(past).toMatchObject({ code: "inconsistent_results", path: ["parseOutcomes", 1, "operationIndex"] });
    expect((past as Error).message).toContain("parse outcome 1 points at operation 3, past the 1 results");
  });
});
