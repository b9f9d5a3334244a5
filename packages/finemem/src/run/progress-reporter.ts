// Progress for long runs: a bar with done/total, rate, ETA, and token and cost counters. On a
// terminal the bar redraws in place; elsewhere (CI logs, files) it prints a plain line at most every
// `intervalMs`, so logs stay readable.

/** What the counters show beside the bar; read on every draw. */
export interface UsageCounters {
  readonly tokens: number;
  readonly costUsd: number;
}

export interface ProgressReporterOptions {
  /** e.g. `eval` or `chunk-qa`. */
  readonly label: string;
  /** Units of work (steps plus questions, chunks, …). Can be raised later with `setTotal`. */
  readonly total: number;
  /** Where to draw; default `process.stderr`. Pass `null` to draw nothing. */
  readonly stream?: (NodeJS.WritableStream & { readonly isTTY?: boolean; readonly columns?: number }) | null;
  /** Tokens and cost so far, e.g. from the models' usage ledger. */
  readonly usage?: () => UsageCounters;
  /** Further segments shown after the ETA (e.g. `instances 3/16`), read on every draw; empty ones are left out. */
  readonly segments?: () => readonly string[];
  /** Milliseconds between plain lines when the stream is not a terminal; default 10 000. */
  readonly intervalMs?: number;
  /** Injectable for tests. */
  readonly now?: () => number;
}

export interface ProgressReporter {
  /** `count` more units finished (default 1). */
  advance(count?: number): void;
  /** Units that were already finished before this process started (resumed work): counted as done, left out of the rate. */
  skip(count: number): void;
  /**
   * The units of work known so far; `complete: false` (work still being discovered, e.g. instances
   * still being read) marks the total open: it shows as `done/total+` and the ETA as at least that.
   */
  setTotal(total: number, complete?: boolean): void;
  /** The current line, without drawing. */
  line(): string;
  /** Draws the final line and ends it with a newline. */
  finish(): void;
}

const BAR_WIDTH = 24;

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "--:--";
  const seconds = Math.round(ms / 1000);
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  const two = (value: number) => String(value).padStart(2, "0");
  return hours > 0 ? `${hours}:${two(minutes)}:${two(rest)}` : `${two(minutes)}:${two(rest)}`;
}

export function formatTokens(tokens: number): string {
  if (tokens >= 1e6) return `${(tokens / 1e6).toFixed(2)}M`;
  if (tokens >= 1e4) return `${(tokens / 1e3).toFixed(1)}k`;
  return String(tokens);
}

export function createProgressReporter(options: ProgressReporterOptions): ProgressReporter {
  const stream = options.stream === undefined ? process.stderr : options.stream;
  const now = options.now ?? Date.now;
  const intervalMs = options.intervalMs ?? 10_000;
  const started = now();
  let total = Math.max(0, options.total);
  let open = false;
  let done = 0;
  let skipped = 0;
  let lastPlain = Number.NEGATIVE_INFINITY;
  let finished = false;

  const line = (): string => {
    const complete = Math.min(done + skipped, total);
    const fraction = total === 0 ? 1 : complete / total;
    const filled = Math.round(fraction * BAR_WIDTH);
    const elapsed = now() - started;
    // The rate counts only work done by this process, so a resumed run's ETA is not flattered.
    const remaining = total - complete;
    const eta = done === 0 ? Number.NaN : (elapsed / done) * remaining;
    const parts = [
      `${options.label} [${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}] ${complete}/${total}${open ? "+" : ""}`,
      `${(fraction * 100).toFixed(0)}%`,
      `elapsed ${formatDuration(elapsed)}`,
      `ETA ${open ? "≥ " : ""}${remaining === 0 ? "00:00" : formatDuration(eta)}`,
    ];
    for (const segment of options.segments?.() ?? []) if (segment !== "") parts.push(segment);
    if (skipped > 0) parts.push(`resumed ${skipped}`);
    if (options.usage !== undefined) {
      const usage = options.usage();
      parts.push(`tokens ${formatTokens(usage.tokens)}`, `cost $${usage.costUsd.toFixed(4)}`);
    }
    return parts.join("  ");
  };

  const draw = (force: boolean): void => {
    if (stream === null || finished) return;
    if (stream.isTTY === true) {
      stream.write(`\r${line()}\u001b[K`);
      return;
    }
    const time = now();
    if (!force && time - lastPlain < intervalMs) return;
    lastPlain = time;
    stream.write(`${line()}\n`);
  };

  return {
    advance(count = 1) {
      done += count;
      draw(false);
    },
    skip(count) {
      skipped += count;
      draw(false);
    },
    setTotal(next, complete = true) {
      total = Math.max(0, next);
      open = !complete;
      draw(false);
    },
    line,
    finish() {
      if (finished) return;
      if (stream !== null) stream.write(stream.isTTY === true ? `\r${line()}\u001b[K\n` : `${line()}\n`);
      finished = true;
    },
  };
}
