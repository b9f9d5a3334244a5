// Scopes free device memory: every tensor created inside `tidy(fn)` is disposed when fn returns, except
// the tensors fn returns (found in arrays and plain objects), which move to the enclosing scope. On the
// CPU this only returns memory early; on a GPU it is the only way buffers are freed, since garbage
// collection never sees device memory pressure.
import type { Tensor } from "./tensor.js";

const scopes: Set<Tensor>[] = [];

export function registerInScope(tensor: Tensor): void {
  scopes.at(-1)?.add(tensor);
}

/** Every tensor reachable from `value` through arrays and plain objects. */
export function collectTensors(value: unknown, into: Set<Tensor>, isTensor: (value: unknown) => value is Tensor): void {
  if (isTensor(value)) {
    // A kept view keeps the tensor that owns its buffer.
    for (let tensor: Tensor | null = value; tensor !== null; tensor = tensor.base) into.add(tensor);
  } else if (Array.isArray(value)) {
    for (const item of value) collectTensors(item, into, isTensor);
  } else if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    for (const item of Object.values(value)) collectTensors(item, into, isTensor);
  }
}

/** Opens a scope; the returned function closes it, disposing what was created in it except `keep`. */
export function openScope(): (keep: ReadonlySet<Tensor>) => void {
  const scope = new Set<Tensor>();
  scopes.push(scope);
  return (keep) => {
    const index = scopes.lastIndexOf(scope);
    if (index >= 0) scopes.splice(index, 1);
    const parent = scopes.at(-1);
    for (const tensor of scope) {
      if (keep.has(tensor)) parent?.add(tensor);
      else tensor.dispose();
    }
  };
}

/** Takes a tensor out of every open scope, so that no `tidy` disposes it (optimiser state, caches). */
export function keep<T extends Tensor>(tensor: T): T {
  for (const scope of scopes) scope.delete(tensor);
  return tensor;
}
