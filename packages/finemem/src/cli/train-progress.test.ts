import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import type { EvaluationLine, UpdateLine } from "../train/train-files.js";
import { createTrainProgressPrinter } from "./train-progress.js";

function update(update: number, meanReward: number, rolloutsPerSecond: number): UpdateLine {
  return {
    update,
    instances: ["i"],
    rollouts: 4,
    samples: 40,
    meanReward,
    loss: 0.1,
    klDivergence: null,
    metrics: {},
    rewards: { format: 1, chunk: 1, evidence: 0.5, eara: 0.5, compression: null, content: null, total: meanReward },
    wallSeconds: 1,
    rolloutsPerSecond,
  };
}
const evaluation = (at: number, score: number): EvaluationLine => ({
  update: at,
  policyId: "learned",
  score,
  dataSources: { synthetic: score },
  memoryTokens: 120,
  episodes: 2,
  questions: 20,
});

function captured(isTTY: boolean) {
  const stream = Object.assign(new PassThrough(), { isTTY });
  let text = "";
  stream.on("data", (data) => (text += String(data)));
  return { stream, text: () => text };
}

describe("createTrainProgressPrinter", () => {
  it("shows update k of n, rollouts per second, the ETA from this process's pace, the mean reward and the last held-out score", () => {
    let now = 0;
    const out = captured(false);
    const printer = createTrainProgressPrinter({ stream: out.stream, now: () => now, intervalMs: 10_000 });
    // Resumed after update 10 of 30: 5 updates in 10 s here → 2 s each, 15 left → 30 s.
    printer.onStart?.({ from: 10, updates: 30 });
    printer.onEvaluation?.(evaluation(10, 0.75));
    now = 10_000;
    printer.onUpdate?.(update(15, 1.2345, 2.5));
    expect(printer.line()).toBe(
      "train: update 15 of 30 · 2.5 rollouts/s · ETA 00:30 · mean reward 1.234 · held-out 0.750 (update 10)",
    );
    expect(out.text()).toContain("train: resuming after update 10");
    expect(out.text()).toContain("held-out after update 10: 0.750 (120 memory tokens)");
  });

  it("off a terminal, prints a plain line at most every interval, and the last update always", () => {
    let now = 0;
    const out = captured(false);
    const printer = createTrainProgressPrinter({ stream: out.stream, now: () => now, intervalMs: 1_000 });
    printer.onStart?.({ from: 0, updates: 3 });
    const lines = () =>
      out
        .text()
        .split("\n")
        .filter((line) => line.startsWith("train: update")).length;
    expect(lines()).toBe(1);
    now = 500;
    printer.onUpdate?.(update(1, 1, 1));
    expect(lines()).toBe(1);
    now = 1_600;
    printer.onUpdate?.(update(2, 1, 1));
    expect(lines()).toBe(2);
    now = 1_700;
    printer.onUpdate?.(update(3, 1, 1));
    expect(lines()).toBe(3);
    printer.finish();
    expect(out.text().endsWith("\n")).toBe(true);
  });

  it("on a terminal, redraws one line in place and keeps messages on lines of their own", () => {
    const out = captured(true);
    const printer = createTrainProgressPrinter({ stream: out.stream, now: () => 0 });
    printer.onStart?.({ from: 0, updates: 2 });
    printer.onUpdate?.(update(1, 1, 1));
    printer.onBaseline?.({ ...evaluation(0, 0.9), name: "heuristic" });
    printer.finish();
    expect(out.text()).toContain("\r\x1b[Ktrain: update 1 of 2");
    expect(out.text()).toContain("\r\x1b[Kheld-out heuristic: 0.900 (120 memory tokens)\n");
    expect(out.text().endsWith("\n")).toBe(true);
  });

  it("draws nothing with no stream", () => {
    const printer = createTrainProgressPrinter({ stream: null });
    printer.onStart?.({ from: 0, updates: 1 });
    printer.onUpdate?.(update(1, 1, 1));
    printer.finish();
    expect(printer.line()).toContain("update 1 of 1");
  });
});
