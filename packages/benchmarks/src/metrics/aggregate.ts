/**
 * Result tables from per-question scores, the way docs/method.md §18 and Mem-α average: the mean over an
 * instance's questions, then per data source the mean of its instance means (each instance counts
 * once, however many questions it has). Above that, this project's choice, since the papers print
 * per-source columns and an average of them:
 * - a competency's figure is the mean of its data sources' means (each source counts once);
 * - the `average` is the mean of all data-source means — the papers' "Average" column, recomputed
 *   from the columns (docs/method.md §18: some printed averages are not the mean of their own columns).
 * Sums run in sorted key order, so the figures do not depend on the order of the rows.
 */
import { COMPETENCIES, type Competency } from "@finemem/spec";
import { AggregationInputError } from "./metric-errors.js";

/** One scored question. */
export interface ScoreRow {
  readonly instanceId: string;
  readonly dataSource: string;
  readonly competency: Competency;
  readonly questionId: string;
  /** s_j ∈ [0, 1]. */
  readonly score: number;
}

export interface InstanceAggregate {
  readonly dataSource: string;
  readonly competency: Competency;
  readonly instanceId: string;
  readonly questions: number;
  readonly mean: number;
}

export interface DataSourceAggregate {
  readonly dataSource: string;
  readonly competency: Competency;
  readonly instances: number;
  readonly questions: number;
  /** Mean of the instance means. */
  readonly mean: number;
}

export interface CompetencyAggregate {
  readonly competency: Competency;
  readonly dataSources: number;
  /** Mean of the data-source means. */
  readonly mean: number;
}

export interface AverageAggregate {
  readonly dataSources: number;
  /** Mean of the data-source means; `null` when there are no rows. */
  readonly mean: number | null;
}

/** Every level of the table, each sorted: instances and sources by name, competencies as AR, TTL, LRU, CR. */
export interface AggregateTable {
  readonly instances: readonly InstanceAggregate[];
  readonly dataSources: readonly DataSourceAggregate[];
  readonly competencies: readonly CompetencyAggregate[];
  readonly average: AverageAggregate;
}

/**
 * Aggregates per-question scores into per-instance, per-source, per-competency and average figures.
 *
 * @throws {AggregationInputError} for a score outside [0, 1], a question scored twice, or a data source under two competencies
 */
export function aggregateScores(rows: readonly ScoreRow[]): AggregateTable {
  const sources = new Map<string, { competency: Competency; instances: Map<string, Map<string, number>> }>();
  rows.forEach((row, index) => {
    if (!Number.isFinite(row.score) || row.score < 0 || row.score > 1) {
      throw new AggregationInputError(`row ${index}: score ${row.score} is not in [0, 1]`, { path: [index, "score"] });
    }
    let source = sources.get(row.dataSource);
    if (source === undefined) {
      source = { competency: row.competency, instances: new Map() };
      sources.set(row.dataSource, source);
    } else if (source.competency !== row.competency) {
      throw new AggregationInputError(
        `row ${index}: data source "${row.dataSource}" is under both ${source.competency} and ${row.competency}`,
        {
          path: [index, "competency"],
        },
      );
    }
    let questions = source.instances.get(row.instanceId);
    if (questions === undefined) {
      questions = new Map();
      source.instances.set(row.instanceId, questions);
    }
    if (questions.has(row.questionId)) {
      throw new AggregationInputError(
        `row ${index}: question "${row.questionId}" of instance "${row.instanceId}" (${row.dataSource}) is scored twice`,
        {
          path: [index, "questionId"],
        },
      );
    }
    questions.set(row.questionId, row.score);
  });

  const instances: InstanceAggregate[] = [];
  const dataSources: DataSourceAggregate[] = [];
  for (const dataSource of sortedKeys(sources)) {
    const { competency, instances: byInstance } = sources.get(dataSource)!;
    const means: number[] = [];
    let questionCount = 0;
    for (const instanceId of sortedKeys(byInstance)) {
      const questions = byInstance.get(instanceId)!;
      const mean = meanOf(sortedKeys(questions).map((questionId) => questions.get(questionId)!));
      instances.push({ dataSource, competency, instanceId, questions: questions.size, mean });
      means.push(mean);
      questionCount += questions.size;
    }
    dataSources.push({
      dataSource,
      competency,
      instances: byInstance.size,
      questions: questionCount,
      mean: meanOf(means),
    });
  }

  const competencies: CompetencyAggregate[] = [];
  for (const competency of COMPETENCIES) {
    const members = dataSources.filter((source) => source.competency === competency);
    if (members.length > 0)
      competencies.push({
        competency,
        dataSources: members.length,
        mean: meanOf(members.map((source) => source.mean)),
      });
  }

  return {
    instances,
    dataSources,
    competencies,
    average: {
      dataSources: dataSources.length,
      mean: dataSources.length === 0 ? null : meanOf(dataSources.map((source) => source.mean)),
    },
  };
}

/** Keys in code-unit order (not locale order, which varies between machines). */
function sortedKeys(map: ReadonlyMap<string, unknown>): string[] {
  return [...map.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function meanOf(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total / values.length;
}
