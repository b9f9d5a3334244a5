// `finemem data inspect`: what a dataset holds, per data source, before anyone spends a model call on
// it: sizes, whether chunk questions exist yet, how it will be scored, and exactly which file it is.

import type { BenchmarkInstance, Competency, MetricProtocol, TokenCounter } from "@finemem/spec";
import { createO200kTokenCounter } from "@finemem/utils";
import { metricNameOf } from "../run/run-aggregates.js";
import { type InstanceInput, iterateInstances } from "./instance-input.js";

export interface InspectDatasetOptions extends InstanceInput {
  /** Default o200k (`createO200kTokenCounter`), the encoding docs/method.md §8 counts lengths in. */
  readonly tokenCounter?: TokenCounter;
  readonly signal?: AbortSignal;
}

/** A per-instance count over a data source's instances. */
export interface CountSummary {
  readonly total: number;
  readonly min: number;
  readonly mean: number;
  readonly max: number;
}

/** Which file instances came from (a `DatasetSource` without the row). */
export interface SourceFile {
  readonly repo: string;
  readonly revision: string;
  readonly file: string;
  readonly sha256: string | null;
}

export interface DataSourceSummary {
  readonly dataSource: string;
  readonly protocol: MetricProtocol;
  /** Usually one; the synthetic benchmark mixes CR and AR instances. */
  readonly competencies: readonly Competency[];
  /** The figure a question is scored by: MemoryAgentBench's primary metric, or `memalpha:<data source>` (Mem-α's rule for the source). */
  readonly primaryMetric: string;
  readonly instances: number;
  /** Chunks per instance. */
  readonly chunks: CountSummary;
  /** Global questions per instance. */
  readonly globalQuestions: CountSummary;
  /** `all` chunks hold questions, `some`, or `none` (then `finemem data build-chunk-qa` makes them). */
  readonly chunkQuestions: {
    readonly presence: "all" | "some" | "none";
    readonly chunksWithQuestions: number;
    readonly questions: number;
  };
  /** Total tokens of the chunks' text. */
  readonly chunkTokens: number;
  readonly sources: readonly SourceFile[];
}

export interface DatasetInspection {
  readonly instances: number;
  readonly chunks: number;
  readonly chunkTokens: number;
  /** e.g. `o200k_base`. */
  readonly tokenEncoding: string;
  readonly dataSources: readonly DataSourceSummary[];
}

interface Accumulator {
  readonly dataSource: string;
  readonly protocol: MetricProtocol;
  readonly competencies: Set<Competency>;
  instances: number;
  readonly chunks: number[];
  readonly questions: number[];
  chunksWithQuestions: number;
  chunkQuestions: number;
  chunkTokens: number;
  readonly sources: Map<string, SourceFile>;
}

/**
 * Reads the instances (lazily, one at a time) and summarises them per (data source, protocol).
 *
 * @throws {DataCommandError} `no_input`, `invalid_option`
 * @throws whatever the loader throws (e.g. `DatasetError`), and {@link AbortedError} when `signal` fires
 */
export async function inspectDataset(options: InspectDatasetOptions): Promise<DatasetInspection> {
  const counter = options.tokenCounter ?? createO200kTokenCounter();
  const groups = new Map<string, Accumulator>();
  for await (const instance of iterateInstances(options, options.signal)) add(groups, instance, counter);
  const dataSources = [...groups.values()]
    .sort((a, b) => a.dataSource.localeCompare(b.dataSource) || a.protocol.localeCompare(b.protocol))
    .map(summarise);
  return {
    instances: dataSources.reduce((sum, summary) => sum + summary.instances, 0),
    chunks: dataSources.reduce((sum, summary) => sum + summary.chunks.total, 0),
    chunkTokens: dataSources.reduce((sum, summary) => sum + summary.chunkTokens, 0),
    tokenEncoding: counter.encoding,
    dataSources,
  };
}

