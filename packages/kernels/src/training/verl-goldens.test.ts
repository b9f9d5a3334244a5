// The GRPO advantage, clipped surrogate, KL and aggregation ops against ../shared/goldens/grpo-verl.jsonl:
// a float64 port of verl v0.9.0's core_algos.py run on seeded inputs (issue 19, acceptance 3). Within
// 1e-9·(1 + |expected|) on the float64 reference and 1e-4·(1 + |expected|) on every float32 backend
// (the reference, the CPU backend, and WebGPU where a Vulkan driver exists).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { checkService, probeSharedFile, probeVulkanDriver, sharedDir } from "@finemem/testing";
import { describe, expect, it } from "vitest";
import type { KernelBackend } from "../backend.js";
import { createCpuBackend } from "../cpu/cpu-backend.js";
import { createNodeWebGpuBackend } from "../node.js";
import { createReferenceBackend } from "../reference/reference-backend.js";
import { type Tensor, tensor } from "../tensor/tensor.js";
import { tidy } from "../tensor/tidy.js";
import { aggregateLoss, type LossAggregation } from "./aggregate-loss.js";
import { grpoOutcomeAdvantage } from "./grpo-advantage.js";
import { type KlEstimator, klPenalty } from "./kl-penalty.js";
import { clippedSurrogateLoss } from "./policy-loss.js";

const GOLDENS = "goldens/grpo-verl.jsonl";
const shared = await checkService("shared", () => probeSharedFile(GOLDENS));
const webgpu = await checkService("webgpu", () => probeVulkanDriver());

interface Golden {
  readonly kind: "grpo_advantage" | "agg_loss" | "policy_loss_vanilla" | "kl_penalty";
  readonly inputs: Record<string, unknown>;
  readonly expected: Record<string, number | number[] | number[][]>;
}

const goldens: Golden[] = shared.available
  ? readFileSync(join(sharedDir(), GOLDENS), "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as Golden)
  : [];

function matrix(backend: KernelBackend, rows: number[][]): Tensor {
  return tensor(backend, rows.flat(), [rows.length, rows[0]?.length ?? 0]);
}

/** Every output of one golden case, computed on `backend`, as name → flat values. */
async function compute(backend: KernelBackend, golden: Golden): Promise<Map<string, number[]>> {
  const inputs = golden.inputs;
  const outputs = tidy(() => {
    switch (golden.kind) {
      case "grpo_advantage":
        return {
          advantages: grpoOutcomeAdvantage(
            {
              tokenLevelRewards: matrix(backend, inputs.token_level_rewards as number[][]),
              responseMask: matrix(backend, inputs.response_mask as number[][]),
              groups: inputs.index as string[],
            },
            { epsilon: inputs.epsilon as number, normalizeByStd: inputs.norm_adv_by_std_in_grpo as boolean },
          ),
        };
      case "agg_loss":
        return {
          loss: aggregateLoss(
            matrix(backend, inputs.loss_mat as number[][]),
            matrix(backend, inputs.loss_mask as number[][]),
            inputs.loss_agg_mode as LossAggregation,
            { lossScaleFactor: (inputs.loss_scale_factor as number | null) ?? undefined },
          ),
        };
      case "policy_loss_vanilla": {
        const result = clippedSurrogateLoss(
          {
            oldLogProb: matrix(backend, inputs.old_log_prob as number[][]),
            logProb: matrix(backend, inputs.log_prob as number[][]),
            advantages: matrix(backend, inputs.advantages as number[][]),
            responseMask: matrix(backend, inputs.response_mask as number[][]),
          },
          {
            clipRatioLow: inputs.clip_ratio_low as number,
            clipRatioHigh: inputs.clip_ratio_high as number,
            clipRatioC: inputs.clip_ratio_c as number,
            aggregation: inputs.loss_agg_mode as LossAggregation,
          },
        );
        return {
          pg_loss: result.pgLoss,
          pg_losses: result.pgLosses,
          pg_clipfrac: result.pgClipFraction,
          ppo_kl: result.ppoKl,
          pg_clipfrac_lower: result.pgClipFractionLower,
        };
      }
      case "kl_penalty": {
        const logprob = inputs.logprob as number[];
        return {
          kl: klPenalty(
            tensor(backend, logprob),
            tensor(backend, inputs.ref_logprob as number[]),
            inputs.kl_penalty as KlEstimator,
          ),
        };
      }
    }
  });
  const values = new Map<string, number[]>();
  for (const [name, output] of Object.entries(outputs)) {
    values.set(name, [...(await output.read())]);
    output.dispose();
  }
  return values;
}

function flat(value: number | number[] | number[][]): number[] {
  return typeof value === "number" ? [value] : (value as (number | number[])[]).flat();
}

async function worstError(backend: KernelBackend): Promise<{ worst: number; where: string }> {
  let worst = 0;
  let where = "";
  for (const [index, golden] of goldens.entries()) {
    const got = await compute(backend, golden);
    for (const [name, expected] of Object.entries(golden.expected)) {
      const values = got.get(name);
      expect(values, `${golden.kind} case ${index}: output ${name}`).toBeDefined();
      const wanted = flat(expected);
      expect(values!.length).toBe(wanted.length);
      for (const [position, value] of wanted.entries()) {
        const error = Math.abs(values![position]! - value) / (1 + Math.abs(value));
        if (!(error <= worst)) {
          worst = Number.isNaN(error) ? Number.POSITIVE_INFINITY : error;
          where = `${golden.kind} case ${index} ${name}[${position}]: got ${values![position]}, expected ${value}`;
        }
      }
    }
  }
  return { worst, where };
}

describe.skipIf(!shared.available)("verl v0.9.0 core_algos goldens", () => {
  it("covers the four functions with 200 cases", () => {
    const kinds = new Map<string, number>();
    for (const golden of goldens) kinds.set(golden.kind, (kinds.get(golden.kind) ?? 0) + 1);
    expect(Object.fromEntries(kinds)).toEqual({
      grpo_advantage: 60,
      agg_loss: 40,
      policy_loss_vanilla: 60,
      kl_penalty: 40,
    });
  });

  it("match within 1e-9·(1 + |expected|) in float64", async () => {
    const { worst, where } = await worstError(createReferenceBackend({ floatType: "float64" }));
    console.log(`float64 reference: worst relative error ${worst.toExponential(2)} (${where})`);
    expect(worst, where).toBeLessThanOrEqual(1e-9);
  });

  // WebGPU joins where a Vulkan driver exists (checkService printed why not, or failed under FINEMEM_REQUIRE).
  const float32Backends: [string, () => Promise<KernelBackend>][] = [
    ["the float32 reference", async () => createReferenceBackend({ floatType: "float32" })],
    ["the CPU backend (WebAssembly)", () => createCpuBackend()],
    ...(webgpu.available
      ? [["the WebGPU backend", () => createNodeWebGpuBackend()] as [string, () => Promise<KernelBackend>]]
      : []),
  ];
  it.each(float32Backends)("match within 1e-4·(1 + |expected|) on %s", async (name, create) => {
    const backend = await create();
    try {
      const { worst, where } = await worstError(backend);
      console.log(`${name}: worst relative error ${worst.toExponential(2)} (${where})`);
      expect(worst, where).toBeLessThanOrEqual(1e-4);
    } finally {
      backend.dispose();
    }
  });
});
