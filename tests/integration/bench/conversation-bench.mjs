// The agent's memory on the conversational suite (conversation-suite.mjs): each conversation is
// observed turn by turn by `createMemoryManager` with its defaults (the default policy and recall), then
// flushed, and each question recalled. Per category: recall@1 (the top item holds the current value),
// the stale share (some recalled item holds the old value and not the current one), and for distractor
// questions the share answered with anything (it should be none). Two chunk budgets: 8 tokens (each
// turn its own step) and the default 512 (the conversation in one step).
//
//   npm run build && npm run bench:conversation -w @finemem/integration-tests
import { createMemoryManager } from "@finemem/agent";
import { conversationSuite } from "./conversation-suite.mjs";

const suite = conversationSuite();
const contains = (text, value) => text.toLowerCase().includes(value.toLowerCase());

for (const chunkTokens of [8, 512]) {
  const totals = new Map();
  for (const conversation of suite) {
    const manager = createMemoryManager({ chunkTokens });
    for (const turn of conversation.turns) await manager.observe(turn);
    await manager.flush();
    const entry = totals.get(conversation.category) ?? { questions: 0, top: 0, stale: 0, answered: 0 };
    for (const question of conversation.questions) {
      const { items } = await manager.recall(question.text);
      entry.questions++;
      if (items.length > 0) entry.answered++;
      if (question.current !== null && items[0] !== undefined && contains(items[0].content, question.current))
        entry.top++;
      if (
        question.stale !== null &&
        items.some((item) => contains(item.content, question.stale) && !contains(item.content, question.current))
      )
        entry.stale++;
    }
    totals.set(conversation.category, entry);
  }
  console.log(`\nchunkTokens ${chunkTokens}: ${suite.length} conversations`);
  console.log(["category".padEnd(11), "questions", "recall@1", "stale share", "answered"].join("  "));
  for (const [category, { questions, top, stale, answered }] of totals) {
    const recallAt1 = category === "distractor" ? "-" : (top / questions).toFixed(3);
    const staleShare = category === "changed" || category === "correction" ? (stale / questions).toFixed(3) : "-";
    console.log(
      [
        category.padEnd(11),
        String(questions).padEnd(9),
        recallAt1.padEnd(8),
        staleShare.padEnd(11),
        (answered / questions).toFixed(3),
      ].join("  "),
    );
  }
}
