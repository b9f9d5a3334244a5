import { basename } from "node:path";
import {
  type BenchmarkInstance,
  type CallOptions,
  type Competency,
  type DatasetLoader,
  type GlobalQuestion,
  type JsonValue,
  type LoadRequest,
  type MetricProtocol,
  SPECIFICATION_VERSION,
  type TokenCounter,
  throwIfAborted,
} from "@finemem/spec";
import { createO200kTokenCounter } from "@finemem/utils";
import { DEFAULT_CHUNK_TOKENS, packSentences } from "../chunking/pack-sentences.js";
import { DatasetError, type SkippedRow } from "../dataset-error.js";
import { type FieldContext, readGold, readString, readStringList } from "../rows/field-readers.js";
import { openRowFile } from "../rows/open-row-file.js";
import type { RowFile } from "../rows/row-file.js";
import type { DatasetFileSource, ResolvedDatasetFile } from "../sources/dataset-file-source.js";
import { createHubSource, type HubSourceOptions } from "../sources/hub-source.js";
import { type BadRowPolicy, buildRow } from "./bad-rows.js";
import {
  MEMORY_AGENT_BENCH_SPLIT_NAMES,
  MEMORY_AGENT_BENCH_SPLITS,
  type MemoryAgentBenchSplit,
  safeId,
} from "./data-sources.js";
import type { ProgressOptions } from "./load-progress.js";

export const MEMORY_AGENT_BENCH_REPO = "ai-hyz/MemoryAgentBench";

export interface MemoryAgentBenchLoaderOptions extends BadRowPolicy, ProgressOptions {
  /**
   * Where the files come from. Default: the hub (`ai-hyz/MemoryAgentBench` at the pinned commit)
   * through the standard HF cache, configured by `hub`.
   */
  readonly source?: DatasetFileSource;
  /** Hub settings when `source` is not given (revision, hubUrl, cacheDir, cache mode, token, fetch). */
  readonly hub?: Omit<HubSourceOptions, "repo">;
  /** Which split files to read (default: all four). A single-file source reads its one file. */
  readonly splits?: readonly MemoryAgentBenchSplit[];
  /** For a single-file source whose name does not start with a split name. */
  readonly split?: MemoryAgentBenchSplit;
  /** The chunk budget in o200k tokens (default 4096, as MemoryAgentBench). */
  readonly chunkTokens?: number;
  /** Default: o200k (`createO200kTokenCounter`). */
  readonly tokenCounter?: TokenCounter;
  /** Default `memoryagentbench` (MemoryAgentBench's own scorer). */
  readonly protocol?: MetricProtocol;
}

// Small per-row metadata worth keeping; `haystack_sessions` repeats the context and `demo` is the
// in-context examples' text, both left out of instance metadata.
const KEPT_METADATA = ["question_types", "question_dates", "question_ids", "keypoints", "previous_events"] as const;
const PER_QUESTION_METADATA = {
  question_types: "questionType",
  question_dates: "questionDate",
  question_ids: "questionId",
} as const;

/**
 * MemoryAgentBench (`ai-hyz/MemoryAgentBench`): one instance per row of the split files, filtered by
 * `metadata.source`. It reads the `metadata` column of every row first and decodes the multi-megabyte
 * `context` only for the rows it keeps, then splits the context into sentences and packs them greedily
 * into chunks of at most `chunkTokens` o200k tokens.
 */
