/**
 * The seeded synthetic benchmark: Fine-Mem's offline default for evaluation and the in-process
 * trainer's data. See `synthetic-generator.ts` for what an instance holds and why.
 */
export { type ChunkLayout, type FactSchedule, type FactScheduleInput, planFactSchedule } from "./fact-schedule.js";
export { parseSyntheticBenchmark, serializeSyntheticBenchmark } from "./serialize.js";
export {
  matchSyntheticStatement,
  type ParsedQuestion,
  type ParsedStatement,
  parseSyntheticQuestion,
  parseSyntheticStatement,
  splitSyntheticSentences,
} from "./statement-parser.js";
export {
  generateSyntheticBenchmark,
  generateSyntheticInstance,
  SYNTHETIC_DATA_SOURCE,
  SYNTHETIC_REPO,
  SYNTHETIC_REVISION,
} from "./synthetic-generator.js";
export { createSyntheticLoader, SYNTHETIC_LOADER_ID } from "./synthetic-loader.js";
export {
  canonicalInstanceOptionsJson,
  resolveSyntheticOptions,
  SYNTHETIC_DEFAULT_OPTIONS,
  SYNTHETIC_GENERATOR_VERSION,
  SYNTHETIC_MAX_STATEMENTS,
  type SyntheticOptions,
  SyntheticOptionsError,
  type SyntheticOptionsErrorCode,
  type SyntheticOptionsInput,
} from "./synthetic-options.js";
export {
  ATTRIBUTES,
  type AttributeDefinition,
  type AttributeId,
  type ChangeRule,
  type EntityType,
} from "./vocabulary.js";
