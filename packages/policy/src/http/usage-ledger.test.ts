import { describe, expect, it } from "vitest";
import { ModelConfigError, SpendingCapError } from "./errors.js";
import { createUsageLedger } from "./usage-ledger.js";

const spent = (promptTokens: number, completionTokens: number, costUsd: number) => ({
  promptTokens,
  completionTokens,
  costUsd,
  usageReported: true,
});

describe("createUsageLedger", () => {
  it("accounts per role and in total", () => {
    const ledger = createUsageLedger();
    ledger.recordAttempt("manager", false);
    ledger.recordSuccess("manager", spent(100, 20, 0.5));
    ledger.recordAttempt("reasoner", false);
    ledger.recordAttempt("reasoner", true);
    ledger.recordFailure("reasoner");
    ledger.recordAttempt("reasoner", false);
    ledger.recordSuccess("reasoner", { promptTokens: 0, completionTokens: 0, costUsd: 0, usageReported: false });

    const snapshot = ledger.snapshot();
    expect(snapshot.roles.manager).toEqual({
      calls: 1,
      failedCalls: 0,
      attempts: 1,
      retries: 0,
      promptTokens: 100,
      completionTokens: 20,
      costUsd: 0.5,
      callsWithoutUsage: 0,
    });
    expect(snapshot.roles.reasoner).toEqual({
      calls: 1,
      failedCalls: 1,
      attempts: 3,
      retries: 1,
      promptTokens: 0,
      completionTokens: 0,
      costUsd: 0,
      callsWithoutUsage: 1,
    });
    expect(snapshot.total).toEqual({
      calls: 2,
      failedCalls: 1,
      attempts: 4,
      retries: 1,
      promptTokens: 100,
      completionTokens: 20,
      costUsd: 0.5,
      callsWithoutUsage: 1,
    });
    expect(snapshot).not.toHaveProperty("spendingCapUsd");
  });

  it("counts the tokens a failed call reports, since they were billed", () => {
    const ledger = createUsageLedger();
    ledger.recordFailure("manager", spent(40, 10, 0.01));
    expect(ledger.snapshot().roles.manager).toMatchObject({
      failedCalls: 1,
      promptTokens: 40,
      completionTokens: 10,
      costUsd: 0.01,
    });
  });

  it("snapshots are copies", () => {
    const ledger = createUsageLedger();
    const before = ledger.snapshot();
    ledger.recordAttempt("x", false);
    expect(before.total.attempts).toBe(0);
    expect(before.roles).toEqual({});
  });

  it("refuses new calls once total cost reaches spendingCapUsd, naming cap, amount and role", () => {
    const ledger = createUsageLedger({ spendingCapUsd: 1 });
    ledger.recordSuccess("manager", spent(10, 10, 0.6));
    expect(() => ledger.assertCanStart("reasoner")).not.toThrow();
    ledger.recordSuccess("manager", spent(10, 10, 0.4));
    let error: unknown;
    try {
      ledger.assertCanStart("reasoner");
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SpendingCapError);
    expect(error).toMatchObject({ code: "spending_cap", cap: "spendingCapUsd", limit: 1, spent: 1, role: "reasoner" });
    expect((error as Error).message).toMatch(/\$1 spent of the \$1 spendingCapUsd.*role "reasoner"/);
    expect(ledger.snapshot()).toMatchObject({ spendingCapUsd: 1 });
  });

  it("refuses new calls once total tokens reach tokenCap", () => {
    const ledger = createUsageLedger({ tokenCap: 150 });
    ledger.recordSuccess("a", spent(100, 49, 0));
    ledger.assertCanStart("a");
    ledger.recordSuccess("b", spent(1, 0, 0));
    expect(() => ledger.assertCanStart("a")).toThrow(/150 tokens used of the 150 tokenCap/);
  });

  it("a zero cap refuses everything; an infinite cap nothing", () => {
    expect(() => createUsageLedger({ spendingCapUsd: 0 }).assertCanStart("r")).toThrow(SpendingCapError);
    const unlimited = createUsageLedger({ spendingCapUsd: Number.POSITIVE_INFINITY });
    unlimited.recordSuccess("r", spent(1, 1, 1e9));
    expect(() => unlimited.assertCanStart("r")).not.toThrow();
  });

  it.each([
    [{ spendingCapUsd: -1 }, "spendingCapUsd"],
    [{ spendingCapUsd: Number.NaN }, "spendingCapUsd"],
    [{ tokenCap: -5 }, "tokenCap"],
    [{ tokenCap: "100" as unknown as number }, "tokenCap"],
    [{ spendingCap: 1 } as never, "spendingCap"],
  ])("rejects invalid options %o with a typed error naming the option", (options, name) => {
    let error: unknown;
    try {
      createUsageLedger(options);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ModelConfigError);
    expect(error).toMatchObject({ code: "model_config", path: [name] });
    expect((error as Error).message).toContain(name);
  });
});