export function createMemoryAgentBenchLoader(
  options: MemoryAgentBenchLoaderOptions = {},
): DatasetLoader & { readonly skipped: readonly SkippedRow[] } {
  const chunkTokens = options.chunkTokens ?? DEFAULT_CHUNK_TOKENS;
  if (!Number.isInteger(chunkTokens) || chunkTokens < 1)
    throw new DatasetError("invalid_option", `chunkTokens must be an integer ≥ 1, got ${chunkTokens}`, {
      field: "chunkTokens",
    });
  for (const split of [...(options.splits ?? []), ...(options.split === undefined ? [] : [options.split])]) {
    if (!(split in MEMORY_AGENT_BENCH_SPLITS))
      throw new DatasetError(
        "invalid_option",
        `unknown split ${split} (known: ${MEMORY_AGENT_BENCH_SPLIT_NAMES.join(", ")})`,
        { field: "splits" },
      );
  }
  const skipped: SkippedRow[] = [];
  let source = options.source;
  let counter = options.tokenCounter;
  return {
    specificationVersion: SPECIFICATION_VERSION,
    loaderId: "memoryagentbench",
    skipped,
    async *load(request: LoadRequest = {}, callOptions: CallOptions = {}) {
      source ??= createHubSource({
        ...(options.onWarning === undefined ? {} : { onWarning: options.onWarning }),
        ...options.hub,
        repo: MEMORY_AGENT_BENCH_REPO,
      });
      counter ??= createO200kTokenCounter();
      const wanted = request.dataSources === undefined ? null : new Set(request.dataSources);
      const limit = request.limit ?? Number.POSITIVE_INFINITY;
      let produced = 0;
      if (produced >= limit) return;
      for (const { file, split } of await splitFiles(source, options, callOptions)) {
        throwIfAborted(callOptions.signal);
        const resolved = await source.fetchFile(file, callOptions);
        const rows = await openRowFile(resolved);
        const keep = await rowsToKeep(rows, wanted, options, skipped);
        options.onProgress?.({
          kind: "file",
          file: rows.file,
          revision: resolved.revision,
          sha256: resolved.sha256,
          rows: rows.numRows,
          keptRows: keep.length,
        });
        let done = 0;
        for await (const { row, values } of readKeptRows(rows, keep, callOptions)) {
          const instance = buildRow(options, skipped, rows.file, row, () =>
            rowToInstance(values, {
              row,
              split,
              resolved,
              chunkTokens,
              counter: counter!,
              protocol: options.protocol ?? "memoryagentbench",
              file: rows.file,
            }),
          );
          options.onProgress?.({ kind: "row", file: rows.file, row, done: ++done, keptRows: keep.length });
          if (instance === null) continue;
          yield instance;
          if (++produced >= limit) return;
        }
      }
    },
  };
}

const SHARD = /^(?:.*\/)?([A-Za-z_]+)-(\d{5})-of-(\d{5})\.parquet$/;

async function splitFiles(
  source: DatasetFileSource,
  options: MemoryAgentBenchLoaderOptions,
  callOptions: CallOptions,
): Promise<{ file: string; split: MemoryAgentBenchSplit }[]> {
  if (source.singleFile !== undefined) {
    // A file that does not exist is that, before any question of which split it holds.
    await source.listFiles("", () => true, undefined, callOptions);
    const name = basename(source.singleFile);
    const split =
      options.split ??
      MEMORY_AGENT_BENCH_SPLIT_NAMES.find(
        (candidate) => name.startsWith(`${candidate}-`) || name.startsWith(`${candidate}.`),
      );
    if (split === undefined) {
      throw new DatasetError(
        "invalid_option",
        `cannot tell the split of ${name} from its name: give it (\`--split\` on the command line, \`split\` in the loader options), one of ${MEMORY_AGENT_BENCH_SPLIT_NAMES.join(", ")}`,
        { file: name, field: "split" },
      );
    }
    return [{ file: source.singleFile, split }];
  }
  const out: { file: string; split: MemoryAgentBenchSplit }[] = [];
  for (const split of options.splits ?? MEMORY_AGENT_BENCH_SPLIT_NAMES) {
    const isShard = (path: string) => SHARD.exec(path)?.[1] === split && path.startsWith("data/");
    // A set is whole when it holds every shard 0..N-1 of the N its names announce.
    const complete = (paths: readonly string[]) => {
      const totals = new Set(paths.map((path) => SHARD.exec(path)![3]));
      return totals.size === 1 && paths.length === Number([...totals][0]);
    };
    const files = await source.listFiles("data", isShard, complete, callOptions);
    if (files.length === 0 || !complete(files)) {
      throw new DatasetError(
        "missing_file",
        `no complete set of data/${split}-NNNNN-of-NNNNN.parquet files in ${source.repo} (found ${files.length === 0 ? "none" : files.join(", ")})`,
        { file: `data/${split}-00000-of-00001.parquet` },
      );
    }
    for (const file of files) out.push({ file, split });
  }
  return out;
}

/** Reads only `metadata.source` (one leaf, not the struct) and returns the rows whose source is wanted. */
async function rowsToKeep(
  rows: RowFile,
  wanted: Set<string> | null,
  policy: BadRowPolicy,
  skipped: SkippedRow[],
): Promise<number[]> {
  const sources = await rows.readField(["metadata", "source"]);
  const keep: number[] = [];
  for (const [row, value] of sources.entries()) {
    const sourceName = buildRow(policy, skipped, rows.file, row, () =>
      readString(value, { file: rows.file, row, field: "metadata.source" }),
    );
    if (sourceName !== null && (wanted === null || wanted.has(sourceName))) keep.push(row);
  }
  return keep;
}

