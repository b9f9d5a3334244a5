import type { MemoryView } from "@finemem/spec";
import { describe, expect, it } from "vitest";
import { createBaseline } from "./baselines.js";
import { createInsertEveryFactPolicy } from "./insert-every-fact-policy.js";

const flatView: MemoryView = {
  namespace: {},
  layout: "flat",
  step: 1,
  items: [{ id: "m1", content: "Ada lives in Paris.", version: 1, createdStep: 1, step: 1, operationId: "s1-1" }],
};
const typedView: MemoryView = { namespace: {}, layout: "typed", step: 0, items: [] };

describe("insert-every-fact baseline", () => {
  it("inserts every sentence, trimmed, even one that restates or changes a stored fact", async () => {
    const policy = createInsertEveryFactPolicy();
    const decision = await policy.decide({
      step: 2,
      chunk: { id: "c2", text: "  Ada lives in Paris.  Ada moved to Rome! Is Bob 39?\nBob plays chess" },
      view: flatView,
    });
    // Four sentences by hand: the terminators end three, the end of the text the fourth. The first
    // repeats m1 word for word and the second changes it; neither is an UPDATE: that is the baseline.
    expect(decision.operations).toEqual([
      { type: "INSERT", content: "Ada lives in Paris." },
      { type: "INSERT", content: "Ada moved to Rome!" },
      { type: "INSERT", content: "Is Bob 39?" },
      { type: "INSERT", content: "Bob plays chess" },
    ]);
    expect(decision.parseOutcomes.map((outcome) => outcome.status)).toEqual(["parsed", "parsed", "parsed", "parsed"]);
    expect(decision.actionLogprob).toBeNull();
    expect(decision.rawOutput.split("\n")[1]).toBe('{"type":"INSERT","content":"Ada moved to Rome!"}');
  });

  it("writes semantic items in the typed layout", async () => {
    const policy = createInsertEveryFactPolicy({ layout: "typed" });
    expect(policy.layout).toBe("typed");
    const decision = await policy.decide({ step: 1, chunk: { id: "c1", text: "One. Two." }, view: typedView });
    expect(decision.operations).toEqual([
      { type: "INSERT", content: "One.", memoryType: "semantic" },
      { type: "INSERT", content: "Two.", memoryType: "semantic" },
    ]);
  });

  it("skips a chunk without a sentence", async () => {
    const policy = createInsertEveryFactPolicy();
    const decision = await policy.decide({ step: 1, chunk: { id: "c1", text: " \n\t " }, view: flatView });
    expect(decision.operations).toEqual([{ type: "SKIP" }]);
  });

  it("is the insert-every-fact baseline, read with the default reader's top k", () => {
    const baseline = createBaseline("insert-every-fact");
    expect(baseline.policy.policyId).toBe("insert-every-fact");
    expect(baseline.readerTopK).toBeUndefined();
  });

  it("rejects once the signal has fired", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      createInsertEveryFactPolicy().decide(
        { step: 1, chunk: { id: "c1", text: "x." }, view: flatView },
        {
          signal: controller.signal,
        },
      ),
    ).rejects.toMatchObject({ code: "aborted" });
  });
});
