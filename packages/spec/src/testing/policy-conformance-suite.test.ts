import { describe, expect, it } from "vitest";
import { z } from "zod";
import { SPECIFICATION_VERSION } from "../call-options.js";
import { throwIfAborted } from "../errors.js";
import type { JsonValue } from "../json.js";
import type { MemoryLayout } from "../memory.js";
import type { MemoryOperation } from "../operation.js";
import { type MemoryPolicy, type PolicyDecision, type PolicyInput, policyInputValidator } from "../policy.js";
import { createValidator } from "../validation.js";
import { PolicyConformanceFailure } from "./policy-conformance-failure.js";
import { createSuiteRandom, FUZZ_CHUNKS, generateInputs } from "./policy-conformance-inputs.js";
import { memoryPolicyConformance, type PolicyConformanceOptions } from "./policy-conformance-suite.js";
import { createScriptedPolicy } from "./scripted-policy.js";

/** Runs every case; returns the failures by `<group>: <name>`. */
async function failuresOf(options: PolicyConformanceOptions): Promise<Map<string, unknown>> {
  const failures = new Map<string, unknown>();
  for (const conformanceCase of memoryPolicyConformance(options)) {
    try {
      await conformanceCase.run();
    } catch (error) {
      failures.set(`${conformanceCase.group}: ${conformanceCase.name}`, error);
    }
  }
  return failures;
}

/** A good scripted policy: INSERT the chunk, UPDATE the view's first item with its own memory type. */
function goodScripted(layout: MemoryLayout): MemoryPolicy {
  return createScriptedPolicy(
    (input) => {
      const first = input.view.items[0];
      const memoryType = layout === "typed" ? { memoryType: "semantic" as const } : {};
      const operations: MemoryOperation[] = [{ type: "INSERT", content: input.chunk.text.trim(), ...memoryType }];
      if (first !== undefined)
        operations.push({
          type: "UPDATE",
          id: first.id,
          content: `${first.content} (restated)`,
          ...(first.memoryType === undefined ? {} : { memoryType: first.memoryType }),
        });
      return operations;
    },
    { layout },
  );
}

const replayValidator = createValidator<JsonValue>(
  "CoinReplay",
  z.strictObject({ draws: z.array(z.number().min(0).max(1)) }),
);

/**
 * A decision policy that samples: per sentence, INSERT with probability 0.75 or skip it, drawn from
 * a stream seeded by the policy's seed and the chunk id (so one seed reproduces). `breakWith` makes
 * it misbehave in one named way.
 */
function coinPolicy(
  seed: string,
  breakWith?: "unsummed" | "unseeded" | "emoji" | "abort" | "unknown-id" | "flat-memory-type" | "bad-replay",
): MemoryPolicy {
  return {
    specificationVersion: SPECIFICATION_VERSION,
    policyId: "coin",
    layout: "flat",
    replayValidator,
    async decide(input: PolicyInput, options): Promise<PolicyDecision> {
      if (breakWith !== "abort") throwIfAborted(options?.signal);
      if (breakWith === "emoji" && /\p{Extended_Pictographic}/u.test(input.chunk.text))
        throw new Error("cannot read emoji");
      const random = createSuiteRandom(`${seed}/${input.chunk.id}`);
      const draws: number[] = [];
      const decisionLogprobs: number[] = [];
      const operations: MemoryOperation[] = [];
      for (const sentence of input.chunk.text.split(/(?<=[.!?])\s+/)) {
        if (sentence.trim().length === 0) continue;
        const draw = breakWith === "unseeded" ? Math.random() : random.next();
        draws.push(draw);
        decisionLogprobs.push(Math.log(draw < 0.75 ? 0.75 : 0.25));
        if (draw < 0.75)
          operations.push({
            type: "INSERT",
            content: sentence.trim(),
            ...(breakWith === "flat-memory-type" ? { memoryType: "semantic" as const } : {}),
          });
      }
      if (breakWith === "unknown-id") operations.push({ type: "DELETE", id: "m999" });
      const final = operations.length === 0 ? [{ type: "SKIP" as const }] : operations;
      const sum = decisionLogprobs.reduce((total, value) => total + value, 0);
      return {
        operations: final,
        parseOutcomes: final.map((_, index) => ({
          fragment: index,
          status: "parsed" as const,
          operationIndex: index,
          repairs: [],
        })),
        rawOutput: JSON.stringify(final),
        actionLogprob: {
          value: breakWith === "unsummed" ? sum - 0.5 : sum,
          source: "decisions",
          count: decisionLogprobs.length,
        },
        ...(input.training === true
          ? { replay: breakWith === "bad-replay" ? { draws: [2] } : { draws }, decisionLogprobs }
          : {}),
      };
    },
  };
}

