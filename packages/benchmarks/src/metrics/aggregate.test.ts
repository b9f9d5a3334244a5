import { describe, expect, it } from "vitest";
import { aggregateScores, type ScoreRow } from "./aggregate.js";
import { AggregationInputError } from "./metric-errors.js";

const row = (
  dataSource: string,
  competency: ScoreRow["competency"],
  instanceId: string,
  questionId: string,
  score: number,
): ScoreRow => ({
  dataSource,
  competency,
  instanceId,
  questionId,
  score,
});

// Hand-computed:
//   squad   i1: (1 + 0 + 1) / 3 = 2/3, i2: 0 / 1 = 0           → squad = (2/3 + 0) / 2 = 1/3
//   hotpotqa i1: (1 + 1) / 2 = 1                              → hotpotqa = 1
//   ruler_qa1 i7: (0.5 + 0) / 2 = 0.25                         → ruler_qa1 = 0.25
//   AR = (1 + 0.25 + 1/3) / 3 over hotpotqa, ruler_qa1, squad; TTL = icl = 0.5
//   average = (1 + 0.5 + 0.25 + 1/3) / 4 over the four sources
const ROWS: readonly ScoreRow[] = [
  row("squad", "AR", "i2", "q1", 0),
  row("squad", "AR", "i1", "q3", 1),
  row("hotpotqa", "AR", "i1", "q1", 1),
  row("squad", "AR", "i1", "q1", 1),
  row("icl_nlu", "TTL", "i1", "q1", 0.5),
  row("ruler_qa1", "AR", "i7", "q2", 0),
  row("squad", "AR", "i1", "q2", 0),
  row("hotpotqa", "AR", "i1", "q2", 1),
  row("ruler_qa1", "AR", "i7", "q1", 0.5),
];

describe("aggregateScores", () => {
  it("averages per instance, then per source, then per competency and overall, sorted", () => {
    const table = aggregateScores(ROWS);
    expect(table.instances).toEqual([
      { dataSource: "hotpotqa", competency: "AR", instanceId: "i1", questions: 2, mean: 1 },
      { dataSource: "icl_nlu", competency: "TTL", instanceId: "i1", questions: 1, mean: 0.5 },
      { dataSource: "ruler_qa1", competency: "AR", instanceId: "i7", questions: 2, mean: 0.25 },
      { dataSource: "squad", competency: "AR", instanceId: "i1", questions: 3, mean: 2 / 3 },
      { dataSource: "squad", competency: "AR", instanceId: "i2", questions: 1, mean: 0 },
    ]);
    expect(table.dataSources).toEqual([
      { dataSource: "hotpotqa", competency: "AR", instances: 1, questions: 2, mean: 1 },
      { dataSource: "icl_nlu", competency: "TTL", instances: 1, questions: 1, mean: 0.5 },
      { dataSource: "ruler_qa1", competency: "AR", instances: 1, questions: 2, mean: 0.25 },
      { dataSource: "squad", competency: "AR", instances: 2, questions: 4, mean: (2 / 3 + 0) / 2 },
    ]);
    expect(table.competencies).toEqual([
      { competency: "AR", dataSources: 3, mean: (1 + 0.25 + (2 / 3 + 0) / 2) / 3 },
      { competency: "TTL", dataSources: 1, mean: 0.5 },
    ]);
    expect(table.average).toEqual({ dataSources: 4, mean: (1 + 0.5 + 0.25 + (2 / 3 + 0) / 2) / 4 });
  });

  it("does not depend on the order of the rows", () => {
    expect(aggregateScores([...ROWS].reverse())).toEqual(aggregateScores(ROWS));
  });

  it("gives an empty table without rows", () => {
    expect(aggregateScores([])).toEqual({
      instances: [],
      dataSources: [],
      competencies: [],
      average: { dataSources: 0, mean: null },
    });
  });

  it("refuses inconsistent rows", () => {
    expect(() => aggregateScores([row("squad", "AR", "i1", "q1", 1.5)])).toThrow(AggregationInputError);
    expect(() => aggregateScores([row("squad", "AR", "i1", "q1", Number.NaN)])).toThrow(AggregationInputError);
    expect(() => aggregateScores([row("squad", "AR", "i1", "q1", 1), row("squad", "AR", "i1", "q1", 0)])).toThrow(
      /scored twice/,
    );
    expect(() => aggregateScores([row("squad", "AR", "i1", "q1", 1), row("squad", "LRU", "i2", "q1", 0)])).toThrow(
      /under both AR and LRU/,
    );
  });
});
