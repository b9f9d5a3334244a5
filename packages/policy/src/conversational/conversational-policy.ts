import {
  type CallOptions,
  type MemoryItem,
  type MemoryOperation,
  type MemoryPolicy,
  type PolicyDecision,
  type PolicyInput,
  SPECIFICATION_VERSION,
  throwIfAborted,
} from "@finemem/spec";
import { contentTerms, splitSentences } from "@finemem/utils";
import { deterministicDecision } from "../policy/deterministic-decision.js";
import { bestScoringSlot, type FactSlot } from "../policy/fact-slots.js";
import { PolicyOptionsError } from "../policy/policy-options-error.js";
import { transcriptTurns } from "./chat-transcript.js";
import { restatementScore, type StatementKey, statementKey } from "./statement-key.js";

export interface ConversationalPolicyOptions {
  /**
   * Whose turns become memory, by role (lowercase). Default `["user"]`: what the user says about
   * themselves and their world; the assistant's replies restate or acknowledge it. Text without role
   * prefixes is always read.
   */
  readonly roles?: readonly string[];
}

type Slot = FactSlot<StatementKey>;

/**
 * The memory manager default for conversations, which needs no model. It reads the chunk as turns
 * (`role: content` lines, as the agent's memory manager renders them) and, for each sentence the
 * chosen roles state (questions and sentences without content words are not facts), stores the
 * sentence without its role prefix (a turn's `[at]` time stays, dating the fact): it UPDATEs the item whose statement it restates (see
 * `restatementScore`: same subject, the same words but for the old value; first-person statements
 * included) or INSERTs it. Unrelated facts stay apart; a sentence already stored word for word is left
 * alone; within one step a second statement of a fact replaces the first. Flat layout.
 */
export function createConversationalPolicy(options: ConversationalPolicyOptions = {}): MemoryPolicy {
  const roles = rolesOption(options.roles ?? ["user"]);
  // Stores hand out the same frozen item until it is written again: each is read once.
  const keys = new WeakMap<MemoryItem, StatementKey>();
  const keyOfItem = (item: MemoryItem) => {
    let key = keys.get(item);
    if (key === undefined) {
      key = statementKey(withoutTime(item.content));
      keys.set(item, key);
    }
    return key;
  };
  return {
    specificationVersion: SPECIFICATION_VERSION,
    policyId: "conversational",
    layout: "flat",
    async decide(input: PolicyInput, callOptions?: CallOptions): Promise<PolicyDecision> {
      throwIfAborted(callOptions?.signal);
      const stored = new Set(input.view.items.map((item) => item.content.trim()));
      const slots: Slot[] = input.view.items.map((item) => ({
        target: { kind: "stored", id: item.id },
        key: keyOfItem(item),
        recency: item.step,
      }));
      const inserts: string[] = [];
      const updates = new Map<string, string>();
      let clock = input.step;
      for (const turn of transcriptTurns(input.chunk.text)) {
        if (turn.role !== null && !roles.has(turn.role)) continue;
        for (const span of splitSentences(turn.content)) {
          const said = span.text.trim();
          if (said.length === 0 || said.endsWith("?") || contentTerms(said).length === 0) continue;
          // The turn's time stays with the fact (it dates it); the role prefix does not.
          const sentence = turn.at === null ? said : `[${turn.at}] ${said}`;
          if (stored.has(sentence)) continue;
          const key = statementKey(said);
          clock += 1e-6;
          const slot = bestSlot(slots, key);
          if (slot === undefined) {
            slots.push({ target: { kind: "inserted", index: inserts.length }, key, recency: clock });
            inserts.push(sentence);
          } else {
            slot.key = key;
            slot.recency = clock;
            if (slot.target.kind === "inserted") inserts[slot.target.index] = sentence;
            else updates.set(slot.target.id, sentence);
          }
          stored.add(sentence);
        }
      }
      const operations: MemoryOperation[] = [
        ...[...updates].map(([id, content]) => ({ type: "UPDATE" as const, id, content })),
        ...inserts.map((content) => ({ type: "INSERT" as const, content })),
      ];
      return deterministicDecision(operations.length === 0 ? [{ type: "SKIP" }] : operations);
    },
  };
}

/** The slot the statement restates most closely; ties go to the most recently written. */
function bestSlot(slots: readonly Slot[], key: StatementKey): Slot | undefined {
  return bestScoringSlot(slots, (slot) => restatementScore(slot.key, key));
}

/** A stored statement without the `[time] ` it was dated with. */
function withoutTime(content: string): string {
  return content.replace(/^\[[^\]\n]*\]\s+/u, "");
}

function rolesOption(roles: readonly string[]): ReadonlySet<string> {
  if (!Array.isArray(roles) || roles.some((role) => typeof role !== "string" || role.trim().length === 0)) {
    throw new PolicyOptionsError(
      "roles",
      `expected a list of role names such as ["user"], got ${JSON.stringify(roles)}`,
    );
  }
  return new Set(roles.map((role) => role.trim().toLowerCase()));
}
