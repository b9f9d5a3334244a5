// The memory manager on a transformers.js model, for one synthetic episode end to end: prompt → local
// generation → reply parser → store, step after step, with the token-level record a trainer needs.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { policyDecisionValidator } from "@finemem/spec";
import { writeTinyCausalLm } from "@finemem/testing";
import { AutoTokenizer } from "@huggingface/transformers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLlmMemoryPolicy } from "../policy/llm-memory-policy.js";
import { runPolicyEpisode } from "../test-support/run-policy-episode.js";
import { SEED_2_UNCHANGED_EPISODE } from "../test-support/synthetic-episodes.js";
import { createTransformersModel, type TransformersModel } from "./transformers-model.js";

const root = mkdtempSync(join(tmpdir(), "finemem-transformers-episode-"));
let model: TransformersModel;

beforeAll(async () => {
  // eosBias 0 lets the random model end its turn, as a chat model does.
  await writeTinyCausalLm(root, { eosBias: 0 });
  model = await createTransformersModel({ model: root, threads: 1 });
});
afterAll(async () => {
  await model?.dispose();
  rmSync(root, { recursive: true, force: true });
});

describe("the memory manager on a transformers.js model", () => {
  for (const callStyle of ["text", "tools"] as const) {
    it(`runs a synthetic episode end to end (${callStyle} call style), with token ids and log-probabilities per step`, async () => {
      const instance = SEED_2_UNCHANGED_EPISODE;
      const policy = createLlmMemoryPolicy({
        model,
        callStyle,
        sampling: { temperature: 1, seed: 11, maxTokens: 48 },
        returnTokenIds: true,
      });
      const trace = await runPolicyEpisode(instance, policy);
      const tokenizer = await AutoTokenizer.from_pretrained(root, { local_files_only: true });
      expect(trace.decisions).toHaveLength(3);
      for (const [index, decision] of trace.decisions.entries()) {
        expect(policyDecisionValidator.validate(decision).ok).toBe(true);
        expect(decision.promptTokenIds!.length).toBeGreaterThan(100);
        expect(decision.responseLogprobs).toHaveLength(decision.responseTokenIds!.length);
        expect(decision.actionLogprob).toMatchObject({ source: "tokens", count: decision.responseTokenIds!.length });
        expect(trace.results[index]).toHaveLength(decision.operations.length);
        // What the model read at step t holds chunk t, through the model's own chat template.
        const prompt = tokenizer.decode([...decision.promptTokenIds!], { skip_special_tokens: false });
        expect(prompt).toContain(instance.chunks[index]!.text);
        expect(prompt.endsWith("<|im_start|>assistant\n")).toBe(true);
      }
    });
  }
});
