// The trainer's loss against verl v0.9.0 (../shared/goldens/grpo-verl.jsonl): with the KL and entropy
// terms off it is compute_policy_loss_vanilla, every diagnostic included; the KL term adds the
// coefficient times agg_loss of kl_penalty's values (verl's actor: policy_loss = pg_loss − c_ent ·
// entropy + c_kl · kl_loss).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createReferenceBackend, type KlEstimator, type LossAggregation, type Tensor, tensor } from "@finemem/kernels";
import { checkService, probeSharedFile, sharedDir } from "@finemem/testing";
import { describe, expect, it } from "vitest";
import { LOCAL_TRAINER_DEFAULTS } from "../local/local-trainer-config.js";
import { grpoLoss } from "./grpo-loss.js";

const GOLDENS = "goldens/grpo-verl.jsonl";
const shared = await checkService("shared", () => probeSharedFile(GOLDENS));

interface Golden {
  readonly kind: string;
  readonly inputs: Record<string, unknown>;
  readonly expected: Record<string, number | number[][]>;
}

const goldens: Golden[] = shared.available
  ? readFileSync(join(sharedDir(), GOLDENS), "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as Golden)
  : [];

const backend = createReferenceBackend({ floatType: "float64" });
const matrix = (rows: number[][]): Tensor => tensor(backend, rows.flat(), [rows.length, rows[0]!.length]);
const close = (actual: number, expected: number) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(expected)));

describe.skipIf(!shared.available)("the loss reproduces verl", () => {
  it("with KL and entropy off: compute_policy_loss_vanilla's loss and diagnostics (60 cases)", async () => {
    const cases = goldens.filter((golden) => golden.kind === "policy_loss_vanilla");
    expect(cases.length).toBe(60);
    for (const golden of cases) {
      const inputs = golden.inputs;
      const mask = matrix(inputs.response_mask as number[][]);
      const out = grpoLoss(
        {
          logProb: matrix(inputs.log_prob as number[][]),
          oldLogProb: matrix(inputs.old_log_prob as number[][]),
          advantages: matrix(inputs.advantages as number[][]),
          mask,
          // An entropy given with coefficient 0 is reported, and changes nothing.
          entropy: matrix((inputs.log_prob as number[][]).map((row) => row.map(() => 0.5))),
        },
        {
          ...LOCAL_TRAINER_DEFAULTS,
          clipRatioLow: inputs.clip_ratio_low as number,
          clipRatioHigh: inputs.clip_ratio_high as number,
          clipRatioC: inputs.clip_ratio_c as number,
          aggregation: inputs.loss_agg_mode as LossAggregation,
          entropyCoefficient: 0,
          klCoefficient: 0,
        },
      );
      close((await out.loss.read())[0]!, golden.expected.pg_loss as number);
      close((await out.pgLoss.read())[0]!, golden.expected.pg_loss as number);
      close((await out.pgClipFraction.read())[0]!, golden.expected.pg_clipfrac as number);
      close((await out.pgClipFractionLower.read())[0]!, golden.expected.pg_clipfrac_lower as number);
      close((await out.ppoKl.read())[0]!, golden.expected.ppo_kl as number);
      expect(out.kl).toBeUndefined();
    }
  });

  it("with KL on: adds c · token-mean of kl_penalty's golden values (40 cases)", async () => {
    const cases = goldens.filter((golden) => golden.kind === "kl_penalty");
    expect(cases.length).toBe(40);
    for (const golden of cases) {
      // One sequence of the golden's tokens.
      const logprob = [golden.inputs.logprob as number[]];
      const reference = [golden.inputs.ref_logprob as number[]];
      const ones = logprob.map((row) => row.map(() => 1));
      const zeros = logprob.map((row) => row.map(() => 0));
      // Advantages 0 and equal log-probabilities: the surrogate is exactly 0, so the loss is the KL term.
      const out = grpoLoss(
        {
          logProb: matrix(logprob),
          oldLogProb: matrix(logprob),
          advantages: matrix(zeros),
          mask: matrix(ones),
          referenceLogProb: matrix(reference),
        },
        {
          ...LOCAL_TRAINER_DEFAULTS,
          klCoefficient: 0.25,
          klEstimator: golden.inputs.kl_penalty as KlEstimator,
          aggregation: "token-mean",
        },
      );
      const expectedKl = golden.expected.kl as unknown as number[];
      const meanKl = expectedKl.reduce((a, b) => a + b, 0) / expectedKl.length;
      close((await out.kl!.read())[0]!, meanKl);
      close((await out.loss.read())[0]!, 0.25 * meanKl);
    }
  });
});

describe("the entropy bonus, worked by hand", () => {
  it("subtracts c · mean entropy over the mask", async () => {
    // Surrogate 0 (advantages 0); entropies 1 and 3 under the mask, 100 masked out: mean 2; c = 0.1 → −0.2.
    const out = grpoLoss(
      {
        logProb: matrix([[-1, -1, -1]]),
        oldLogProb: matrix([[-1, -1, -1]]),
        advantages: matrix([[0, 0, 0]]),
        mask: matrix([[1, 1, 0]]),
        entropy: matrix([[1, 3, 100]]),
      },
      { ...LOCAL_TRAINER_DEFAULTS, entropyCoefficient: 0.1 },
    );
    expect((await out.entropy!.read())[0]).toBe(2);
    expect((await out.loss.read())[0]).toBeCloseTo(-0.2, 12);
  });
});
