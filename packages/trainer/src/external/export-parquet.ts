// The parquet form of an export: the JSONL rows as columns, with an explicit schema so that every file
// has the same column types whatever its rows hold (a file of decision samples still has INT32 token
// list columns, all null). Token ids and log-probabilities are LIST columns (pyarrow and pandas read
// them as lists, verl's datasets as sequences); the replay payload is a JSON text column.
import { parquetWriteBuffer } from "hyparquet-writer";
import { TrainerError } from "../trainer-error.js";
import { EXPORT_SCHEMA_VERSION, type ExportedTrainingSample } from "./export-schema.js";

type ParquetWriteOptions = Parameters<typeof parquetWriteBuffer>[0];
type SchemaElement = NonNullable<ParquetWriteOptions["schema"]>[number];

type Leaf = "INT32" | "DOUBLE" | "STRING" | "BOOLEAN" | "JSON";
type ColumnType = Leaf | { readonly list: "INT32" | "DOUBLE" };

/** Every column, in JSONL field order; nullable columns are the fields that may be null. */
const COLUMNS: readonly {
  readonly name: keyof ExportedTrainingSample;
  readonly type: ColumnType;
  readonly nullable: boolean;
}[] = [
  { name: "schemaVersion", type: "INT32", nullable: false },
  { name: "updateStep", type: "INT32", nullable: false },
  { name: "instanceId", type: "STRING", nullable: false },
  { name: "rollout", type: "INT32", nullable: false },
  { name: "step", type: "INT32", nullable: false },
  { name: "groupId", type: "STRING", nullable: false },
  { name: "grouping", type: "STRING", nullable: false },
  { name: "normalizeByStd", type: "BOOLEAN", nullable: false },
  { name: "epsilon", type: "DOUBLE", nullable: false },
  { name: "dataSource", type: "STRING", nullable: false },
  { name: "kind", type: "STRING", nullable: false },
  { name: "reward", type: "DOUBLE", nullable: false },
  { name: "rewardFormat", type: "DOUBLE", nullable: true },
  { name: "rewardChunk", type: "DOUBLE", nullable: true },
  { name: "rewardEvidence", type: "DOUBLE", nullable: true },
  { name: "rewardEara", type: "DOUBLE", nullable: true },
  { name: "rewardCompression", type: "DOUBLE", nullable: true },
  { name: "rewardContent", type: "DOUBLE", nullable: true },
  { name: "advantage", type: "DOUBLE", nullable: false },
  { name: "actionLogprob", type: "DOUBLE", nullable: true },
  { name: "promptTokenIds", type: { list: "INT32" }, nullable: true },
  { name: "responseTokenIds", type: { list: "INT32" }, nullable: true },
  { name: "behaviourLogprobs", type: { list: "DOUBLE" }, nullable: true },
  { name: "finishReason", type: "STRING", nullable: true },
  { name: "truncated", type: "BOOLEAN", nullable: true },
  { name: "decisionLogprobs", type: { list: "DOUBLE" }, nullable: true },
  { name: "replay", type: "JSON", nullable: true },
];

const INT32_MAX = 2 ** 31 - 1;

function schemaOf(name: string, type: ColumnType, nullable: boolean): SchemaElement[] {
  const repetition_type = nullable ? "OPTIONAL" : "REQUIRED";
  if (typeof type === "object") {
    // The three-level LIST the parquet spec prescribes (pyarrow writes the same).
    return [
      { name, repetition_type, converted_type: "LIST", num_children: 1 },
      { name: "list", repetition_type: "REPEATED", num_children: 1 },
      { name: "element", type: type.list, repetition_type: "REQUIRED" },
    ];
  }
  if (type === "STRING") return [{ name, type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type }];
  if (type === "JSON") return [{ name, type: "BYTE_ARRAY", converted_type: "JSON", repetition_type }];
  return [{ name, type, repetition_type }];
}

/** The parquet file of `rows` (one update's samples), with the schema version in its key-value metadata. */
export function encodeExportParquet(rows: readonly ExportedTrainingSample[]): Uint8Array {
  rows.forEach((row, index) => {
    for (const field of ["promptTokenIds", "responseTokenIds"] as const) {
      const tooLarge = row[field]?.find((id) => id > INT32_MAX);
      if (tooLarge !== undefined) {
        throw new TrainerError(
          "invalid_request",
          `sample ${index}: token id ${tooLarge} in ${field} does not fit parquet's INT32 column: export JSONL only (formats: ["jsonl"])`,
          { path: ["samples", index, field] },
        );
      }
    }
  });
  const schema: SchemaElement[] = [
    { name: "root", num_children: COLUMNS.length },
    ...COLUMNS.flatMap(({ name, type, nullable }) => schemaOf(name, type, nullable)),
  ];
  const buffer = parquetWriteBuffer({
    schema,
    columnData: COLUMNS.map(({ name }) => ({ name, data: rows.map((row) => row[name]) })),
    kvMetadata: [{ key: "finemem.exportSchemaVersion", value: String(EXPORT_SCHEMA_VERSION) }],
    createdBy: "@finemem/trainer",
  });
  return new Uint8Array(buffer);
}
