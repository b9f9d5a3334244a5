import { collectTensors, openScope } from "./scope.js";
import { Tensor } from "./tensor.js";

const isTensor = (value: unknown): value is Tensor => value instanceof Tensor;

/**
 * Runs `fn` and disposes every tensor it created except those in its result (a tensor, or arrays and
 * plain objects holding tensors). Synchronous on purpose: kernels are enqueued synchronously, and an
 * `await` inside would let other code's tensors into the scope.
 */
export function tidy<T>(fn: () => T): T {
  const close = openScope();
  let result: T;
  try {
    result = fn();
  } catch (error) {
    close(new Set());
    throw error;
  }
  const keep = new Set<Tensor>();
  collectTensors(result, keep, isTensor);
  close(keep);
  return result;
}
