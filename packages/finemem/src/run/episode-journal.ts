import { appendFile, truncate } from "node:fs/promises";
import { encodeJsonlLine } from "@finemem/utils";
import type { EpisodeCheckpoint, RecordedQuestion, RecordedStep } from "../episode/episode-checkpoint.js";
import { readJournalLines } from "./journal-lines.js";
import { RunError } from "./run-error.js";

type JournalLine = ({ readonly kind: "step" } & RecordedStep) | ({ readonly kind: "question" } & RecordedQuestion);

/**
 * An episode's checkpoint backed by an append-only JSONL file: one line per finished step or
 * question, written before the work counts as done. A process killed mid-write leaves at most a torn
 * last line, which is cut off on open (that work is redone); any other unreadable line is a
 * `corrupt_journal` error naming the file and line, and the file is left as it was.
 */
export async function openEpisodeJournal(path: string): Promise<EpisodeCheckpoint> {
  const steps = new Map<number, RecordedStep>();
  const questions = new Map<string, RecordedQuestion>();
  const { lines, text, tornTail: tail } = await readJournalLines(path, "remove the file to redo that episode");
  lines.forEach((line, index) => {
    const parsed = line as JournalLine;
    if (parsed.kind === "step") {
      const { kind: _kind, ...step } = parsed;
      steps.set(step.step, step);
    } else if (parsed.kind === "question") {
      const { kind: _kind, ...question } = parsed;
      questions.set(question.questionId, question);
    } else {
      throw new RunError(
        "corrupt_journal",
        `${path} line ${index + 1}: unknown kind ${JSON.stringify((parsed as { kind?: unknown }).kind)} (expected step or question)`,
        ["journal", path, index + 1],
      );
    }
  });
  if (tail.length > 0) await truncate(path, Buffer.byteLength(text, "utf8") - Buffer.byteLength(tail, "utf8"));

  // Appends are serialised so two lines never interleave, whatever the caller's concurrency.
  let queue: Promise<void> = Promise.resolve();
  const append = (line: JournalLine): Promise<void> => {
    const encoded = encodeJsonlLine(line);
    queue = queue.then(() => appendFile(path, encoded.endsWith("\n") ? encoded : `${encoded}\n`));
    return queue;
  };
  return {
    steps,
    questions,
    async recordStep(step) {
      await append({ kind: "step", ...step });
      steps.set(step.step, step);
    },
    async recordQuestion(question) {
      await append({ kind: "question", ...question });
      questions.set(question.questionId, question);
    },
  };
}
