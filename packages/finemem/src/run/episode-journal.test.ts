import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RecordedQuestion, RecordedStep } from "../episode/episode-checkpoint.js";
import { openEpisodeJournal } from "./episode-journal.js";

const folder = mkdtempSync(join(tmpdir(), "finemem-journal-"));
const step = (number: number): RecordedStep => ({
  step: number,
  chunkId: `c${number}`,
  decision: {
    operations: [{ type: "SKIP" }],
    parseOutcomes: [{ fragment: 0, status: "parsed", operationIndex: 0, repairs: [] }],
    rawOutput: "",
    actionLogprob: null,
  },
  results: [
    { operationId: `s${number}.0`, status: "applied", type: "SKIP" } as unknown as RecordedStep["results"][number],
  ],
  chunkScore: null,
  chunkAnswers: [],
  memoryTokens: 0,
});
const question = (id: string): RecordedQuestion => ({
  questionId: id,
  record: { questionId: id, retrieved: [], answer: "a", score: 1 },
});

describe("openEpisodeJournal", () => {
  it("keeps what was recorded across reopenings", async () => {
    const path = join(folder, "a.jsonl");
    const journal = await openEpisodeJournal(path);
    await Promise.all([
      journal.recordStep(step(1)),
      journal.recordQuestion(question("q1")),
      journal.recordStep(step(2)),
    ]);
    const reopened = await openEpisodeJournal(path);
    expect([...reopened.steps.keys()]).toEqual([1, 2]);
    expect(reopened.steps.get(2)).toEqual(step(2));
    expect(reopened.questions.get("q1")).toEqual(question("q1"));
  });

  it("cuts a torn last line (a kill mid-write) and appends after it", async () => {
    const path = join(folder, "torn.jsonl");
    const journal = await openEpisodeJournal(path);
    await journal.recordStep(step(1));
    appendFileSync(path, '{"kind":"step","step":2,"chunk');
    const reopened = await openEpisodeJournal(path);
    expect([...reopened.steps.keys()]).toEqual([1]);
    await reopened.recordStep(step(2));
    expect([...(await openEpisodeJournal(path)).steps.keys()]).toEqual([1, 2]);
  });

  it("refuses a corrupt line that is not the last, naming the file and line, and leaves the file as it was", async () => {
    const path = join(folder, "corrupt.jsonl");
    const text = `${JSON.stringify({ kind: "step", ...step(1) })}\nnot json\n${JSON.stringify({ kind: "step", ...step(2) })}\n`;
    writeFileSync(path, text);
    await expect(openEpisodeJournal(path)).rejects.toMatchObject({
      code: "corrupt_journal",
      message: expect.stringContaining(`${path} line 2`),
    });
    expect(readFileSync(path, "utf8")).toBe(text);
    writeFileSync(path, `${JSON.stringify({ kind: "checkpoint" })}\n`);
    await expect(openEpisodeJournal(path)).rejects.toMatchObject({
      code: "corrupt_journal",
      message: expect.stringContaining("unknown kind"),
    });
  });
});
