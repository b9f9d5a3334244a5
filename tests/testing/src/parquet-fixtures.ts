// Parquet files the tests write themselves, shaped like the hub's (Memalpha's and MemoryAgentBench's
// schemas), so the loaders and the commands that read them are tested where ../shared is absent.
import { parquetWriteBuffer } from "hyparquet-writer";

const text = { type: "BYTE_ARRAY", repetition_type: "OPTIONAL", converted_type: "UTF8" } as const;

/** A list<string> column in the layout pyarrow writes (`<name>.list.item`). */
function stringList(name: string) {
  return [
    { name, repetition_type: "OPTIONAL", converted_type: "LIST", num_children: 1 },
    { name: "list", repetition_type: "REPEATED", num_children: 1 },
    { name: "item", ...text },
  ] as const;
}

/** One MemoryAgentBench row as the hub's parquet holds it. */
export interface MemoryAgentBenchRow {
  readonly context: string | null;
  readonly questions: readonly (string | null)[] | null;
  readonly answers: readonly (readonly string[])[] | null;
  readonly metadata: { readonly source: string | null; readonly qa_pair_ids?: readonly string[] | null } | null;
}

/** Writes MemoryAgentBench rows with the dataset card's schema (nested lists and a metadata struct). */
export function memoryAgentBenchParquet(rows: readonly MemoryAgentBenchRow[]): Uint8Array {
  const schema = [
    { name: "schema", num_children: 4 },
    { name: "context", ...text },
    ...stringList("questions"),
    { name: "answers", repetition_type: "OPTIONAL", converted_type: "LIST", num_children: 1 },
    { name: "list", repetition_type: "REPEATED", num_children: 1 },
    { name: "item", repetition_type: "OPTIONAL", converted_type: "LIST", num_children: 1 },
    { name: "list", repetition_type: "REPEATED", num_children: 1 },
    { name: "item", ...text },
    { name: "metadata", repetition_type: "OPTIONAL", num_children: 2 },
    ...stringList("qa_pair_ids"),
    { name: "source", ...text },
  ];
  const buffer = parquetWriteBuffer({
    schema: schema as never,
    columnData: [
      { name: "context", data: rows.map((row) => row.context) },
      { name: "questions", data: rows.map((row) => row.questions) },
      { name: "answers", data: rows.map((row) => row.answers) },
      {
        name: "metadata",
        data: rows.map((row) =>
          row.metadata === null ? null : { qa_pair_ids: row.metadata.qa_pair_ids ?? null, source: row.metadata.source },
        ),
      },
    ] as never,
  });
  return new Uint8Array(buffer);
}

/** One Memalpha row: JSON text columns and an int64 id. */
export interface MemalphaRow {
  readonly instance_id: bigint | null;
  readonly prompt: string | null;
  readonly chunks: string | null;
  readonly questions_and_answers: string | null;
  readonly data_source: string | null;
  readonly metadata: string | null;
  readonly num_chunks: bigint | null;
  readonly num_questions: bigint | null;
}

export function memalphaParquet(rows: readonly MemalphaRow[]): Uint8Array {
  const int64 = { type: "INT64", repetition_type: "OPTIONAL" } as const;
  const schema = [
    { name: "schema", num_children: 8 },
    { name: "instance_id", ...int64 },
    { name: "prompt", ...text },
    { name: "chunks", ...text },
    { name: "questions_and_answers", ...text },
    { name: "data_source", ...text },
    { name: "metadata", ...text },
    { name: "num_chunks", ...int64 },
    { name: "num_questions", ...int64 },
  ];
  const columns = [
    "instance_id",
    "prompt",
    "chunks",
    "questions_and_answers",
    "data_source",
    "metadata",
    "num_chunks",
    "num_questions",
  ] as const;
  const buffer = parquetWriteBuffer({
    schema: schema as never,
    columnData: columns.map((name) => ({ name, data: rows.map((row) => row[name]) })) as never,
  });
  return new Uint8Array(buffer);
}

/** A Memalpha row from plain values (JSON-encodes the JSON columns). */
export function memalphaRow(values: {
  id: number;
  dataSource: string;
  chunks: readonly string[];
  qa: readonly { question: string; answer: string | readonly string[] }[];
  metadata?: object;
}): MemalphaRow {
  return {
    instance_id: BigInt(values.id),
    prompt: "Memorize the following.",
    chunks: JSON.stringify(values.chunks),
    questions_and_answers: JSON.stringify(values.qa),
    data_source: values.dataSource,
    metadata: JSON.stringify(values.metadata ?? {}),
    num_chunks: BigInt(values.chunks.length),
    num_questions: BigInt(values.qa.length),
  };
}
