import { throwIfAborted } from "@finemem/spec";

/**
 * Maps `items` through `fn` with at most `limit` calls in flight, and resolves with the results in
 * input order. The first rejection stops new calls from starting and rejects the whole map (calls
 * already in flight finish on their own). Shared by every package that fans model calls out (chunk
 * questions, leave-one-out re-answers), so that "concurrent" means the same bounded thing everywhere.
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
  signal?: AbortSignal,
): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency must be an integer ≥ 1, got ${limit}`);
  throwIfAborted(signal);
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const index = next++;
      throwIfAborted(signal);
      try {
        results[index] = await fn(items[index]!, index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
