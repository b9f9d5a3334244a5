// Gradients of every differentiable operation, of the training ops and of small composed networks
// against central finite differences in float64 (issue 19, acceptance 2): within 1e-6·(1 + |g|), at
// points chosen away from kinks (relu and abs at 0, clamp edges, max/min ties, the clip and dual-clip
// edges of the surrogate, the ±20 and ±10 clamps of the KL estimators).
import { afterAll, describe, expect, it } from "vitest";
import type { KernelBackend } from "../backend.js";
import { concat } from "../ops/concat.js";
import {
  abs,
  add,
  affine,
  clamp,
  div,
  exp,
  gelu,
  log,
  maximum,
  minimum,
  mul,
  relu,
  sigmoid,
  sqrt,
  square,
  sub,
  tanh,
} from "../ops/elementwise.js";
import { embedding, gather, segmentSum } from "../ops/gather.js";
import { unaryKernel } from "../ops/kernel-calls.js";
import { matmul } from "../ops/matmul.js";
import { mean, sum } from "../ops/reduce.js";
import { expand, reshape } from "../ops/shape.js";
import { logSoftmax, segmentLogSoftmax, segmentSoftmax, segments, softmax } from "../ops/softmax.js";
import { checkGradients, type ParameterValues, valuesAwayFrom } from "../test-support/gradient-check.js";
import { aggregateLoss, LOSS_AGGREGATIONS } from "../training/aggregate-loss.js";
import { KL_ESTIMATORS, klPenalty } from "../training/kl-penalty.js";
import { clippedSurrogateLoss } from "../training/policy-loss.js";
import { type NamedTensors, record } from "./tape.js";
import { indices, type Tensor, tensor } from "./tensor.js";

const TOLERANCE = 1e-6;

function param(shape: number[], salt: number, lo = -1, hi = 1, kinks: number[] = []): ParameterValues {
  const size = shape.reduce((a, b) => a * b, 1);
  return { shape, values: valuesAwayFrom(size, salt, lo, hi, kinks) };
}

/** Σ out ⊙ W for a fixed W, so that every output element's gradient is exercised with a different weight. */
function contract(out: Tensor, backend: KernelBackend, salt = 99): Tensor {
  return sum(mul(out, tensor(backend, valuesAwayFrom(out.size, salt, -1, 1), out.shape)));
}

/** The worst error over every check in this file, printed at the end (for the figures). */
const overall = { worst: 0, where: "", compared: 0 };
afterAll(() => {
  console.log(
    `gradient checks: ${overall.compared} elements, worst |autodiff − FD| / (1 + |g|) = ${overall.worst.toExponential(2)} (${overall.where})`,
  );
});

async function expectGradients(
  loss: (p: NamedTensors, backend: KernelBackend) => Tensor,
  parameters: Record<string, ParameterValues>,
): Promise<void> {
  const { worst, where, compared } = await checkGradients(loss, parameters);
  overall.compared += compared;
  if (worst > overall.worst) Object.assign(overall, { worst, where });
  expect(compared).toBeGreaterThan(0);
  expect(worst, where).toBeLessThanOrEqual(TOLERANCE);
}

