import { languageModelRequestValidator, ValidationError } from "@finemem/spec";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { acceptsWithoutSchema, checkRequest } from "./request-check.js";

// Values near every boundary the schema draws, plus wrong types.
const anyNumber = fc.oneof(
  fc.constantFrom(0, -0, 1, 10, 10.5, -1, 0.5, 1e-9, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, -(2 ** 53)),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
  fc.double(),
  fc.integer(),
);
const oddValue = fc.oneof(fc.constant(undefined), fc.constant(null), fc.string(), fc.boolean(), fc.constant([]));

const message = fc.oneof(
  { weight: 6, arbitrary: fc.record({ role: fc.constantFrom("system", "user", "assistant"), content: fc.string() }) },
  {
    weight: 1,
    arbitrary: fc.record(
      {
        role: fc.oneof(fc.constantFrom("system", "user", "assistant", "tool", "User", ""), oddValue),
        content: fc.oneof(fc.string(), oddValue),
        toolCalls: fc.constantFrom([], [{ id: "call-1", name: "f", arguments: "{}" }]),
        toolCallId: fc.constantFrom("call-1", "bad id"),
        extra: oddValue,
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: oddValue },
);

const sampling = fc.oneof(
  fc.record(
    {
      temperature: anyNumber,
      topP: anyNumber,
      topK: anyNumber,
      maxTokens: anyNumber,
      seed: anyNumber,
      stop: fc.constantFrom(["\n"], [""], []),
      top_k: anyNumber,
    },
    { requiredKeys: [] },
  ),
  oddValue,
);

// Requests close to the common shapes, so that many reach the fast path and its boundaries.
const nearCommon = fc.record(
  {
    messages: fc.array(message, { maxLength: 3 }),
    sampling: fc.record(
      { temperature: anyNumber, topP: anyNumber, topK: anyNumber, maxTokens: anyNumber, seed: anyNumber },
      { requiredKeys: [] },
    ),
    logprobs: fc.boolean(),
    returnTokenIds: fc.boolean(),
  },
  { requiredKeys: ["messages"] },
);

const anyRequest = fc.record(
  {
    messages: fc.oneof(
      { weight: 8, arbitrary: fc.array(message, { maxLength: 4 }) },
      { weight: 1, arbitrary: oddValue },
    ),
    sampling,
    logprobs: fc.oneof(fc.boolean(), oddValue),
    returnTokenIds: fc.oneof(fc.boolean(), oddValue),
    headers: fc.constantFrom({}, { "x-a": "b" }),
    toolChoice: fc.constantFrom("auto", { name: "f" }),
    unknown: oddValue,
  },
  { requiredKeys: [] },
);

const request = fc.oneof({ weight: 3, arbitrary: nearCommon }, { weight: 1, arbitrary: anyRequest });

describe("checkRequest", () => {
  it("accepts without the schema only what the schema accepts, unchanged (oracle: the spec's validator)", () => {
    let acceptedFast = 0;
    fc.assert(
      fc.property(request, (candidate) => {
        if (!acceptsWithoutSchema(candidate)) return;
        acceptedFast++;
        const checked = languageModelRequestValidator.validate(candidate);
        expect(checked.ok).toBe(true);
        // toEqual, not toStrictEqual: fast-check builds some records without a prototype, the schema
        // returns object literals; the fields must match.
        if (checked.ok) expect(checked.value).toEqual(candidate);
      }),
      { numRuns: 5000, seed: 26 },
    );
    // The generator must reach the fast path often enough for the property to mean something.
    expect(acceptedFast).toBeGreaterThan(200);
  });

  it("takes the common shapes without the schema", () => {
    expect(acceptsWithoutSchema({ messages: [{ role: "user", content: "Where does Maya live?" }] })).toBe(true);
    expect(
      acceptsWithoutSchema({
        messages: [
          { role: "system", content: "" },
          { role: "user", content: "q" },
          { role: "assistant", content: "a" },
        ],
        sampling: { temperature: 0, topP: 1, topK: 20, maxTokens: 512, seed: -3 },
        logprobs: true,
        returnTokenIds: false,
      }),
    ).toBe(true);
  });

  it("leaves every other shape to the schema", () => {
    const user = { role: "user", content: "q" };
    const others: unknown[] = [
      {},
      { messages: [] },
      { messages: [user], sampling: { stop: ["\n"] } },
      { messages: [user], sampling: { temperature: 10.01 } },
      { messages: [user], sampling: { topP: 0 } },
      { messages: [user], sampling: { maxTokens: 2 ** 53 } },
      { messages: [user], logprobs: undefined },
      { messages: [user], headers: { "x-a": "b" } },
      { messages: [{ role: "tool", toolCallId: "c1", content: "r" }] },
      { messages: [{ role: "assistant", content: "", toolCalls: [] }] },
      { messages: [Object.assign(Object.create({ inherited: 1 }), user)] },
      new (class Request {
        messages = [user];
      })(),
    ];
    for (const other of others) expect(acceptsWithoutSchema(other)).toBe(false);
  });

  it("returns the request itself on the fast path and the schema's typed error otherwise", () => {
    const simple = { messages: [{ role: "user" as const, content: "q" }] };
    expect(checkRequest(simple)).toBe(simple);
    const withStop = { messages: [{ role: "user" as const, content: "q" }], sampling: { stop: ["\n"] } };
    expect(checkRequest(withStop)).toStrictEqual(withStop);
    expect(() => checkRequest({ messages: [] })).toThrow(ValidationError);
  });
});
