import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createProgressReporter, formatDuration, formatTokens } from "./progress-reporter.js";

function sink(isTTY: boolean) {
  const writes: string[] = [];
  const stream = Object.assign(
    new Writable({
      write(chunk, _encoding, callback) {
        writes.push(String(chunk));
        callback();
      },
    }),
    { isTTY },
  );
  return { stream, writes };
}

describe("createProgressReporter", () => {
  it("shows done/total, ETA from this process's own rate, resumed work, tokens and cost", () => {
    let now = 0;
    const { stream } = sink(false);
    const progress = createProgressReporter({
      label: "eval",
      total: 10,
      stream,
      now: () => now,
      usage: () => ({ tokens: 12_345, costUsd: 0.0421 }),
    });
    progress.skip(4);
    now = 2_000;
    progress.advance(2);
    // 2 units in 2 s, 4 left: 4 s.
    expect(progress.line()).toBe(
      "eval [##############----------] 6/10  60%  elapsed 00:02  ETA 00:04  resumed 4  tokens 12.3k  cost $0.0421",
    );
  });

  it("marks a total still growing with + and its ETA as a lower bound, until the total is complete", () => {
    let now = 0;
    const progress = createProgressReporter({ label: "eval", total: 0, stream: null, now: () => now });
    progress.setTotal(8, false);
    now = 1_000;
    progress.advance(2);
    // 2 units in 1 s, 6 known left: at least 3 s.
    expect(progress.line()).toBe("eval [######------------------] 2/8+  25%  elapsed 00:01  ETA ≥ 00:03");
    progress.setTotal(10, true);
    expect(progress.line()).toBe("eval [#####-------------------] 2/10  20%  elapsed 00:01  ETA 00:04");
  });

  it("shows the caller's segments after the ETA, leaving out empty ones", () => {
    let segments: string[] = [];
    const progress = createProgressReporter({
      label: "eval",
      total: 4,
      stream: null,
      now: () => 0,
      segments: () => segments,
    });
    expect(progress.line()).toBe("eval [------------------------] 0/4  0%  elapsed 00:00  ETA --:--");
    segments = ["", "instances 1/16+"];
    expect(progress.line()).toBe("eval [------------------------] 0/4  0%  elapsed 00:00  ETA --:--  instances 1/16+");
  });

  it("on a terminal redraws in place; elsewhere prints a plain line at most every interval, and always the last", () => {
    let now = 0;
    const tty = sink(true);
    const terminal = createProgressReporter({ label: "x", total: 2, stream: tty.stream, now: () => now });
    terminal.advance();
    terminal.finish();
    expect(tty.writes.every((write) => write.startsWith("\r"))).toBe(true);
    expect(tty.writes.at(-1)!.endsWith("\n")).toBe(true);

    const log = sink(false);
    const plain = createProgressReporter({
      label: "x",
      total: 100,
      stream: log.stream,
      now: () => now,
      intervalMs: 1_000,
    });
    for (let step = 0; step < 50; step++) {
      now += 100;
      plain.advance();
    }
    plain.finish();
    plain.finish();
    // One line per second of 5 s, plus the final one; finish twice writes once.
    expect(log.writes).toHaveLength(6);
    expect(log.writes.at(-1)).toContain("50/100");
  });

  it("draws nothing with a null stream", () => {
    const progress = createProgressReporter({ label: "x", total: 1, stream: null });
    progress.advance();
    progress.finish();
    expect(progress.line()).toContain("1/1  100%");
  });

  it("formats durations and token counts", () => {
    expect(formatDuration(3_723_000)).toBe("1:02:03");
    expect(formatDuration(65_000)).toBe("01:05");
    expect(formatDuration(Number.NaN)).toBe("--:--");
    expect(formatTokens(999)).toBe("999");
    expect(formatTokens(25_000)).toBe("25.0k");
    expect(formatTokens(2_500_000)).toBe("2.50M");
  });
});
