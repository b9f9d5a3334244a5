import { policyDecisionValidator } from "@finemem/spec";
import { describe, expect, it } from "vitest";
import { deterministicDecision } from "./deterministic-decision.js";

describe("deterministicDecision", () => {
  const operations = [
    { type: "UPDATE" as const, id: "m3", content: "Ada lives in Turin." },
    { type: "INSERT" as const, content: 'Bo said "hi".' },
  ];

  it("gives each operation a parsed outcome and the operations as JSON lines, and passes the decision validator", () => {
    const decision = deterministicDecision(operations);
    expect(decision.parseOutcomes).toEqual([
      { fragment: 0, status: "parsed", operationIndex: 0, repairs: [] },
      { fragment: 1, status: "parsed", operationIndex: 1, repairs: [] },
    ]);
    expect(decision.rawOutput).toBe(
      '{"type":"UPDATE","id":"m3","content":"Ada lives in Turin."}\n{"type":"INSERT","content":"Bo said \\"hi\\"."}',
    );
    expect(decision.actionLogprob).toBeNull();
    expect(policyDecisionValidator.validate(decision).ok).toBe(true);
  });

  it("keeps no copy of the operations' text: the raw output is built on read, and outcomes share one frozen empty repair list", () => {
    const decision = deterministicDecision(operations);
    const descriptor = Object.getOwnPropertyDescriptor(decision, "rawOutput");
    expect(descriptor?.get).toBeTypeOf("function");
    expect(descriptor).not.toHaveProperty("value");
    const [first, second] = decision.parseOutcomes.map((outcome) =>
      "repairs" in outcome ? outcome.repairs : undefined,
    );
    expect(first).toBe(second);
    expect(Object.isFrozen(first)).toBe(true);
    // Frozen, so a store logs them as given instead of copying them.
    expect(decision.operations.every((operation) => Object.isFrozen(operation))).toBe(true);
    // What the journal and the run log write: a plain string field, as before.
    expect(JSON.parse(JSON.stringify(decision)).rawOutput).toBe(decision.rawOutput);
    expect({ ...decision }.rawOutput).toBe(decision.rawOutput);
  });
});
