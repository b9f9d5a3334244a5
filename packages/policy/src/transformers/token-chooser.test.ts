import { createSeededRandom } from "@finemem/utils";
import { describe, expect, it } from "vitest";
import { chooseToken } from "./token-chooser.js";

const logits = Float32Array.from([1, 3, 3, 0.5, -2]);

describe("chooseToken", () => {
  it("greedy takes the first maximum, with its log-probability under the model's softmax", () => {
    const choice = chooseToken(logits, { temperature: 0 }, createSeededRandom(1));
    expect(choice.token).toBe(1);
    const normaliser = Math.log([...logits].reduce((sum, value) => sum + Math.exp(value), 0));
    expect(choice.logprob).toBeCloseTo(3 - normaliser, 6);
  });

  it("sampling follows softmax(logits / T): frequencies match the probabilities, and a seed repeats a draw", () => {
    const counts = new Array(5).fill(0);
    const random = createSeededRandom("draws");
    for (let i = 0; i < 20_000; i++) counts[chooseToken(logits, { temperature: 1 }, random).token]++;
    const exp = [...logits].map(Math.exp);
    const total = exp.reduce((sum, value) => sum + value, 0);
    exp.forEach((value, index) => {
      expect(Math.abs(counts[index] / 20_000 - value / total)).toBeLessThan(0.015);
    });
    expect(chooseToken(logits, { temperature: 1 }, createSeededRandom(9))).toEqual(
      chooseToken(logits, { temperature: 1 }, createSeededRandom(9)),
    );
  });

  it("top-k and top-p keep only the most likely tokens and renormalise", () => {
    const random = createSeededRandom(3);
    for (let i = 0; i < 500; i++)
      expect([1, 2]).toContain(chooseToken(logits, { temperature: 1, topK: 2 }, random).token);
    const choice = chooseToken(logits, { temperature: 1, topK: 2 }, createSeededRandom(4));
    expect(choice.logprob).toBeCloseTo(Math.log(0.5), 6);
    // The two tied leaders hold ~0.78 of the mass: p = 0.5 keeps just the first.
    for (let i = 0; i < 200; i++) expect(chooseToken(logits, { temperature: 1, topP: 0.3 }, random).token).toBe(1);
  });
});
