import { describe, expect, it } from "vitest";
import { add, mul, square } from "../ops/elementwise.js";
import { embedding } from "../ops/gather.js";
import { matmul } from "../ops/matmul.js";
import { sum } from "../ops/reduce.js";
import { reshape } from "../ops/shape.js";
import { segments } from "../ops/softmax.js";
import { createReferenceBackend } from "../reference/reference-backend.js";
import { valueAndGrad } from "./tape.js";
import { indices, tensor } from "./tensor.js";
import { tidy } from "./tidy.js";

describe("valueAndGrad", () => {
  it("sums the gradient of a parameter used twice and gives zeros to an unused one", async () => {
    const backend = createReferenceBackend({ floatType: "float64" });
    // f(x, y) = Σ x·x + 3: df/dx = 2x; y is unused.
    const { value, grads } = valueAndGrad((p: { x: ReturnType<typeof tensor>; y: ReturnType<typeof tensor> }) =>
      add(sum(mul(p.x, p.x)), tensor(backend, [3], [])),
    )({ x: tensor(backend, [1, -2, 0.5]), y: tensor(backend, [7, 7]) });
    expect(await value.item()).toBe(8.25);
    expect([...(await grads.x!.read())]).toEqual([2, -4, 1]);
    expect([...(await grads.y!.read())]).toEqual([0, 0]);
  });

  it("returns auxiliary tensors and disposes the intermediates", async () => {
    const backend = createReferenceBackend();
    let intermediate: ReturnType<typeof tensor> | null = null;
    const { aux } = valueAndGrad((p: { w: ReturnType<typeof tensor> }) => {
      intermediate = square(p.w);
      return { loss: sum(intermediate), aux: { squares: intermediate } };
    })({ w: tensor(backend, [2, 3]) });
    expect([...(await aux.squares!.read())]).toEqual([4, 9]);
    const unkept = valueAndGrad((p: { w: ReturnType<typeof tensor> }) => {
      intermediate = square(p.w);
      return sum(intermediate);
    })({ w: tensor(backend, [2, 3]) });
    expect(intermediate!.disposed).toBe(true);
    expect(unkept.value.disposed).toBe(false);
  });

  it("refuses a loss that is not one element, nesting, and non-tensor parameters", () => {
    const backend = createReferenceBackend();
    const w = tensor(backend, [1, 2]);
    expect(() => valueAndGrad((p: { w: typeof w }) => square(p.w))({ w })).toThrow(
      expect.objectContaining({ code: "shape_mismatch" }),
    );
    expect(() =>
      valueAndGrad((p: { w: typeof w }) => valueAndGrad((q: { w: typeof w }) => sum(q.w))(p).value)({ w }),
    ).toThrow(expect.objectContaining({ code: "invalid_option" }));
    expect(() => valueAndGrad(() => sum(w))({ w: [1, 2] } as never)).toThrow(
      expect.objectContaining({ code: "invalid_option", path: ["w"] }),
    );
  });
});

describe("tidy", () => {
  it("disposes what it created except its result, and a kept view keeps its base", async () => {
    const backend = createReferenceBackend();
    const a = tensor(backend, [1, 2, 3, 4], [2, 2]);
    let inner: ReturnType<typeof tensor> | null = null;
    const view = tidy(() => {
      inner = square(a);
      return reshape(add(inner, inner), [4]);
    });
    expect(inner!.disposed).toBe(true);
    expect(a.disposed).toBe(false);
    expect([...(await view.read())]).toEqual([2, 8, 18, 32]);
  });
});

describe("typed errors", () => {
  it("names shapes, backends and indices that do not fit", () => {
    const backend = createReferenceBackend();
    const other = createReferenceBackend();
    expect(() => matmul(tensor(backend, [1, 2, 3, 4, 5, 6], [2, 3]), tensor(backend, [1, 2], [2, 1]))).toThrow(
      expect.objectContaining({ code: "shape_mismatch", message: expect.stringContaining("3 columns") }),
    );
    expect(() => add(tensor(backend, [1]), tensor(other, [1]))).toThrow(
      expect.objectContaining({ code: "inconsistent" }),
    );
    expect(() => add(tensor(backend, [1, 2, 3], [3]), tensor(backend, [1, 2], [2]))).toThrow(
      expect.objectContaining({ code: "shape_mismatch" }),
    );
    expect(() => embedding(tensor(backend, [1, 2, 3, 4], [2, 2]), indices(backend, [0, 2]))).toThrow(
      expect.objectContaining({ code: "index_out_of_range", path: [1] }),
    );
    expect(() => indices(backend, [0, -1])).toThrow(expect.objectContaining({ code: "index_out_of_range" }));
    expect(() => segments(backend, [2, 1.5])).toThrow(
      expect.objectContaining({ code: "invalid_option", path: ["sizes", 1] }),
    );
    expect(() => tensor(backend, [1, 2, 3], [2, 2])).toThrow(expect.objectContaining({ code: "shape_mismatch" }));
  });

  it("refuses a disposed tensor and a released or foreign buffer", async () => {
    const backend = createReferenceBackend();
    const t = tensor(backend, [1]);
    t.dispose();
    expect(() => t.read()).toThrow(expect.objectContaining({ code: "disposed" }));
    const buffer = backend.upload([1, 2]);
    backend.release(buffer);
    backend.release(buffer);
    await expect(backend.read(buffer)).rejects.toMatchObject({ code: "disposed" });
    await expect(createReferenceBackend().read(backend.upload([1]))).rejects.toMatchObject({ code: "inconsistent" });
    backend.dispose();
    expect(() => backend.allocate(1)).toThrow(expect.objectContaining({ code: "disposed" }));
  });
});
