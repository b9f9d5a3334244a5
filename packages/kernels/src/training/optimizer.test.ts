import { describe, expect, it } from "vitest";
import { createReferenceBackend } from "../reference/reference-backend.js";
import { tensor } from "../tensor/tensor.js";
import { AdamW } from "./adamw.js";
import { clipGradNorm } from "./clip-grad-norm.js";

describe("AdamW", () => {
  it("takes PyTorch's steps (worked by hand: p = 1, g = 0.5 then −0.25, lr 0.1, wd 0.01)", async () => {
    // Step 1: p·(1 − 0.001) = 0.999; m = 0.05, v = 0.00025; m̂ = 0.5, v̂ = 0.25; p = 0.999 − 0.1·0.5/(0.5 + 1e-8) = 0.899000002.
    // Step 2: p = 0.899000002·0.999 − 0.1·(0.02/0.19)/(√(0.00031225/0.001999) + 1e-8) = 0.8714672987…
    const backend = createReferenceBackend({ floatType: "float64" });
    const params = { p: tensor(backend, [1]) };
    const adamw = new AdamW({ learningRate: 0.1, weightDecay: 0.01 });
    adamw.update(params, { p: tensor(backend, [0.5]) });
    expect((await params.p.read())[0]).toBeCloseTo(0.899000002, 12);
    adamw.update(params, { p: tensor(backend, [-0.25]) });
    expect((await params.p.read())[0]).toBeCloseTo(0.8714672987058, 12);
    const state = await adamw.state();
    expect(state.step).toBe(2);
    expect(state.moments.p!.m[0]).toBeCloseTo(0.02, 15);
    expect(state.moments.p!.v[0]).toBeCloseTo(0.00031225, 15);
  });

  it("restores a saved state and continues identically", async () => {
    const backend = createReferenceBackend();
    const run = async (restoreAfter: number | null) => {
      const params = { w: tensor(backend, [0.3, -0.2, 0.9]) };
      let adamw = new AdamW({ learningRate: 0.05 });
      for (let step = 0; step < 4; step++) {
        if (step === restoreAfter) {
          const saved = await adamw.state();
          adamw = new AdamW({ learningRate: 0.05 });
          adamw.restore(saved, params);
        }
        adamw.update(params, { w: tensor(backend, [0.1 * step, -0.3, 0.2 - step * 0.05]) });
      }
      return [...(await params.w.read())];
    };
    expect(await run(2)).toEqual(await run(null));
  });

  it("scales gradients by gradScale (clipping without a read-back)", async () => {
    const backend = createReferenceBackend({ floatType: "float64" });
    const scaled = { p: tensor(backend, [1]) };
    const manual = { p: tensor(backend, [1]) };
    new AdamW({ learningRate: 0.1 }).update(
      scaled,
      { p: tensor(backend, [4]) },
      { gradScale: tensor(backend, [0.25]) },
    );
    new AdamW({ learningRate: 0.1 }).update(manual, { p: tensor(backend, [1]) });
    expect(await scaled.p.read()).toEqual(await manual.p.read());
  });

  it("refuses bad options and mismatched gradients with typed errors", () => {
    const backend = createReferenceBackend();
    expect(() => new AdamW({ beta1: 1 })).toThrow(expect.objectContaining({ code: "invalid_option", path: ["beta1"] }));
    expect(() => new AdamW({ learningRate: -1 })).toThrow(expect.objectContaining({ code: "invalid_option" }));
    const adamw = new AdamW();
    expect(() => adamw.update({ w: tensor(backend, [1, 2]) }, { w: tensor(backend, [1]) })).toThrow(
      expect.objectContaining({ code: "shape_mismatch" }),
    );
    expect(() => adamw.update({ w: tensor(backend, [1]) }, { u: tensor(backend, [1]) })).toThrow(
      expect.objectContaining({ code: "invalid_option", path: ["grads", "u"] }),
    );
    expect(() =>
      adamw.restore({ step: 1, moments: { x: { m: new Float32Array(1), v: new Float32Array(1) } } }, {}),
    ).toThrow(expect.objectContaining({ code: "inconsistent" }));
  });
});

describe("clipGradNorm", () => {
  it("gives the global norm and min(1, maxNorm / (norm + 1e-6)) (a 3-4-12-… example: norm 13)", async () => {
    const backend = createReferenceBackend({ floatType: "float64" });
    const grads = { a: tensor(backend, [3, 4]), b: tensor(backend, [12], [1, 1]) };
    const clipped = clipGradNorm(grads, 6.5);
    expect(await clipped.totalNorm.item()).toBeCloseTo(13, 12);
    expect(await clipped.scale.item()).toBeCloseTo(6.5 / (13 + 1e-6), 14);
    expect(await clipGradNorm(grads, 20).scale.item()).toBe(1);
    expect(() => clipGradNorm(grads, 0)).toThrow(expect.objectContaining({ code: "invalid_option" }));
  });
});
