/**
 * The seeded synthetic benchmark: Fine-Mem's offline default for evaluation and the in-process
 * trainer's data. See `synthetic-generator.ts` for what an instance holds and why.
 */
export { planFactSchedule, type ChunkLayout, type FactSchedule, type FactScheduleInput } from "./fact-schedule.js";
export { parseSyntheticBenchmark, serializeSyntheticBenchmark } from "./serialize.js";
export {
  matchSyntheticStatement,
  parseSyntheticQuestion,
  parseSyntheticStatement,
  splitSyntheticSentences,
  type ParsedQuestion,
  type ParsedStatement,
} from "./statement-parser.js";
export {
  SYNTHETIC_DATA_SOURCE,
  SYNTHETIC_REPO,
  SYNTHETIC_REVISION,
  generateSyntheticBenchmark,
  generateSyntheticInstance,
} from "./synthetic-generator.js";
export { SYNTHETIC_LOADER_ID, createSyntheticLoader } from "./synthetic-loader.js";
export {
  SYNTHETIC_DEFAULT_OPTIONS,
  SYNTHETIC_GENERATOR_VERSION,
  SYNTHETIC_MAX_STATEMENTS,
  SyntheticOptionsError,
  canonicalInstanceOptionsJson,
  resolveSyntheticOptions,
  type SyntheticOptions,
  type SyntheticOptionsErrorCode,
  type SyntheticOptionsInput,
} from "./synthetic-options.js";
export { ATTRIBUTES, type AttributeDefinition, type AttributeId, type ChangeRule, type EntityType } from "./vocabulary.js";