/** Decodes the kept rows one row group at a time, so each context column chunk is decoded once. */
async function* readKeptRows(
  rows: RowFile,
  keep: readonly number[],
  callOptions: CallOptions,
): AsyncGenerator<{ row: number; values: Record<string, unknown> }> {
  const columns = ["context", "questions", "answers", "metadata"];
  for (const group of rows.rowGroups) {
    const inGroup = keep.filter((row) => row >= group.start && row < group.end);
    if (inGroup.length === 0) continue;
    throwIfAborted(callOptions.signal);
    const first = inGroup[0]!;
    const decoded = await rows.readRows(first, inGroup[inGroup.length - 1]! + 1, columns);
    for (const row of inGroup) yield { row, values: decoded[row - first]! };
  }
}

interface RowContext {
  readonly file: string;
  readonly row: number;
  readonly split: MemoryAgentBenchSplit;
  readonly resolved: ResolvedDatasetFile;
  readonly chunkTokens: number;
  readonly counter: TokenCounter;
  readonly protocol: MetricProtocol;
}

function rowToInstance(values: Record<string, unknown>, context: RowContext): BenchmarkInstance {
  const at = (field: string): FieldContext => ({ file: context.file, row: context.row, field });
  const metadata = values.metadata as Record<string, unknown>;
  const dataSource = readString(metadata.source, at("metadata.source"));
  const text = readString(values.context, at("context"));
  const questions = readStringList(values.questions, at("questions"));
  const answersValue = values.answers;
  if (!Array.isArray(answersValue))
    throw new DatasetError("wrong_type", "expected a list of gold lists", at("answers"));
  if (answersValue.length !== questions.length) {
    throw new DatasetError(
      "length_mismatch",
      `${questions.length} questions but ${answersValue.length} answers`,
      at("answers"),
    );
  }
  const golds = answersValue.map((gold, index) => readGold(gold, at(`answers[${index}]`)));
  const packed = packSentences(text, { maxTokens: context.chunkTokens, tokenCounter: context.counter });
  if (packed.length === 0) throw new DatasetError("empty_chunks", "the context holds no sentence", at("context"));

  const qaPairIds = optionalList(metadata.qa_pair_ids, questions.length);
  const usedIds = new Set<string>();
  const globalQuestions: GlobalQuestion[] = questions.map((question, index) => {
    if (question.trim() === "") throw new DatasetError("wrong_type", "empty question", at(`questions[${index}]`));
    let id = safeId(typeof qaPairIds?.[index] === "string" ? (qaPairIds[index] as string) : "", `q${index}`);
    if (usedIds.has(id)) id = `q${index}`;
    usedIds.add(id);
    const perQuestion: { [key: string]: JsonValue } = { index };
    for (const [column, key] of Object.entries(PER_QUESTION_METADATA)) {
      const list = optionalList(metadata[column], questions.length);
      const value = list?.[index];
      if (typeof value === "string") perQuestion[key] = value;
    }
    return { id, question, gold: golds[index]!, metadata: perQuestion };
  });

  const kept: { [key: string]: JsonValue } = {};
  for (const key of KEPT_METADATA) {
    const value = metadata[key];
    if (value !== null && value !== undefined && isJson(value)) kept[key] = value;
  }
  const chunks = packed.map((chunk, index) => ({ id: `c${index}`, text: chunk.text }));
  const competency: Competency = MEMORY_AGENT_BENCH_SPLITS[context.split];
  return {
    instanceId: safeId(`mab.${dataSource}.${context.row}`, `mab.row${context.row}`),
    dataSource,
    competency,
    protocol: context.protocol,
    chunks,
    chunkQuestions: chunks.map(() => []),
    questions: globalQuestions,
    metadata: {
      split: context.split,
      chunking: {
        maxTokens: context.chunkTokens,
        encoding: context.counter.encoding,
        sentences: packed.reduce((sum, chunk) => sum + chunk.sentences.length, 0),
        chunkTokens: packed.map((chunk) => chunk.tokens),
        oversizeChunks: packed.filter((chunk) => chunk.oversize).length,
      },
      ...kept,
    },
    source: {
      repo: context.resolved.repo,
      revision: context.resolved.revision,
      file: context.resolved.path,
      sha256: context.resolved.sha256,
      row: context.row,
    },
  };
}

function optionalList(value: unknown, length: number): unknown[] | null {
  return Array.isArray(value) && value.length === length ? value : null;
}

function isJson(value: unknown): value is JsonValue {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isJson);
  if (typeof value === "object") return Object.values(value as object).every(isJson);
  return false;
}
