import type { LoggedOperation } from "./namespace-state.js";

/** Entries of a log kept encoded until read: how many, and how to decode them (oldest first). */
export interface DeferredEntries {
  readonly count: number;
  readonly decode: () => LoggedOperation[];
}

/**
 * A namespace's operation log, oldest first. A log restored from a snapshot keeps its entries encoded
 * until something reads them (an export, a fork's export): a reopen builds none of its objects, and
 * writes append after them without decoding them.
 */
export class OperationLog implements Iterable<LoggedOperation> {
  private entries: LoggedOperation[];
  private deferred: DeferredEntries | undefined;

  constructor(entries: LoggedOperation[] = [], deferred?: DeferredEntries) {
    this.entries = entries;
    this.deferred = deferred === undefined || deferred.count === 0 ? undefined : deferred;
  }

  get length(): number {
    return this.entries.length + (this.deferred?.count ?? 0);
  }

  push(entry: LoggedOperation): void {
    this.entries.push(entry);
  }

  /** Every entry, oldest first; decodes the deferred ones on the first call. */
  toArray(): readonly LoggedOperation[] {
    if (this.deferred !== undefined) {
      const { count, decode } = this.deferred;
      const restored = decode();
      if (restored.length !== count)
        throw new Error(`the restored operation log holds ${restored.length} entries, expected ${count}`);
      for (const entry of this.entries) restored.push(entry);
      this.entries = restored;
      this.deferred = undefined;
    }
    return this.entries;
  }

  [Symbol.iterator](): Iterator<LoggedOperation> {
    return this.toArray()[Symbol.iterator]();
  }

  /** A copy a forked state can append to (entries are shared; deferred ones decode separately). */
  copy(): OperationLog {
    return new OperationLog([...this.entries], this.deferred);
  }
}