describe("gradients against float64 central differences", () => {
  it("the check fails on a wrong backward (a square whose gradient forgets the factor 2)", async () => {
    const wrongSquare = (x: Tensor): Tensor => record(unaryKernel("square", x), [x], (dy) => [mul(dy, x)]);
    const { worst } = await checkGradients((p, b) => contract(wrongSquare(p.x!), b), { x: param([5], 30, 0.5, 2) });
    expect(worst).toBeGreaterThan(0.1);
  });

  it.each([
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ])("matmul transposeA=%s transposeB=%s", async (transposeA, transposeB) => {
    const [m, k, n] = [3, 5, 2];
    await expectGradients((p, b) => contract(matmul(p.a!, p.b!, { transposeA, transposeB }), b), {
      a: param(transposeA ? [k, m] : [m, k], 1),
      b: param(transposeB ? [n, k] : [k, n], 2),
    });
  });

  const unary: [string, (x: Tensor) => Tensor, number, number, number[]][] = [
    ["relu", relu, -2, 2, [0]],
    ["gelu", gelu, -4, 4, []],
    ["tanh", tanh, -3, 3, []],
    ["sigmoid", sigmoid, -6, 6, []],
    ["exp", exp, -3, 3, []],
    ["log", log, 0.1, 5, []],
    ["abs", abs, -2, 2, [0]],
    ["square", square, -2, 2, []],
    ["sqrt", sqrt, 0.1, 5, []],
    ["affine", (x) => affine(x, -1.5, 0.25), -2, 2, []],
    ["clamp", (x) => clamp(x, -0.5, 0.7), -2, 2, [-0.5, 0.7]],
  ];
  it.each(unary)("%s", async (_name, fn, lo, hi, kinks) => {
    await expectGradients((p, b) => contract(fn(p.x!), b), { x: param([2, 7], 3, lo, hi, kinks) });
  });

  const binary: [string, (a: Tensor, b: Tensor) => Tensor][] = [
    ["add", add],
    ["sub", sub],
    ["mul", mul],
    ["div", div],
    ["maximum", maximum],
    ["minimum", minimum],
  ];
  describe.each(binary)("%s", (_name, fn) => {
    // Values of a in [0.5, 2], b in [-2, -0.5] ∪ … keep max/min away from ties and div away from 0.
    it("same shapes", async () => {
      await expectGradients((p, b) => contract(fn(p.a!, p.b!), b), {
        a: param([3, 4], 4, 0.5, 2),
        b: { shape: [3, 4], values: valuesAwayFrom(12, 5, 0.3, 2.5).map((v, i) => (i % 2 === 0 ? v : -v)) },
      });
    });
    it("a bias row broadcast over rows", async () => {
      await expectGradients((p, b) => contract(fn(p.a!, p.b!), b), {
        a: param([4, 3], 6, 0.5, 2),
        b: { shape: [3], values: [1.3, -0.7, 2.6] },
      });
    });
    it("one element broadcast everywhere", async () => {
      await expectGradients((p, b) => contract(fn(p.a!, p.b!), b), {
        a: param([2, 3], 7, 0.2, 2, [1.1]),
        b: { shape: [], values: [1.1] },
      });
    });
  });

  it.each([0, 1, -1, undefined])("sum and mean over axis %s", async (axis) => {
    await expectGradients((p, b) => add(contract(sum(p.x!, axis), b), contract(mean(p.x!, axis), b, 7)), {
      x: param([3, 4, 2], 8),
    });
  });

  it("embedding with repeated ids (the scatter-add gradient)", async () => {
    await expectGradients((p, b) => contract(embedding(p.table!, indices(b, [2, 0, 2, 4, 2])), b), {
      table: param([5, 3], 9),
    });
  });

  it("gather of chosen log-probabilities from a segment log-softmax", async () => {
    await expectGradients(
      (p, b) => {
        const parts = segments(b, [3, 1, 4, 2]);
        return sum(
          gather(
            segmentLogSoftmax(p.x!, parts),
            indices(b, [parts.position(0, 2), parts.position(1, 0), parts.position(2, 1), parts.position(3, 1)]),
          ),
        );
      },
      { x: param([10], 10, -3, 3) },
    );
  });

  it("segmentSum", async () => {
    await expectGradients((p, b) => contract(segmentSum(p.x!, indices(b, [1, 0, 1, 2, 1]), 3), b), {
      x: param([5, 2], 11),
    });
  });

  it.each([0, 1])("concat along axis %i", async (axis) => {
    await expectGradients((p, b) => contract(concat([p.a!, p.b!, p.a!], axis), b), {
      a: param([2, 3], 12),
      b: param(axis === 0 ? [1, 3] : [2, 2], 13),
    });
  });

  it.each([
    ["softmax", softmax],
    ["logSoftmax", logSoftmax],
  ] as const)("%s over rows", async (_name, fn) => {
    await expectGradients((p, b) => contract(fn(p.x!), b), { x: param([3, 5], 14, -3, 3) });
  });

  it.each([
    ["segmentSoftmax", segmentSoftmax],
    ["segmentLogSoftmax", segmentLogSoftmax],
  ] as const)("%s over ragged segments (sizes 1, 4, 0, 2)", async (_name, fn) => {
    await expectGradients((p, b) => contract(fn(p.x!, segments(b, [1, 4, 0, 2])), b), { x: param([7], 15, -3, 3) });
  });

  it("reshape and expand", async () => {
    await expectGradients((p, b) => contract(expand(reshape(p.x!, [3, 2]), 1, 4), b), { x: param([6], 16) });
  });

  it.each(KL_ESTIMATORS)("klPenalty %s in both inputs", async (estimator) => {
    // ref − logp in [−2, 2] \ {0}, inside the ±20 clamp; the k3 value stays inside ±10.
    await expectGradients((p, b) => contract(klPenalty(p.logp!, p.ref!, estimator), b), {
      logp: param([2, 4], 17, -3, -0.5),
      ref: { shape: [2, 4], values: valuesAwayFrom(8, 18, -3, -0.5).map((v, i) => v + (i % 2 === 0 ? 0.3 : -0.4)) },
    });
  });

  it.each(LOSS_AGGREGATIONS)("aggregateLoss %s (a fully masked row left out)", async (mode) => {
    const mask = [1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 0, 1];
    await expectGradients((p, b) => aggregateLoss(p.loss!, tensor(b, mask, [3, 4]), mode, { lossScaleFactor: 3 }), {
      loss: param([3, 4], 19),
    });
  });

  describe("clippedSurrogateLoss", () => {
    // log-ratios whose ratios (0.61, 0.90, 1.05, 1.16, 1.49, 4.48) sit away from 1 ± 0.2, 1.28 and the
    // dual-clip bound 3, with advantages of both signs: every branch (unclipped, clipped, dual clip) is hit.
    const logRatios = [-0.5, -0.1, 0.05, 0.15, 0.4, 1.5];
    const advantages = [1.2, -0.8, 0.6, -1.4, 0.9, -0.7, -1.1, 1.3, -0.6, 0.8, 1.5, -1.2];
    const old = valuesAwayFrom(12, 20, -3, -0.2);
    for (const mode of LOSS_AGGREGATIONS) {
      it(`clip 0.2/0.28, c = 3, ${mode}`, async () => {
        await expectGradients(
          (p, b) =>
            clippedSurrogateLoss(
              {
                oldLogProb: tensor(b, old, [2, 6]),
                logProb: p.logp!,
                advantages: tensor(b, advantages, [2, 6]),
                responseMask: tensor(b, [1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1], [2, 6]),
              },
              { clipRatioLow: 0.2, clipRatioHigh: 0.28, clipRatioC: 3, aggregation: mode },
            ).pgLoss,
          { logp: { shape: [2, 6], values: old.map((v, i) => v + logRatios[i % 6]!) } },
        );
      });
    }
  });

  it("a two-layer MLP scoring ragged candidate sets, trained by a policy-gradient loss", async () => {
    // 7 candidates in 3 sets (3, 1, 3), 4 features each → gelu hidden layer of 5 → one score each;
    // loss = −Σ advantage · log π(chosen) + 0.01 · Σ W1².
    const features = valuesAwayFrom(28, 21, -1, 1);
    await expectGradients(
      (p, b) => {
        const x = tensor(b, features, [7, 4]);
        const hidden = gelu(add(matmul(x, p.w1!), p.b1!));
        const scores = reshape(add(matmul(hidden, p.w2!), p.b2!), [7]);
        const parts = segments(b, [3, 1, 3]);
        const chosen = gather(segmentLogSoftmax(scores, parts), indices(b, [1, 3, 6]));
        const policyLoss = affine(sum(mul(chosen, tensor(b, [0.7, -0.2, -1.1]))), -1, 0);
        return add(policyLoss, affine(sum(square(p.w1!)), 0.01, 0));
      },
      { w1: param([4, 5], 22), b1: param([5], 23), w2: param([5, 1], 24), b2: param([1], 25) },
    );
  });

  it("an embedding bag with mean pooling, tanh, a linear head and a softmax cross-entropy", async () => {
    await expectGradients(
      (p, b) => {
        const tokens = embedding(p.table!, indices(b, [3, 1, 4, 1, 5, 0, 2, 3, 3]));
        const pooled = mean(reshape(tokens, [3, 3, 4]), 1);
        const logits = add(matmul(tanh(pooled), p.head!, { transposeB: true }), p.bias!);
        const logProbs = logSoftmax(logits);
        return affine(mean(gather(logProbs, indices(b, [0 * 2 + 1, 1 * 2 + 0, 2 * 2 + 1]))), -1, 0);
      },
      { table: param([6, 4], 26), head: param([2, 4], 27), bias: param([2], 28) },
    );
  });
});
