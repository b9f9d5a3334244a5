import {
  type CallOptions,
  type MemoryItem,
  type MemoryLayout,
  type MemoryOperation,
  type MemoryPolicy,
  type PolicyDecision,
  type PolicyInput,
  SPECIFICATION_VERSION,
  throwIfAborted,
} from "@finemem/spec";
import { splitSentences } from "@finemem/utils";
import { deterministicDecision } from "../policy/deterministic-decision.js";
import { bestScoringSlot, type FactSlot } from "../policy/fact-slots.js";
import { layoutOption } from "../policy/policy-options-error.js";
import { type FactKey, factKeyOf, relationOverlap } from "./fact-key.js";
import { StoredFacts } from "./stored-facts.js";
import { StoredFactsCache } from "./stored-facts-cache.js";

export interface HeuristicPolicyOptions {
  /** `flat` (default) or `typed`, where every fact is a semantic item. */
  readonly layout?: MemoryLayout;
}

interface Slot extends FactSlot<FactKey> {
  content: string;
}

/**
 * The embedded default memory manager, which needs no model. It splits the chunk into sentences (one
 * fact each), and for each finds the item about the same subject whose relation words overlap most
 * (see `factKeyOf`): it UPDATEs that item with the new sentence, or INSERTs the sentence when no item
 * matches. A sentence already stored word for word is left alone; a chunk that changes nothing is a
 * SKIP. Within one step, a second statement of the same fact replaces the first, so one chunk never
 * writes two versions of a fact.
 */
export function createHeuristicPolicy(options: HeuristicPolicyOptions = {}): MemoryPolicy {
  const layout = layoutOption(options.layout ?? "flat");
  // Stores hand out the same frozen item object until the item is written again, so each stored
  // fact is read once, not once per step (every step would otherwise re-read the whole memory).
  const storedKeys = new WeakMap<MemoryItem, FactKey>();
  const keyOfItem = (item: MemoryItem): FactKey => {
    let key = storedKeys.get(item);
    if (key === undefined) {
      key = factKeyOf(item.content);
      storedKeys.set(item, key);
    }
    return key;
  };
  const isFact = (item: MemoryItem) => layout === "flat" || item.memoryType === "semantic";
  const memories = new StoredFactsCache(() => new StoredFacts(isFact, keyOfItem));
  return {
    specificationVersion: SPECIFICATION_VERSION,
    policyId: layout === "flat" ? "heuristic" : "heuristic-typed",
    layout,
    async decide(input: PolicyInput, callOptions?: CallOptions): Promise<PolicyDecision> {
      throwIfAborted(callOptions?.signal);
      // The stored facts are kept from step to step and updated by what changed; this step's own
      // writes go to slots copied from them, per subject the step touches, so a step costs the
      // items about its sentences' subjects, not the size of the whole memory.
      const facts = memories.factsOf(input.view);
      const written = new Set<string>();
      const slotsBySubject = new Map<string, Slot[]>();
      const slotsAbout = (subject: string): Slot[] => {
        let slots = slotsBySubject.get(subject);
        if (slots === undefined) {
          slots = facts.about(subject).map((fact) => ({
            target: { kind: "stored", id: fact.id },
            key: fact.key,
            content: fact.content,
            recency: fact.recency,
          }));
          slotsBySubject.set(subject, slots);
        }
        return slots;
      };
      const inserts: string[] = [];
      const updates = new Map<string, string>();
      let clock = input.step;
      for (const span of splitSentences(input.chunk.text)) {
        const sentence = span.text.trim();
        if (sentence.length === 0 || facts.holds(sentence) || written.has(sentence)) continue;
        const key = factKeyOf(sentence);
        const slot = key.subject === undefined ? undefined : bestSlot(slotsAbout(key.subject), key);
        clock += 1e-6;
        if (slot === undefined) {
          if (key.subject !== undefined)
            slotsAbout(key.subject).push({
              target: { kind: "inserted", index: inserts.length },
              key,
              content: sentence,
              recency: clock,
            });
          inserts.push(sentence);
        } else {
          // The subject is unchanged (it is how the slot was found), so the slot stays in its group.
          slot.key = key;
          slot.content = sentence;
          slot.recency = clock;
          if (slot.target.kind === "inserted") inserts[slot.target.index] = sentence;
          else updates.set(slot.target.id, sentence);
        }
        written.add(sentence);
      }
      const memoryType = layout === "typed" ? { memoryType: "semantic" as const } : {};
      const operations: MemoryOperation[] = [
        ...[...updates].map(([id, content]) => ({ type: "UPDATE" as const, id, content, ...memoryType })),
        ...inserts.map((content) => ({ type: "INSERT" as const, content, ...memoryType })),
      ];
      return deterministicDecision(operations.length === 0 ? [{ type: "SKIP" }] : operations);
    },
  };
}

/**
 * The slot with the most shared relation words; ties go to the most recently written. Short facts
 * ("X's age is 39 years") pair on one shared word; longer sentences need a third of the shorter one's
 * relation words, so two long sentences about one person do not pair on a single common word.
 */
function bestSlot(slots: readonly Slot[], key: FactKey): Slot | undefined {
  return bestScoringSlot(slots, (slot) => {
    const overlap = relationOverlap(slot.key, key);
    return overlap < Math.ceil(Math.min(slot.key.relation.length, key.relation.length) / 3) ? 0 : overlap;
  });
}
