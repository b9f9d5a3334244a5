import {
  createValidator,
  type JsonValue,
  type MemoryOperation,
  type MemoryPolicy,
  type PolicyDecision,
  SPECIFICATION_VERSION,
} from "@finemem/spec";
import { createSeededRandom } from "@finemem/utils";
import { z } from "zod";

/**
 * A decision policy whose probabilities a test knows: for each sentence of the chunk it draws
 * INSERT with probability `pInsert` (else SKIP) from a seeded random source, so the log-probability
 * of each decision is ln pInsert or ln(1 − pInsert). In training steps the decision carries the
 * replay payload (the sentences, the choices, pInsert) and one log-probability per decision.
 */
export function createCoinFlipPolicy(options: { readonly seed: string; readonly pInsert?: number }): MemoryPolicy {
  const pInsert = options.pInsert ?? 0.75;
  const random = createSeededRandom(options.seed);
  return {
    specificationVersion: SPECIFICATION_VERSION,
    policyId: `coin-flip:${pInsert}`,
    layout: "flat",
    replayValidator: coinFlipReplayValidator,
    async decide(input): Promise<PolicyDecision> {
      const sentences = input.chunk.text.split(/(?<=[.!?])\s+/u).filter((sentence) => sentence.trim() !== "");
      const choices = sentences.map(() => (random.next() < pInsert ? "INSERT" : "SKIP"));
      const decisionLogprobs = choices.map((choice) => Math.log(choice === "INSERT" ? pInsert : 1 - pInsert));
      const inserts: MemoryOperation[] = sentences
        .filter((_, index) => choices[index] === "INSERT")
        .map((content) => ({ type: "INSERT", content }));
      const operations: MemoryOperation[] = inserts.length > 0 ? inserts : [{ type: "SKIP" }];
      return {
        operations,
        parseOutcomes: operations.map((_, index) => ({
          fragment: index,
          status: "parsed",
          operationIndex: index,
          repairs: [],
        })),
        rawOutput: choices.join(" "),
        actionLogprob: {
          value: decisionLogprobs.reduce((sum, value) => sum + value, 0),
          source: "decisions",
          count: decisionLogprobs.length,
        },
        ...(input.training === true ? { replay: { pInsert, sentences, choices }, decisionLogprobs } : {}),
      };
    },
  };
}

export const coinFlipReplaySchema = z.strictObject({
  pInsert: z.number().gt(0).lt(1),
  sentences: z.array(z.string().min(1)),
  choices: z.array(z.enum(["INSERT", "SKIP"])),
});

export const coinFlipReplayValidator = createValidator<JsonValue>("CoinFlipReplay", coinFlipReplaySchema);
