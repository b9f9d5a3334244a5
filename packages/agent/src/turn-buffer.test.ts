import { describe, expect, it } from "vitest";
import { TurnBuffer } from "./turn-buffer.js";

const turn = (text: string, tokens: number) => ({ text, tokens });

describe("TurnBuffer", () => {
  it("holds an under-budget buffer back unless asked for the partial chunk", () => {
    const buffer = new TurnBuffer(10);
    buffer.add(turn("a", 3));
    buffer.add(turn("b", 4));
    expect(buffer.nextChunk(false)).toBeUndefined();
    expect(buffer.nextChunk(true)).toEqual({ count: 2, tokens: 7, text: "a\nb" });
  });

  it("closes a chunk when it reaches the budget exactly", () => {
    const buffer = new TurnBuffer(7);
    buffer.add(turn("a", 3));
    buffer.add(turn("b", 4));
    expect(buffer.nextChunk(false)).toEqual({ count: 2, tokens: 7, text: "a\nb" });
  });

  it("closes a chunk that reached the budget even when the next turn would still fit (a counter may count 0)", () => {
    const buffer = new TurnBuffer(5);
    buffer.add(turn("a", 5));
    buffer.add(turn("b", 0));
    expect(buffer.nextChunk(false)).toEqual({ count: 1, tokens: 5, text: "a" });
  });

  it("closes a chunk before a turn that does not fit, and keeps that turn for the next one", () => {
    const buffer = new TurnBuffer(10);
    buffer.add(turn("a", 6));
    buffer.add(turn("b", 6));
    expect(buffer.nextChunk(false)).toEqual({ count: 1, tokens: 6, text: "a" });
    buffer.drop(1);
    expect(buffer.texts).toEqual(["b"]);
    expect(buffer.nextChunk(false)).toBeUndefined();
  });

  it("makes a turn longer than the budget a chunk of its own", () => {
    const buffer = new TurnBuffer(5);
    buffer.add(turn("small", 2));
    buffer.add(turn("huge", 50));
    expect(buffer.nextChunk(false)).toEqual({ count: 1, tokens: 2, text: "small" });
    buffer.drop(1);
    expect(buffer.nextChunk(false)).toEqual({ count: 1, tokens: 50, text: "huge" });
    buffer.drop(1);
    expect(buffer.size).toBe(0);
    expect(buffer.nextChunk(true)).toBeUndefined();
  });
});
