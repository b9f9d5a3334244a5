import { describe, expect, it } from "vitest";
import { createO200kTokenCounter } from "./o200k-token-counter.js";

describe("createO200kTokenCounter", () => {
  it("counts o200k_base tokens (pinned against tiktoken's encoding)", () => {
    const counter = createO200kTokenCounter();
    expect(counter.encoding).toBe("o200k_base");
    expect(counter.count("")).toBe(0);
    expect(counter.count("hello world")).toBe(2);
    // Counters share one encoder and agree.
    expect(createO200kTokenCounter().count("Ada Lovelace lives in London.")).toBe(
      counter.count("Ada Lovelace lives in London."),
    );
  });
});
