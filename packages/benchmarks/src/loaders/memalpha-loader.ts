import { basename } from "node:path";
import {
  type BenchmarkInstance,
  type CallOptions,
  type DatasetLoader,
  type GlobalQuestion,
  type JsonValue,
  type LoadRequest,
  type MetricProtocol,
  SPECIFICATION_VERSION,
  throwIfAborted,
} from "@finemem/spec";
import { DatasetError, type SkippedRow } from "../dataset-error.js";
import { type FieldContext, readGold, readInteger, readJsonString, readString } from "../rows/field-readers.js";
import { openRowFile } from "../rows/open-row-file.js";
import type { DatasetFileSource } from "../sources/dataset-file-source.js";
import { createHubSource, type HubSourceOptions } from "../sources/hub-source.js";
import { type BadRowPolicy, buildRow, warn } from "./bad-rows.js";
import { competencyOf, safeId } from "./data-sources.js";
import type { ProgressOptions } from "./load-progress.js";

export const MEMALPHA_REPOS = ["YuWangX/Memalpha", "YuWangX/Memalpha-Memoryagentbench"] as const;
export type MemalphaRepo = (typeof MEMALPHA_REPOS)[number];

export interface MemalphaLoaderOptions extends BadRowPolicy, ProgressOptions {
  /** Default `YuWangX/Memalpha`. */
  readonly repo?: MemalphaRepo;
  /** Where the files come from; default: the hub (branch `main`, unpinned, with a warning). */
  readonly source?: DatasetFileSource;
  readonly hub?: Omit<HubSourceOptions, "repo">;
  /** Read only the parquet files whose name starts with this, e.g. `train` or `test` (default: every one). */
  readonly split?: string;
  /** Default `memalpha` (Mem-α's scorer). */
  readonly protocol?: MetricProtocol;
}

const COLUMNS = [
  "instance_id",
  "prompt",
  "chunks",
  "questions_and_answers",
  "data_source",
  "metadata",
  "num_chunks",
  "num_questions",
];
const REQUIRED = new Set(["instance_id", "chunks", "questions_and_answers", "data_source"]);

/**
 * Memalpha (`YuWangX/Memalpha`, `YuWangX/Memalpha-Memoryagentbench`): rows already chunked, with
 * `chunks`, `questions_and_answers` and `metadata` stored as JSON text, `instance_id` as int64 (a
 * bigint from parquet), and each answer a string or a list of strings.
 */
export function createMemalphaLoader(
  options: MemalphaLoaderOptions = {},
): DatasetLoader & { readonly skipped: readonly SkippedRow[] } {
  const repo = options.repo ?? "YuWangX/Memalpha";
  const skipped: SkippedRow[] = [];
  let source = options.source;
  return {
    specificationVersion: SPECIFICATION_VERSION,
    loaderId: "memalpha",
    skipped,
    async *load(request: LoadRequest = {}, callOptions: CallOptions = {}) {
      source ??= createHubSource({
        ...(options.onWarning === undefined ? {} : { onWarning: options.onWarning }),
        ...options.hub,
        repo,
      });
      const wanted = request.dataSources === undefined ? null : new Set(request.dataSources);
      const limit = request.limit ?? Number.POSITIVE_INFINITY;
      let produced = 0;
      if (produced >= limit) return;
      for (const file of await parquetFiles(source, options.split, callOptions)) {
        throwIfAborted(callOptions.signal);
        const resolved = await source.fetchFile(file, callOptions);
        const rows = await openRowFile(resolved);
        for (const column of REQUIRED) {
          if (!rows.columns.includes(column))
            throw new DatasetError("missing_column", `no column ${column}`, { file: rows.file, field: column });
        }
        // data_source is small: read it for every row first, then decode only the rows kept.
        const dataSources = await rows.readColumn("data_source");
        const present = COLUMNS.filter((column) => rows.columns.includes(column));
        const isKept = (row: number) => {
          const dataSource = dataSources[row];
          return wanted === null || (typeof dataSource === "string" && wanted.has(dataSource));
        };
        const keptRows = dataSources.filter((_, row) => isKept(row)).length;
        options.onProgress?.({
          kind: "file",
          file: rows.file,
          revision: resolved.revision,
          sha256: resolved.sha256,
          rows: rows.numRows,
          keptRows,
        });
        let done = 0;
        for (const group of rows.rowGroups) {
          const keep: number[] = [];
          for (let row = group.start; row < group.end; row++) if (isKept(row)) keep.push(row);
          if (keep.length === 0) continue;
          throwIfAborted(callOptions.signal);
          const first = keep[0]!;
          const decoded = await rows.readRows(first, keep[keep.length - 1]! + 1, present);
          for (const row of keep) {
            const instance = buildRow(options, skipped, rows.file, row, () =>
              rowToInstance(
                decoded[row - first]!,
                {
                  file: rows.file,
                  row,
                  protocol: options.protocol ?? "memalpha",
                  onWarning: (text) => warn(options, text),
                },
                resolvedSource(resolved, row),
              ),
            );
            options.onProgress?.({ kind: "row", file: rows.file, row, done: ++done, keptRows });
            if (instance === null) continue;
            yield instance;
            if (++produced >= limit) return;
          }
        }
      }
    },
  };
}