describe("the policy conformance suite's inputs", () => {
  it("are valid policy inputs, the same for one seed and different for another", () => {
    const inputs = generateInputs("s", "typed", 12, 12, (index) => index === 0);
    for (const input of inputs) expect(policyInputValidator.validate(input).ok).toBe(true);
    // First an empty memory, last the largest view, and only the first input is a training step.
    expect(inputs[0]!.view.items).toEqual([]);
    expect(inputs[11]!.view.items).toHaveLength(12);
    expect(inputs.map((input) => input.training === true)).toEqual([true, ...Array(11).fill(false)]);
    expect(generateInputs("s", "typed", 12, 12, () => false).map((input) => input.chunk.text)).toEqual(
      inputs.map((input) => input.chunk.text),
    );
    expect(generateInputs("t", "typed", 12, 12, () => false)[1]!.chunk.text).not.toBe(inputs[1]!.chunk.text);
  });

  it("draw numbers in [0, 1) from a stream fixed by the seed", () => {
    const first = createSuiteRandom("a");
    const again = createSuiteRandom("a");
    const draws = Array.from({ length: 1000 }, () => first.next());
    expect(draws.every((draw) => draw >= 0 && draw < 1)).toBe(true);
    expect(Array.from({ length: 1000 }, () => again.next())).toEqual(draws);
    expect(createSuiteRandom("b").next()).not.toBe(draws[0]);
    expect(createSuiteRandom("a").below(1)).toBe(0);
  });

  it("list each awkward chunk once, every one of them non-empty text", () => {
    const view = generateInputs("s", "flat", 2, 3, () => false)[1]!.view;
    expect(new Set(FUZZ_CHUNKS.map((fuzz) => fuzz.label)).size).toBe(FUZZ_CHUNKS.length);
    for (const fuzz of FUZZ_CHUNKS) expect(fuzz.text(view).trim().length).toBeGreaterThan(0);
  });
});

describe("memoryPolicyConformance", () => {
  it("passes a good scripted policy in both layouts, within the time budget", async () => {
    for (const layout of ["flat", "typed"] as const) {
      const started = performance.now();
      const failures = await failuresOf({
        name: `scripted ${layout}`,
        createPolicy: () => goodScripted(layout),
        deterministic: true,
      });
      expect([...failures.values()]).toEqual([]);
      expect(performance.now() - started).toBeLessThan(2000);
    }
  });

  it("passes a seeded decision policy whose log-probabilities and replays are right", async () => {
    const cases = memoryPolicyConformance({
      name: "coin",
      createPolicy: (seed) => coinPolicy(seed),
      deterministic: true,
      actionLogprobs: "decisions",
    });
    expect(cases.map((conformanceCase) => conformanceCase.group)).toEqual([
      "operations",
      "fuzz",
      "seeding",
      "seeding",
      "logprobs",
      "abort",
    ]);
    expect([...(await failuresOf({ name: "coin", createPolicy: (seed) => coinPolicy(seed) })).values()]).toEqual([]);
  });

  it.each([
    ["unknown-id", "operations: every decision is valid", /DELETE.*names m999, which the view does not hold/],
    [
      "flat-memory-type",
      "operations: every decision is valid",
      /has memoryType semantic, but the policy's layout is flat/,
    ],
    ["unsummed", "logprobs: action log-probabilities", /is not min\(0, Σ decisionLogprobs\)/],
    ["unseeded", "seeding: two policies created with one seed", /decided differently \(unseeded randomness\?\)/],
    [
      "emoji",
      "fuzz: awkward chunks never throw",
      /the emoji chunk with a view of 0 items: the policy threw: Error: cannot read emoji/,
    ],
    ["abort", "abort: an aborted signal rejects", /expected a rejection with code "aborted".*but the call resolved/],
    ["bad-replay", "logprobs: action log-probabilities", /replayValidator refuses its own replay/],
  ] as const)("fails a policy broken with %s, naming the check", async (breakWith, check, message) => {
    const failures = await failuresOf({ name: "coin", createPolicy: (seed) => coinPolicy(seed, breakWith) });
    const failed = [...failures.keys()];
    // The broken promise fails its own check; "unknown-id" breaks every check that validates decisions.
    expect(failed.some((name) => name.startsWith(check))).toBe(true);
    const failure = failures.get(failed.find((name) => name.startsWith(check))!);
    expect(failure).toBeInstanceOf(PolicyConformanceFailure);
    expect(failure).toMatchObject({ code: "conformance_failure" });
    const text = (failure as Error).message;
    expect(text.startsWith(`policy "coin", ${check}`)).toBe(true);
    expect(text).toMatch(message);
  });

  it("fails a policy that asked twice answers differently only when it says it is deterministic", async () => {
    let calls = 0;
    const drifting = (): MemoryPolicy =>
      createScriptedPolicy(() => [{ type: "INSERT", content: `note ${calls++}` }], { policyId: "drifting" });
    // Two fresh policies share nothing but the counter above, so they too disagree.
    const failures = await failuresOf({ name: "drifting", createPolicy: drifting, deterministic: true });
    expect([...failures.keys()].filter((name) => name.startsWith("seeding"))).toEqual([
      "seeding: two policies created with one seed decide alike with training: true",
      "seeding: one deterministic policy asked the same inputs twice decides alike",
    ]);
    expect(
      (failures.get("seeding: one deterministic policy asked the same inputs twice decides alike") as Error).message,
    ).toMatch(/answered the same input differently the second time/);
  });

  it("requires the log-probability source the caller names, and frees every policy it made", async () => {
    let created = 0;
    let disposed = 0;
    const failures = await failuresOf({
      name: "scripted",
      createPolicy: () => {
        created++;
        return goodScripted("flat");
      },
      disposePolicy: () => {
        disposed++;
      },
      actionLogprobs: "tokens",
    });
    expect([...failures.keys()]).toEqual([
      "logprobs: action log-probabilities are the sum of their parts, and training decisions carry a replay the policy accepts",
    ]);
    expect((failures.values().next().value as Error).message).toMatch(/expected an actionLogprob from tokens/);
    // One policy per check, two for the seeding check: 5 checks, 6 policies.
    expect(created).toBe(6);
    expect(disposed).toBe(6);
  });
});