function add(groups: Map<string, Accumulator>, instance: BenchmarkInstance, counter: TokenCounter): void {
  const key = `${instance.dataSource}\u0000${instance.protocol}`;
  let group = groups.get(key);
  if (group === undefined) {
    group = {
      dataSource: instance.dataSource,
      protocol: instance.protocol,
      competencies: new Set(),
      instances: 0,
      chunks: [],
      questions: [],
      chunksWithQuestions: 0,
      chunkQuestions: 0,
      chunkTokens: 0,
      sources: new Map(),
    };
    groups.set(key, group);
  }
  group.instances++;
  group.competencies.add(instance.competency);
  group.chunks.push(instance.chunks.length);
  group.questions.push(instance.questions.length);
  for (const chunk of instance.chunks) group.chunkTokens += counter.count(chunk.text);
  for (const list of instance.chunkQuestions) {
    if (list.length > 0) group.chunksWithQuestions++;
    group.chunkQuestions += list.length;
  }
  const { repo, revision, file, sha256 } = instance.source;
  const sourceKey = JSON.stringify([repo, revision, file, sha256]);
  if (!group.sources.has(sourceKey)) group.sources.set(sourceKey, { repo, revision, file, sha256 });
}

function summarise(group: Accumulator): DataSourceSummary {
  const totalChunks = group.chunks.reduce((sum, count) => sum + count, 0);
  return {
    dataSource: group.dataSource,
    protocol: group.protocol,
    competencies: [...group.competencies].sort(),
    primaryMetric: metricNameOf(group.protocol, group.dataSource),
    instances: group.instances,
    chunks: countSummary(group.chunks),
    globalQuestions: countSummary(group.questions),
    chunkQuestions: {
      presence: group.chunksWithQuestions === 0 ? "none" : group.chunksWithQuestions === totalChunks ? "all" : "some",
      chunksWithQuestions: group.chunksWithQuestions,
      questions: group.chunkQuestions,
    },
    chunkTokens: group.chunkTokens,
    sources: [...group.sources.values()],
  };
}

function countSummary(counts: readonly number[]): CountSummary {
  const total = counts.reduce((sum, count) => sum + count, 0);
  return { total, min: Math.min(...counts), mean: total / counts.length, max: Math.max(...counts) };
}

/** An inspection as terminal lines: one block per data source, then the totals. */
export function formatInspection(inspection: DatasetInspection): string {
  if (inspection.dataSources.length === 0) return "no instances";
  const lines: string[] = [];
  for (const summary of inspection.dataSources) {
    const { chunks, globalQuestions: questions, chunkQuestions } = summary;
    lines.push(
      `${summary.dataSource}  (${summary.competencies.join("/")}, protocol ${summary.protocol}, primary metric ${summary.primaryMetric})`,
    );
    lines.push(`  instances:        ${summary.instances}`);
    lines.push(
      `  chunks:           ${chunks.total} (per instance min ${chunks.min}, mean ${round(chunks.mean)}, max ${chunks.max}); ${summary.chunkTokens} ${inspection.tokenEncoding} tokens`,
    );
    lines.push(
      `  global questions: ${questions.total} (per instance min ${questions.min}, mean ${round(questions.mean)}, max ${questions.max})`,
    );
    lines.push(
      `  chunk questions:  ${chunkQuestions.presence === "none" ? "none (build them with `finemem data build-chunk-qa`)" : `${chunkQuestions.presence}: ${chunkQuestions.questions} on ${chunkQuestions.chunksWithQuestions}/${chunks.total} chunks`}`,
    );
    for (const source of summary.sources) {
      lines.push(
        `  source:           ${source.repo}@${source.revision} ${shorten(source.file, 80)}${source.sha256 === null ? " (generated)" : ` sha256 ${source.sha256}`}`,
      );
    }
  }
  lines.push(
    `total: ${inspection.instances} instance(s), ${inspection.chunks} chunk(s), ${inspection.chunkTokens} ${inspection.tokenEncoding} tokens`,
  );
  return lines.join("\n");
}

function round(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

// The synthetic benchmark records its generator options as the "file": long JSON.
function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
