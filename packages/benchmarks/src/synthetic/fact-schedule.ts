/**
 * How many first statements, changes and distractors each chunk holds.
 *
 * The layout is fixed by the counting knobs alone (no randomness), so that two instances with the
 * same knobs have the same shape and the knobs are honoured exactly where arithmetic allows:
 *
 * - every chunk holds `factsPerChunk` sentences;
 * - `round(S · distractorShare)` of the S sentences are distractors, spread evenly over the chunks
 *   (at least one sentence stays a questioned fact);
 * - of the remaining T sentences, F first-state a questioned fact and C = T − F restate a change,
 *   with F = round(T / (1 + changedShare)), so that C / F ≈ changedShare;
 * - a change must come in a later chunk than its first statement, so the changes are spread evenly
 *   over chunks 2..n under that constraint (see {@link planFactSchedule}).
 */

/** One chunk's sentence counts. */
export interface ChunkLayout {
  /** First statements of questioned facts. */
  readonly originals: number;
  /** Restatements of an earlier questioned fact with a new value. */
  readonly updates: number;
  /** Statements of facts that no global question asks about. */
  readonly distractors: number;
}

export interface FactSchedule {
  readonly chunks: readonly ChunkLayout[];
  /** Questioned facts (one global question each). */
  readonly targetFacts: number;
  /** Questioned facts that change once. */
  readonly changedFacts: number;
  readonly distractorStatements: number;
}

export interface FactScheduleInput {
  readonly chunkCount: number;
  readonly factsPerChunk: number;
  readonly changedShare: number;
  readonly distractorShare: number;
}

/**
 * Lays out the chunks. With X_c the number of changes in chunks 0..c, a change in chunk c needs an
 * unchanged first statement in an earlier chunk: X_c ≤ (first statements in chunks < c) − X_{c−1},
 * i.e. X_0 = 0 and X_c + X_{c−1} ≤ capacity(0..c−1). A backward pass computes, for each chunk, the
 * interval of X_c from which the total C can still be reached; a forward pass then follows the even
 * spread (C in proportion to capacity) clamped to those intervals. When C cannot be reached at all
 * (a layout too front-heavy), C is lowered one at a time until it can.
 */
export function planFactSchedule(input: FactScheduleInput): FactSchedule {
  const { chunkCount: n, factsPerChunk: k } = input;
  const total = n * k;
  const distractorTotal = Math.min(Math.round(total * input.distractorShare), total - 1);
  const distractors = Array.from(
    { length: n },
    (_, c) => Math.floor(((c + 1) * distractorTotal) / n) - Math.floor((c * distractorTotal) / n),
  );
  const capacity = distractors.map((d) => k - d);
  const targetStatements = total - distractorTotal;
  const wantedChanges = n < 2 ? 0 : targetStatements - Math.round(targetStatements / (1 + input.changedShare));

  let cumulative: number[] | undefined;
  for (let changes = wantedChanges; changes >= 0 && cumulative === undefined; changes--) {
    cumulative = spreadChanges(capacity, changes);
  }
  // changes = 0 is always feasible (all X_c = 0), so the loop always ends with a layout.
  const x = cumulative ?? capacity.map(() => 0);
  const chunks = capacity.map((cap, c): ChunkLayout => {
    const updates = x[c]! - (c === 0 ? 0 : x[c - 1]!);
    return { originals: cap - updates, updates, distractors: distractors[c]! };
  });
  const changedFacts = x[n - 1] ?? 0;
  return {
    chunks,
    targetFacts: targetStatements - changedFacts,
    changedFacts,
    distractorStatements: distractorTotal,
  };
}

/** The cumulative change counts X_0..X_{n−1} reaching `changes`, or undefined when impossible. */
function spreadChanges(capacity: readonly number[], changes: number): number[] | undefined {
  const n = capacity.length;
  const prefix: number[] = [];
  capacity.reduce((sum, cap, c) => (prefix[c] = sum + cap), 0);
  const before = (c: number): number => (c === 0 ? 0 : prefix[c - 1]!); // capacity of chunks < c

  // Backward: [low[c], high[c]] = values of X_c from which X_{n−1} = changes stays reachable.
  const low = new Array<number>(n).fill(0);
  const high = new Array<number>(n).fill(0);
  low[n - 1] = changes;
  high[n - 1] = changes;
  for (let c = n - 2; c >= 0; c--) {
    low[c] = Math.max(0, low[c + 1]! - capacity[c + 1]!);
    high[c] = Math.min(high[c + 1]!, Math.floor(prefix[c]! / 2), prefix[c]! - low[c + 1]!);
    if (low[c]! > high[c]!) return undefined;
  }
  if (low[0]! > 0 || high[0]! < 0) return undefined;

  // Forward: the even spread over chunks 1..n−1 in proportion to their capacity, clamped.
  const weightTotal = prefix[n - 1]! - capacity[0]!;
  const x: number[] = [0];
  for (let c = 1; c < n; c++) {
    const previous = x[c - 1]!;
    const ideal = weightTotal === 0 ? changes : Math.round((changes * (prefix[c]! - capacity[0]!)) / weightTotal);
    const lowest = Math.max(low[c]!, previous);
    const highest = Math.min(high[c]!, previous + capacity[c]!, before(c) - previous);
    if (lowest > highest) return undefined;
    x.push(Math.min(Math.max(ideal, lowest), highest));
  }
  return x;
}
