import { rename, rm, stat } from "node:fs/promises";
import { createSeededRandom } from "@finemem/utils";
import { fileWriter, ParquetWriter } from "hyparquet-writer";
import { invalidDataOption } from "./data-command-error.js";

export interface GenerateMemoryAgentBenchOptions {
  /** The parquet file to write. Its name should start with the split (`Conflict_Resolution-…`) for the loader to tell it. */
  readonly out: string;
  /** Rows (instances), ≥ 1. */
  readonly instances: number;
  /** Bytes of context per row (UTF-8), ≥ 1,000. */
  readonly contextBytes: number;
  /** Default `generated`: the same seed writes the same bytes. */
  readonly seed?: string;
  /** Questions per row (default 100, as MemoryAgentBench's fact-consolidation rows). */
  readonly questionsPerInstance?: number;
  /** `metadata.source` of every row (default `factconsolidation_generated`). */
  readonly source?: string;
  /** Called after each row is written. */
  readonly onRow?: (done: number, total: number) => void;
}

export interface GeneratedFile {
  readonly out: string;
  readonly rows: number;
  readonly bytes: number;
  readonly source: string;
}

// MemoryAgentBench's row schema as its parquet files declare it (the dataset card's nested struct and
// lists): `context`, `questions`, `answers` (a list of gold lists) and a `metadata` struct of nine
// fields, which generated rows fill as fact-consolidation rows do (`source`, `qa_pair_ids`; the rest null).
const optionalText = { type: "BYTE_ARRAY", repetition_type: "OPTIONAL", converted_type: "UTF8" } as const;
const listOf = (name: string, item: readonly object[]) => [
  { name, repetition_type: "OPTIONAL", converted_type: "LIST", num_children: 1 },
  { name: "list", repetition_type: "REPEATED", num_children: 1 },
  ...item,
];
const textList = (name: string) => listOf(name, [{ name: "item", ...optionalText }]);
const SCHEMA = [
  { name: "schema", num_children: 4 },
  { name: "context", ...optionalText },
  ...textList("questions"),
  ...listOf("answers", textList("item")),
  { name: "metadata", repetition_type: "OPTIONAL", num_children: 9 },
  { name: "demo", ...optionalText },
  ...listOf(
    "haystack_sessions",
    listOf(
      "item",
      listOf("item", [
        { name: "item", repetition_type: "OPTIONAL", num_children: 3 },
        { name: "content", ...optionalText },
        { name: "has_answer", type: "BOOLEAN", repetition_type: "OPTIONAL" },
        { name: "role", ...optionalText },
      ]),
    ),
  ),
  ...textList("keypoints"),
  ...textList("previous_events"),
  ...textList("qa_pair_ids"),
  ...textList("question_dates"),
  ...textList("question_ids"),
  ...textList("question_types"),
  { name: "source", ...optionalText },
];

const RELATIONS = ["capital", "chairman", "mayor", "founder", "anthem", "currency", "language", "coach"] as const;

/**
 * Writes a MemoryAgentBench-format parquet of `instances` rows with `contextBytes` of context each, so
 * that scale (time, memory) can be measured offline on inputs the size of the real splits. Each row is
 * a fact-consolidation row: numbered facts about a pool of subjects, a later fact overriding an
 * earlier one about the same subject and relation, and questions whose gold answer is the latest
 * value. One row per row group, written and released before the next is built, so generating a large
 * file holds one row at a time. The file appears whole (written beside it, then renamed).
 */
export async function generateMemoryAgentBenchFile(options: GenerateMemoryAgentBenchOptions): Promise<GeneratedFile> {
  const count = (name: string, value: number, least: number) => {
    if (!Number.isSafeInteger(value) || value < least) throw invalidDataOption(name, `an integer ≥ ${least}`, value);
    return value;
  };
  const rows = count("instances", options.instances, 1);
  const contextBytes = count("contextBytes", options.contextBytes, 1000);
  const questions = count("questionsPerInstance", options.questionsPerInstance ?? 100, 1);
  const source = options.source ?? "factconsolidation_generated";
  const random = createSeededRandom(options.seed ?? "generated");
  const temporary = `${options.out}.${process.pid}.tmp`;
  const writer = new ParquetWriter({ writer: fileWriter(temporary), schema: SCHEMA as never });
  try {
    for (let row = 0; row < rows; row++) {
      const generated = generateRow(random.fork(`row-${row}`), contextBytes, questions);
      const metadata = {
        demo: null,
        haystack_sessions: null,
        keypoints: null,
        previous_events: null,
        qa_pair_ids: generated.questions.map((_, index) => `gen_${row}_q${index}`),
        question_dates: null,
        question_ids: null,
        question_types: null,
        source,
      };
      await writer.write({
        columnData: [
          { name: "context", data: [generated.context] },
          { name: "questions", data: [generated.questions] },
          { name: "answers", data: [generated.answers] },
          { name: "metadata", data: [metadata] },
        ] as never,
        rowGroupSize: 1,
      });
      options.onRow?.(row + 1, rows);
    }
    writer.finish();
    await rename(temporary, options.out);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  return { out: options.out, rows, bytes: (await stat(options.out)).size, source };
}

interface GeneratedRow {
  readonly context: string;
  readonly questions: string[];
  readonly answers: string[][];
}

function generateRow(random: ReturnType<typeof createSeededRandom>, contextBytes: number, questions: number) {
  // About one subject per four facts, so most subjects are restated and the latest statement wins.
  const subjects = Math.max(questions, Math.floor(contextBytes / 200));
  const latest = new Map<string, string>();
  const lines: string[] = ["Here is a list of facts:"];
  let bytes = lines[0]!.length + 1;
  for (let fact = 0; bytes < contextBytes; fact++) {
    const subject = `Country ${random.int(subjects)}`;
    const relation = RELATIONS[random.int(RELATIONS.length)]!;
    const value = `${relation === "capital" ? "City" : "Person"} ${random.int(100_000)}`;
    latest.set(`${relation}|${subject}`, value);
    const line = `${fact}. The ${relation} of ${subject} is ${value}.`;
    lines.push(line);
    bytes += line.length + 1;
  }
  const asked = [...latest.keys()];
  const chosen: string[] = [];
  for (let index = 0; index < questions && asked.length > 0; index++)
    chosen.push(asked.splice(random.int(asked.length), 1)[0]!);
  const row: GeneratedRow = {
    context: lines.join("\n"),
    questions: chosen.map((key) => {
      const [relation, subject] = key.split("|");
      return `What is the ${relation} of ${subject}?`;
    }),
    answers: chosen.map((key) => [latest.get(key)!]),
  };
  return row;
}
