import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { memoryOperationValidator, policyDecisionValidator } from "@finemem/spec";
import { writeTinyGguf } from "@finemem/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLlmMemoryPolicy } from "../policy/llm-memory-policy.js";
import { runPolicyEpisode } from "../test-support/run-policy-episode.js";
import { SEED_3_EPISODE } from "../test-support/synthetic-episodes.js";
import { createLlamaCppModel, type LlamaCppModel } from "./index.js";

let dir: string;
let modelPath: string;
const models: LlamaCppModel[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "finemem-llama-cpp-policy-"));
  // The text call style's system prompt is ~2,400 characters, about as many tokens in the tiny vocabulary.
  modelPath = (await writeTinyGguf(join(dir, "tiny-llama.gguf"), { contextLength: 4096 })).path;
});

afterAll(async () => {
  for (const model of models) await model.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe("createLlmMemoryPolicy over a local GGUF model", () => {
  const instance = SEED_3_EPISODE;

  it.each([
    ["flat", "tools"],
    ["memalpha", "text"],
  ] as const)(
    "%s tools, call style %s: one synthetic episode runs end to end on a real store",
    async (toolSet, callStyle) => {
      const model = createLlamaCppModel({
        modelPath,
        contextSize: 4096,
        operationGrammar: { toolSet, maxOperations: 3, maxContentChars: 32, maxIdChars: 8 },
      });
      models.push(model);
      const policy = createLlmMemoryPolicy({
        model,
        prompt: toolSet,
        callStyle,
        sampling: { temperature: 1, seed: 17 },
        returnTokenIds: true,
      });
      expect(policy.policyId).toMatch(/^llm:tiny-llama:/);
      const trace = await runPolicyEpisode(instance, policy);

      expect(trace.decisions).toHaveLength(instance.chunks.length);
      let applied = 0;
      for (const [step, decision] of trace.decisions.entries()) {
        expect(policyDecisionValidator.validate(decision).ok).toBe(true);
        // Every call-like fragment parsed, without repairs, and became an operation the spec accepts.
        expect(decision.parseOutcomes.length).toBeGreaterThanOrEqual(1);
        expect(decision.parseOutcomes.every((outcome) => outcome.status === "parsed")).toBe(true);
        expect(decision.operations).toHaveLength(decision.parseOutcomes.length);
        for (const operation of decision.operations) expect(memoryOperationValidator.validate(operation).ok).toBe(true);
        // The action's log-probability sums one value per response token.
        expect(decision.actionLogprob).toMatchObject({ source: "tokens", count: decision.responseTokenIds!.length });
        expect(decision.actionLogprob!.value).toBeLessThan(0);
        // The store answered every operation; refusals (an id the random model made up) are the store's to give.
        const results = trace.results[step]!;
        expect(results).toHaveLength(decision.operations.length);
        for (const result of results) {
          if (result.status === "rejected")
            expect(["unknown_id", "deleted_id", "duplicate_insert", "wrong_kind"]).toContain(result.reason);
          else applied++;
        }
      }
      expect(applied).toBeGreaterThan(0);
      // What the store holds is exactly what the applied operations wrote.
      expect(trace.finalView.items.length).toBeGreaterThan(0);
    },
  );
});