function resolvedSource(resolved: { repo: string; revision: string; path: string; sha256: string }, row: number) {
  return { repo: resolved.repo, revision: resolved.revision, file: resolved.path, sha256: resolved.sha256, row };
}

async function parquetFiles(
  source: DatasetFileSource,
  split: string | undefined,
  callOptions: CallOptions,
): Promise<string[]> {
  if (source.singleFile !== undefined) return [source.singleFile];
  // A split's files are `<split>.parquet` (the repository's layout) or its shards `<split>-00000-of-00002.parquet`
  // (what `datasets` writes), never another split whose name begins with it (`train_extra`).
  const ofSplit = (name: string) => split === undefined || name.startsWith(`${split}.`) || name.startsWith(`${split}-`);
  const accept = (path: string) => (path.endsWith(".parquet") || path.endsWith(".jsonl")) && ofSplit(basename(path));
  let files = await source.listFiles("", accept, undefined, callOptions);
  // Hub datasets converted by `datasets` keep their files under data/.
  if (files.length === 0) files = await source.listFiles("data", accept, undefined, callOptions).catch(() => []);
  if (files.length === 0) {
    throw new DatasetError(
      "missing_file",
      `no ${split === undefined ? "parquet file" : `${split}.parquet (or ${split}-* shard)`} in ${source.repo}`,
      { file: split === undefined ? "*.parquet" : `${split}.parquet` },
    );
  }
  return files;
}

interface RowContext {
  readonly file: string;
  readonly row: number;
  readonly protocol: MetricProtocol;
  readonly onWarning: (message: string) => void;
}

function rowToInstance(
  values: Record<string, unknown>,
  context: RowContext,
  source: BenchmarkInstance["source"],
): BenchmarkInstance {
  const at = (field: string): FieldContext => ({ file: context.file, row: context.row, field });
  const instanceId = readInteger(values.instance_id, at("instance_id"));
  const dataSource = readString(values.data_source, at("data_source"));
  const competency = competencyOf(dataSource);
  if (competency === null)
    throw new DatasetError(
      "unknown_data_source",
      `no competency or metric route is known for data source ${JSON.stringify(dataSource)}`,
      at("data_source"),
    );

  const chunkList = readJsonString(values.chunks, at("chunks"));
  if (!Array.isArray(chunkList))
    throw new DatasetError("wrong_type", "expected a JSON list of chunk texts", at("chunks"));
  const chunks = [];
  let dropped = 0;
  for (const [index, chunk] of chunkList.entries()) {
    const text = readString(chunk, at(`chunks[${index}]`));
    // A blank chunk gives the manager nothing to read; it is dropped and counted.
    if (text.trim() === "") dropped++;
    else chunks.push({ id: `c${index}`, text });
  }
  if (chunks.length === 0)
    throw new DatasetError(
      "empty_chunks",
      chunkList.length === 0 ? "the chunk list is empty" : "every chunk is blank",
      at("chunks"),
    );
  if (dropped > 0) context.onWarning(`${context.file}, row ${context.row}: dropped ${dropped} blank chunk(s)`);

  const pairs = readJsonString(values.questions_and_answers, at("questions_and_answers"));
  if (!Array.isArray(pairs))
    throw new DatasetError("wrong_type", "expected a JSON list of {question, answer}", at("questions_and_answers"));
  const questions: GlobalQuestion[] = pairs.map((pair, index) => {
    const field = `questions_and_answers[${index}]`;
    if (typeof pair !== "object" || pair === null || Array.isArray(pair))
      throw new DatasetError("wrong_type", "expected {question, answer}", at(field));
    const record = pair as Record<string, unknown>;
    const question = readString(record.question, at(`${field}.question`));
    if (!("answer" in record))
      throw new DatasetError("length_mismatch", "a question without an answer", at(`${field}.answer`));
    return { id: `q${index}`, question, gold: readGold(record.answer, at(`${field}.answer`)), metadata: { index } };
  });

  checkCount(values.num_chunks, chunkList.length, at("num_chunks"));
  checkCount(values.num_questions, pairs.length, at("num_questions"));

  const extra: { [key: string]: JsonValue } = {};
  if (values.metadata !== undefined && values.metadata !== null) {
    const parsed = readJsonString(values.metadata, at("metadata"));
    if (parsed !== null) extra.memalpha = parsed as JsonValue;
  }
  if (typeof values.prompt === "string") extra.prompt = values.prompt;
  return {
    instanceId: safeId(`${dataSource}.${instanceId}`, `memalpha.${instanceId}`),
    dataSource,
    competency,
    protocol: context.protocol,
    chunks,
    chunkQuestions: chunks.map(() => []),
    questions,
    metadata: { memalphaInstanceId: instanceId, droppedBlankChunks: dropped, ...extra },
    source,
  };
}

function checkCount(value: unknown, actual: number, at: FieldContext): void {
  if (value === undefined || value === null) return;
  const declared = readInteger(value, at);
  if (declared !== actual)
    throw new DatasetError("length_mismatch", `declares ${declared} but the list holds ${actual}`, at);
}
