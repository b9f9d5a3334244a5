// WebGPU in Node: onnxruntime-node's WebGPU provider (Dawn) on whatever adapter the machine has; in CI
// that is Mesa's lavapipe, a software Vulkan driver. It checks correctness, not speed: software WebGPU
// is far slower than the CPU provider, which is why `cpu` is the default device.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkService, probeVulkanDriver, writeTinyCausalLm } from "@finemem/testing";
import { afterAll, describe, expect, it } from "vitest";
import { createTransformersModel } from "./transformers-model.js";

const webgpu = await checkService("webgpu", probeVulkanDriver);
const root = mkdtempSync(join(tmpdir(), "finemem-webgpu-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.skipIf(!webgpu.available)("the transformers.js language model on WebGPU", () => {
  it("generates the same greedy tokens as on the CPU, with the same log-probabilities", async () => {
    await writeTinyCausalLm(root);
    const request = {
      messages: [{ role: "user" as const, content: "Ada lives in Lyon." }],
      sampling: { temperature: 0, maxTokens: 10 },
      logprobs: true,
      returnTokenIds: true,
    };
    const cpu = await createTransformersModel({ model: root });
    const gpu = await createTransformersModel({ model: root, device: "webgpu" });
    try {
      expect(gpu.device).toBe("webgpu");
      const [onCpu, onGpu] = [await cpu.generate(request), await gpu.generate(request)];
      expect(onGpu.responseTokenIds).toEqual(onCpu.responseTokenIds);
      expect(onGpu.text).toBe(onCpu.text);
      onGpu.responseLogprobs!.forEach((value, index) => {
        expect(value).toBeCloseTo(onCpu.responseLogprobs![index]!, 3);
      });
    } finally {
      await Promise.all([cpu.dispose(), gpu.dispose()]);
    }
  }, 180_000);
});
