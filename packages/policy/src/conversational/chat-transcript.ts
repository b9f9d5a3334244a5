/**
 * Reads a chunk of a conversation back into turns. The agent's memory manager renders each turn as
 * `role: content` (or `[at] role: content`) on its own line(s); a line that does not open with a role
 * continues the turn before it. A chunk with no role prefix at all (a document, a benchmark chunk) is
 * one turn without a role.
 */

export interface TranscriptTurn {
  /** Lowercased, or `null` for text with no role prefix. */
  readonly role: string | null;
  /** The turn's time as the line gave it (`[at] role: …`), or `null`. */
  readonly at: string | null;
  readonly content: string;
}

// A role is one short word (user, assistant, tool, system, a name): longer text before a colon is
// prose ("Note to self: …"), not a speaker.
const TURN_LINE = /^(?:\[([^\]\n]*)\]\s+)?([A-Za-z][\w-]{0,31}):\s?(.*)$/u;

export function transcriptTurns(text: string): TranscriptTurn[] {
  const turns: { role: string | null; at: string | null; lines: string[] }[] = [];
  let sawRole = false;
  for (const line of text.split(/\r?\n/u)) {
    const match = TURN_LINE.exec(line);
    if (match !== null) {
      sawRole = true;
      turns.push({ role: match[2]!.toLowerCase(), at: match[1]?.trim() || null, lines: [match[3]!] });
    } else if (turns.length > 0) {
      turns.at(-1)!.lines.push(line);
    } else {
      turns.push({ role: null, at: null, lines: [line] });
    }
  }
  if (!sawRole) return [{ role: null, at: null, content: text }];
  return turns.map((turn) => ({ role: turn.role, at: turn.at, content: turn.lines.join("\n").trim() }));
}
