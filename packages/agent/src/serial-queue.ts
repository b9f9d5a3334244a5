/**
 * Runs async jobs one at a time, in call order. A memory step reads the memory, asks the policy and
 * writes; two steps running at once would both read M_{t-1} and number themselves t, so every call
 * that touches the memory goes through one queue. A failed job does not block the ones after it.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.tail.then(job);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
