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
import { deterministicDecision } from "../../policy/deterministic-decision.js";
import { bestScoringSlot, type FactSlot } from "../../policy/fact-slots.js";
import { layoutOption } from "../../policy/policy-options-error.js";
import { type FactKey, factKeyOf, relationOverlap } from "../fact-key.js";

interface Slot extends FactSlot<FactKey> {
  content: string;
}

/**
 * The heuristic policy as it was before its maps were kept from step to step: every step rebuilds
 * them from the whole view. Kept verbatim as the oracle the incremental policy's decisions are
 * checked against (heuristic-policy.incremental.test.ts).
 */
export function createPreviousHeuristicPolicy(options: { readonly layout?: MemoryLayout } = {}): MemoryPolicy {
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
  return {
    specificationVersion: SPECIFICATION_VERSION,
    policyId: layout === "flat" ? "heuristic" : "heuristic-typed",
    layout,
    async decide(input: PolicyInput, callOptions?: CallOptions): Promise<PolicyDecision> {
      throwIfAborted(callOptions?.signal);
      const factItems = input.view.items.filter((item) => layout === "flat" || item.memoryType === "semantic");
      const stored = new Set(factItems.map((item) => item.content.trim()));
      // Only facts about the same subject can pair, so slots are grouped by subject: a step costs the
      // number of items about each sentence's subject, not the size of the whole memory.
      const slotsBySubject = new Map<string, Slot[]>();
      const addSlot = (slot: Slot) => {
        if (slot.key.subject === undefined) return;
        const list = slotsBySubject.get(slot.key.subject);
        if (list === undefined) slotsBySubject.set(slot.key.subject, [slot]);
        else list.push(slot);
      };
      for (const item of factItems)
        addSlot({
          target: { kind: "stored", id: item.id },
          key: keyOfItem(item),
          content: item.content,
          recency: item.step,
        });
      const inserts: string[] = [];
      const updates = new Map<string, string>();
      let clock = input.step;
      for (const span of splitSentences(input.chunk.text)) {
        const sentence = span.text.trim();
        if (sentence.length === 0 || stored.has(sentence)) continue;
        const key = factKeyOf(sentence);
        const slot = key.subject === undefined ? undefined : bestSlot(slotsBySubject.get(key.subject) ?? [], key);
        clock += 1e-6;
        if (slot === undefined) {
          addSlot({ target: { kind: "inserted", index: inserts.length }, key, content: sentence, recency: clock });
          inserts.push(sentence);
        } else {
          // The subject is unchanged (it is how the slot was found), so the slot stays in its group.
          slot.key = key;
          slot.content = sentence;
          slot.recency = clock;
          if (slot.target.kind === "inserted") inserts[slot.target.index] = sentence;
          else updates.set(slot.target.id, sentence);
        }
        stored.add(sentence);
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
