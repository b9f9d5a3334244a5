import { aggregateScores, memoryAgentBenchPrimaryMetric, type ScoreRow } from "@finemem/benchmarks";
import type { MetricProtocol, StepWeights } from "@finemem/spec";
import type { EpisodeResult } from "../episode/run-episode.js";
import {
  type EpisodeLine,
  EVIDENCE_CONTENT_CHARS,
  type EvidenceChainItem,
  type OperationMix,
  type QuestionResultLine,
  type RunSummary,
} from "./run-files.js";

/** The name of the figure a data source is scored by, as printed beside results. */
export function metricNameOf(protocol: MetricProtocol, dataSource: string): string {
  return protocol === "memoryagentbench" ? memoryAgentBenchPrimaryMetric(dataSource) : `memalpha:${dataSource}`;
}

/**
 * The instance key results are averaged under: each rollout counts as an instance, so G rollouts of
 * one instance weigh as G instances (with G = 1 this is one per instance).
 */
export function aggregationKey(instanceId: string, rollout: number): string {
  return `${instanceId}#r${rollout}`;
}

/** The rows `aggregateScores` averages, from results lines. */
export function scoreRowsOf(results: readonly QuestionResultLine[]): ScoreRow[] {
  return results.map((line) => ({
    instanceId: aggregationKey(line.instanceId, line.rollout),
    dataSource: line.dataSource,
    competency: line.competency,
    questionId: line.questionId,
    score: line.score,
  }));
}

export function episodeLineOf(episode: EpisodeResult): EpisodeLine {
  const counts = { INSERT: 0, UPDATE: 0, DELETE: 0, SKIP: 0, rejected: 0 };
  for (const step of episode.steps) {
    step.decision.operations.forEach((operation, index) => {
      counts[operation.type] += 1;
      if (step.results[index]?.status === "rejected") counts.rejected += 1;
    });
  }
  const chunkScores = episode.steps.map((step) => step.chunkScore).filter((score): score is number => score !== null);
  const operations: OperationMix = counts;
  return {
    instanceId: episode.instance.instanceId,
    rollout: episode.rollout,
    dataSource: episode.instance.dataSource,
    competency: episode.instance.competency,
    protocol: episode.instance.protocol,
    policyId: episode.policyId,
    reasonerId: episode.reasonerId,
    steps: episode.instance.chunks.length,
    global: episode.attribution.global,
    unattributed: episode.attribution.unattributed,
    compression: episode.compression,
    questionsScored: episode.attribution.questionsScored,
    chunkScore:
      chunkScores.length === 0 ? null : chunkScores.reduce((sum, score) => sum + score, 0) / chunkScores.length,
    memoryTokens: episode.memoryTokens,
    chunkTokens: episode.chunkTokens,
    memoryItems: episode.finalView.items.length,
    operations,
  };
}

/** One results line per scored question, with its evidence chain (items, their φ, their credit share). */
export function questionLinesOf(episode: EpisodeResult): QuestionResultLine[] {
  const { instance } = episode;
  const contents = new Map(episode.finalView.items.map((item) => [item.id, item.content]));
  const shares = new Map(
    episode.attribution.input.questions.map((question) => [
      question.questionId,
      new Map(question.items.map((item) => [item.itemId, item.share])),
    ]),
  );
  const weights = episode.attribution.input.stepWeights;
  const weightsOf = (itemId: string): StepWeights =>
    (weights instanceof Map ? weights.get(itemId) : (weights as Readonly<Record<string, StepWeights>>)[itemId]) ?? {};
  const questionsById = new Map(instance.questions.map((question) => [question.id, question]));
  return episode.questions.map(({ questionId, record, details }) => {
    const question = questionsById.get(questionId)!;
    const questionShares = shares.get(questionId) ?? new Map<string, number>();
    const evidence: EvidenceChainItem[] = record.retrieved.map((item) => ({
      itemId: item.itemId,
      rank: item.rank,
      share: questionShares.get(item.itemId) ?? 0,
      content: (contents.get(item.itemId) ?? "").slice(0, EVIDENCE_CONTENT_CHARS),
      steps: weightsOf(item.itemId),
    }));
    return {
      instanceId: instance.instanceId,
      rollout: episode.rollout,
      dataSource: instance.dataSource,
      competency: instance.competency,
      protocol: instance.protocol,
      questionId,
      question: question.question,
      gold: question.gold,
      answer: record.answer,
      score: record.score,
      metric: metricNameOf(instance.protocol, instance.dataSource),
      ...(details === undefined ? {} : { details }),
      evidence,
    };
  });
}

export function summarize(
  runId: string,
  episodes: readonly EpisodeLine[],
  results: readonly QuestionResultLine[],
): RunSummary {
  const metrics: Record<string, string> = {};
  const tokens = new Map<string, number[]>();
  for (const episode of episodes) {
    metrics[episode.dataSource] = metricNameOf(episode.protocol, episode.dataSource);
    tokens.set(episode.dataSource, [...(tokens.get(episode.dataSource) ?? []), episode.memoryTokens]);
  }
  const memoryTokens: Record<string, number> = {};
  for (const [dataSource, counts] of [...tokens].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    memoryTokens[dataSource] = counts.reduce((sum, count) => sum + count, 0) / counts.length;
  const ids = (values: readonly string[]) => [...new Set(values)].sort().join(", ");
  return {
    runId,
    policyId: ids(episodes.map((episode) => episode.policyId)),
    reasonerId: ids(episodes.map((episode) => episode.reasonerId)),
    table: aggregateScores(scoreRowsOf(results)),
    metrics: Object.fromEntries(Object.entries(metrics).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    memoryTokens,
    episodes: episodes.length,
    questions: results.length,
  };
}
