/**
 * `text.indexOf(needle, from)` with the last answer remembered. The scanner asks for "the next
 * `</tool_call>` after here" at positions that only move forward; remembering the answer keeps a reply
 * with thousands of broken blocks linear instead of searching to its end each time.
 */
export class NextOccurrence {
  #searchedFrom = -1;
  #found = -1;

  constructor(
    private readonly text: string,
    private readonly needle: string,
  ) {}

  /** The index of the first occurrence at or after `from`, or -1. */
  find(from: number): number {
    const cached =
      this.#searchedFrom !== -1 && from >= this.#searchedFrom && (this.#found === -1 || this.#found >= from);
    if (!cached) {
      this.#searchedFrom = from;
      this.#found = this.text.indexOf(this.needle, from);
    }
    return this.#found;
  }
}
