import { MemoryManagerError } from "./memory-manager-error.js";

/** One message of a live conversation, as an agent hands it to the memory manager. */
export interface ConversationTurn {
  /** Who spoke, e.g. `user`, `assistant`, `tool`: one line of text. */
  readonly role: string;
  /** What was said; must hold something other than whitespace. */
  readonly content: string;
  /** When it was said, free text (e.g. an ISO date), kept in the chunk so the policy can date facts. */
  readonly at?: string;
}

/** Turns a turn into the line(s) of chunk text the policy reads. */
export type TurnRenderer = (turn: ConversationTurn) => string;

/**
 * The default rendering, `role: content` (or `[at] role: content`): the transcript shape chat
 * histories have in Memalpha's and MemoryAgentBench's chunks, so a trained manager reads what it saw.
 */
export const renderConversationTurn: TurnRenderer = (turn) =>
  `${turn.at === undefined ? "" : `[${turn.at}] `}${turn.role}: ${turn.content.trim()}`;

const LINE_BREAK = /[\r\n]/u;

/**
 * Checks a turn at the door, so a bad turn fails the `observe` call that brought it rather than a
 * later step that would have to drop it (or the whole chunk) silently.
 */
export function checkConversationTurn(turn: ConversationTurn): ConversationTurn {
  if (typeof turn !== "object" || turn === null)
    throw new MemoryManagerError("invalid_turn", "a turn must be an object { role, content, at? }");
  const { role, content, at } = turn;
  if (typeof role !== "string" || role.trim().length === 0 || LINE_BREAK.test(role)) {
    throw new MemoryManagerError(
      "invalid_turn",
      `role must be one non-empty line of text, got ${JSON.stringify(role)}`,
      ["role"],
    );
  }
  if (typeof content !== "string" || content.trim().length === 0) {
    throw new MemoryManagerError(
      "invalid_turn",
      `content must hold something other than whitespace, got ${JSON.stringify(content)}`,
      ["content"],
    );
  }
  if (at !== undefined && (typeof at !== "string" || at.trim().length === 0 || LINE_BREAK.test(at))) {
    throw new MemoryManagerError(
      "invalid_turn",
      `at must be one non-empty line of text when given, got ${JSON.stringify(at)}`,
      ["at"],
    );
  }
  return { role: role.trim(), content, ...(at === undefined ? {} : { at: at.trim() }) };
}
