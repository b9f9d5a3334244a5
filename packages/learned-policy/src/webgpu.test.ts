// The learned policy with its parameters on WebGPU (Dawn on a Vulkan driver; lavapipe in CI): the same
// decisions as on the CPU, its replayed log-probabilities within float32 rounding of the CPU's, and a
// gradient that reaches every parameter.
import { AdamW, affine, sum, tidy, valueAndGrad } from "@finemem/kernels";
import { createNodeWebGpuBackend } from "@finemem/kernels/node";
import type { PolicyInput } from "@finemem/spec";
import { checkService, probeVulkanDriver } from "@finemem/testing";
import { describe, expect, it } from "vitest";
import { createLearnedPolicy } from "./learned-policy.js";

const webgpu = await checkService("webgpu", () => probeVulkanDriver());

const input: PolicyInput = {
  step: 3,
  instanceId: "gpu",
  training: true,
  chunk: {
    id: "c3",
    text: "Ada Lovelace retrained for job title beekeeper. The mascot of Jaxtor Holdings is a bison.",
  },
  view: {
    layout: "flat",
    namespace: "default",
    step: 2,
    items: [
      {
        id: "s1.0",
        content: "Ada Lovelace's job title is baker.",
        version: 1,
        createdStep: 1,
        step: 1,
        operationId: "o1",
      },
      {
        id: "s2.0",
        content: "The mascot of Jaxtor Holdings is a badger.",
        version: 1,
        createdStep: 2,
        step: 2,
        operationId: "o2",
      },
    ],
  } as unknown as PolicyInput["view"],
};

describe.skipIf(!webgpu.available)("the learned policy on WebGPU", () => {
  it("decides as on the CPU and trains", async () => {
    const cpu = await createLearnedPolicy({ initSeed: 11 });
    const backend = await createNodeWebGpuBackend();
    try {
      const gpu = await createLearnedPolicy({ initSeed: 11, backend });
      const onCpu = await cpu.withSampling("g").decide(input);
      const onGpu = await gpu.withSampling("g").decide(input);
      expect(onGpu.operations).toEqual(onCpu.operations);
      expect(onGpu.decisionLogprobs).toEqual(onCpu.decisionLogprobs!.map((value) => expect.closeTo(value, 5)));
      const before = await gpu.parameterValues();
      const { value, grads } = valueAndGrad((p: typeof gpu.parameters) => {
        const replayed = gpu.replayLogProbs([onGpu.replay!], p);
        return affine(sum(replayed.logProbs), -1);
      })(gpu.parameters);
      new AdamW({ learningRate: 0.01 }).update(gpu.parameters, grads);
      tidy(() => value);
      const after = await gpu.parameterValues();
      for (const name of Object.keys(before)) expect([...after[name]!], name).not.toEqual([...before[name]!]);
      gpu.dispose();
    } finally {
      cpu.dispose();
      backend.dispose();
    }
  }, 60_000);
});
