import type { MemoryItem } from "@finemem/spec";
import { describe, expect, it } from "vitest";
import { decisionRows, factCandidates, indexItem, StepIndex } from "./candidate-features.js";
import { FEATURE_WIDTH, featureMask } from "./feature-groups.js";
import { sentenceTokens } from "./sentence-tokens.js";

function item(id: string, content: string, step = 1): MemoryItem {
  return { id, content, version: 1, createdStep: step, step, operationId: `op-${id}` };
}

describe("sentence tokens", () => {
  it("separates names, full names, content words and numbers", () => {
    const tokens = sentenceTokens("The chief executive of Opalwyn Holdings is Oyelaran, aged 61.");
    expect([...tokens.names]).toEqual(["opalwyn", "holdings", "oyelaran"]);
    expect([...tokens.namePairs]).toEqual(["opalwyn holdings"]);
    expect([...tokens.content]).toEqual(["chief", "executive", "aged"]);
    expect([...tokens.numbers]).toEqual(["61"]);
  });

  it("strips possessives, and a possessive ends a name", () => {
    const tokens = sentenceTokens("Ada Lovelace's Engine runs.");
    expect([...tokens.names]).toEqual(["ada", "lovelace", "engine"]);
    expect([...tokens.namePairs]).toEqual(["ada lovelace"]);
  });
});

describe("candidates and their pair columns", () => {
  const view = [
    item("a", "Ada Lovelace's job title is baker.", 1),
    item("b", "Ada Brennick's job title is pilot.", 2),
    item("c", "Ada Lovelace's city of residence is Cork.", 3),
    item("d", "The mascot of Jaxtor Holdings is a badger.", 4),
  ];
  const index = new StepIndex(view.map(indexItem));

  it("ranks the same fact about the same person first, and leaves out items sharing no word", () => {
    const fact = factCandidates("Ada Lovelace retrained for job title beekeeper.", index, 6, 3, new Set());
    expect(fact.candidates.map((candidate) => candidate.item.id)).toEqual(["a", "b", "c"]);
    // Worked by hand for item a: fact names {ada, lovelace}, item names {ada, lovelace}: 2/2 and 2/2;
    // the pair "ada lovelace" shared; fact content {retrained, job, title, beekeeper}, item {job, title,
    // baker}: 2/4 and 2/3; no duplicate; terms {ada, lovelace, retrained, job, title, beekeeper} and
    // {ada, lovelace, job, title, baker}: 4 shared of 7 → Jaccard 4/7; no numbers; written 5 steps ago.
    const [a] = fact.candidates;
    expect(a!.pair[0]).toBe(1);
    expect(a!.pair[1]).toBe(1);
    expect(a!.pair[2]).toBe(1);
    expect(a!.pair[3]).toBe(0.5);
    expect(a!.pair[4]).toBeCloseTo(2 / 3, 12);
    expect(a!.pair[6]).toBe(1);
    expect(a!.pair[7]).toBe(0);
    expect(a!.pair[8]).toBeCloseTo(4 / 7, 12);
    expect(a!.pair[9]).toBe(0);
    expect(a!.pair[10]).toBeCloseTo(1 - Math.exp(-1), 12);
    // The namesake shares one name of two and no full name.
    const b = fact.candidates[1]!;
    expect(b.pair.slice(0, 3)).toEqual([0.5, 0.5, 0]);
  });

  it("skips items already taken this step, and keeps k", () => {
    const fact = factCandidates("Ada Lovelace retrained for job title beekeeper.", index, 6, 1, new Set(["a"]));
    expect(fact.candidates.map((candidate) => candidate.item.id)).toEqual(["b"]);
  });

  it("marks a word-for-word duplicate and differing numbers", () => {
    const numbers = new StepIndex(
      [item("n", "Jorunn Pellinore's age is 67 years."), item("m", "Jorunn Pellinore's age is 68 years.")].map(
        indexItem,
      ),
    );
    const fact = factCandidates("Jorunn Pellinore's age is 67 years.", numbers, 2, 2, new Set());
    const byId = Object.fromEntries(fact.candidates.map((candidate) => [candidate.item.id, candidate.pair]));
    expect(byId.n![7]).toBe(1);
    expect(byId.n![9]).toBe(0);
    expect(byId.m![7]).toBe(0);
    expect(byId.m![9]).toBe(1);
  });

  it("lays out SKIP, INSERT, then UPDATE and DELETE per candidate, with the best-of context on every row", () => {
    const fact = factCandidates("Ada Lovelace retrained for job title beekeeper.", index, 6, 2, new Set());
    const { kinds, rows } = decisionRows(fact, featureMask(new Set()));
    expect(kinds).toEqual(["SKIP", "INSERT", "UPDATE", "DELETE", "UPDATE", "DELETE"]);
    expect(rows.every((row) => row.length === FEATURE_WIDTH)).toBe(true);
    expect(rows[0]!.slice(0, 4)).toEqual([1, 0, 0, 0]);
    expect(rows[3]!.slice(0, 4)).toEqual([0, 0, 0, 1]);
    // The kind prior: −ln 2 (two candidates) on UPDATE and DELETE rows, 0 on SKIP and INSERT.
    expect(rows.map((row) => row[4])).toEqual([0, 0, -Math.log(2), -Math.log(2), -Math.log(2), -Math.log(2)]);
    // SKIP and INSERT carry no pair columns; every row carries the same context.
    expect(rows[0]!.slice(5, 16).every((value) => value === 0)).toBe(true);
    expect(rows[2]!.slice(5, 16)).toEqual(fact.candidates[0]!.pair);
    const context = rows[0]!.slice(16);
    for (const row of rows) expect(row.slice(16)).toEqual(context);
    // Best full-name match over the two candidates is 1; the fact has candidates and names something.
    expect(context[2]).toBe(1);
    expect(context.slice(-2)).toEqual([1, 1]);
  });

  it("zeroes a disabled group's columns everywhere", () => {
    const fact = factCandidates("Ada Lovelace retrained for job title beekeeper.", index, 6, 2, new Set());
    const { rows } = decisionRows(fact, featureMask(new Set(["names"])));
    for (const row of rows) {
      expect(row.slice(5, 8)).toEqual([0, 0, 0]);
      expect(row.slice(16, 19)).toEqual([0, 0, 0]);
    }
  });
});

describe("the first word of a sentence", () => {
  it("is a content word unless it starts a longer name or is possessive", () => {
    expect([...sentenceTokens("Mascot of Korvell Foundry became a bison.").names]).toEqual(["korvell", "foundry"]);
    expect([...sentenceTokens("Mascot of Korvell Foundry became a bison.").content]).toContain("mascot");
    expect([...sentenceTokens("Ada Lovelace retrained.").names]).toEqual(["ada", "lovelace"]);
    expect([...sentenceTokens("Petrov's dog barks.").names]).toEqual(["petrov"]);
  });
});
