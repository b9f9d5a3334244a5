import { type CallOptions, SPECIFICATION_VERSION } from "../call-options.js";
import { throwIfAborted } from "../errors.js";
import type { MemoryItem } from "../memory.js";
import type { EvidenceRecord, Question, Reasoner, ReasonerInput } from "../reasoner.js";

export interface ConstantReasonerOptions {
  /** The answer to every question, or a function of the question alone (never of the memory). */
  readonly answer: string | ((question: Question) => string);
  /**
   * Chooses the evidence from the memory, best first. Defaults to every current item in memory order,
   * which makes each item share the credit equally, as in the paper.
   */
  readonly retrieve?: (question: Question, items: readonly MemoryItem[]) => readonly MemoryItem[];
  readonly reasonerId?: string;
}

export interface ConstantReasoner extends Reasoner {
  readonly inputs: readonly ReasonerInput[];
}

/** A {@link Reasoner} whose answers do not depend on the memory; its evidence does. */
export function createConstantReasoner(options: ConstantReasonerOptions): ConstantReasoner {
  const inputs: ReasonerInput[] = [];
  return {
    specificationVersion: SPECIFICATION_VERSION,
    reasonerId: options.reasonerId ?? "constant-reasoner",
    inputs,
    async answer(input: ReasonerInput, callOptions?: CallOptions): Promise<EvidenceRecord> {
      throwIfAborted(callOptions?.signal);
      inputs.push(input);
      const chosen = options.retrieve ? options.retrieve(input.question, input.memory.items) : input.memory.items;
      return {
        questionId: input.question.id,
        retrieved: chosen.map((item, index) => ({ itemId: item.id, version: item.version, rank: index + 1, score: 1 })),
        answer: typeof options.answer === "string" ? options.answer : options.answer(input.question),
        score: null,
      };
    },
  };
}
