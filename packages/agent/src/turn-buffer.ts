/** A rendered turn waiting in the buffer, with its token count (counted once, when it arrives). */
export interface BufferedTurn {
  readonly text: string;
  readonly tokens: number;
}

/** The turns the next step reads: the first `count` buffered turns, joined one per line. */
export interface PackedChunk {
  readonly count: number;
  readonly tokens: number;
  readonly text: string;
}

/**
 * The turns observed but not yet written, packed greedily into chunks of at most `budget` tokens (the
 * sum of the turns' counts; the line breaks joining them are not counted). A turn is never split:
 * cutting a message in two would hand the policy half a fact in each step. So a turn that does not fit
 * closes the chunk before it, and a turn longer than the whole budget is a chunk on its own.
 */
export class TurnBuffer {
  private readonly turns: BufferedTurn[] = [];

  constructor(readonly budget: number) {}

  get size(): number {
    return this.turns.length;
  }

  get tokens(): number {
    return this.turns.reduce((sum, turn) => sum + turn.tokens, 0);
  }

  get texts(): readonly string[] {
    return this.turns.map((turn) => turn.text);
  }

  add(turn: BufferedTurn): void {
    this.turns.push(turn);
  }

  /**
   * The next chunk, or `undefined` when the buffer is empty. A chunk is complete once it reaches the
   * budget or the turn after it does not fit; an incomplete one (it could still grow) is returned only
   * with `includePartial`, which is how `flush` writes what is left.
   */
  nextChunk(includePartial: boolean): PackedChunk | undefined {
    let count = 0;
    let tokens = 0;
    while (count < this.turns.length) {
      const next = this.turns[count]!.tokens;
      if (count > 0 && tokens + next > this.budget) break;
      tokens += next;
      count += 1;
      if (tokens >= this.budget) break;
    }
    if (count === 0) return undefined;
    const complete = tokens >= this.budget || count < this.turns.length;
    if (!complete && !includePartial) return undefined;
    return {
      count,
      tokens,
      text: this.turns
        .slice(0, count)
        .map((turn) => turn.text)
        .join("\n"),
    };
  }

  /** Removes the first `count` turns, once their chunk is written (never before, so a failed step loses nothing). */
  drop(count: number): void {
    this.turns.splice(0, count);
  }
}
