/**
 * @finemem/spec: the versioned interfaces (`specificationVersion: "v1"`) every Fine-Mem package
 * implements or consumes, runtime validators for everything that crosses a process boundary (the zod
 * schemas behind them are internal), and the typed error base. Test doubles are on
 * `@finemem/spec/testing`. Only contracts live here: the runtime helpers every package shares (seeded
 * randomness, JSONL, bounded concurrency) are `@finemem/utils`', so a contract never changes because a
 * helper did.
 */
export { SPECIFICATION_VERSION, type CallOptions, type SpecificationVersion } from "./call-options.js";
export { AbortedError, FineMemError, formatPath, isFineMemError, throwIfAborted, type FineMemErrorOptions, type PathSegment } from "./errors.js";
export {
  ValidationError,
  createValidator,
  type ValidationCode,
  type ValidationIssue,
  type StandardSchemaV1,
  type ValidationResult,
  type Validator,
} from "./validation.js";
export { ID_PATTERN, isId, type Id } from "./ids.js";
export type { JsonValue } from "./json.js";
export {
  CORE_ITEM_ID,
  memoryItemValidator,
  memoryItemVersionValidator,
  memoryViewValidator,
  namespaceValidator,
  type MemoryItem,
  type MemoryItemVersion,
  type MemoryLayout,
  type MemoryType,
  type MemoryView,
  type Namespace,
} from "./memory.js";
export {
  OPERATION_TYPES,
  REJECTION_REASONS,
  identifiedOperationValidator,
  memoryOperationValidator,
  operationResultValidator,
  type DeleteOperation,
  type IdentifiedOperation,
  type InsertOperation,
  type MemoryOperation,
  type OperationResult,
  type OperationType,
  type RejectionReason,
  type SkipOperation,
  type UpdateOperation,
} from "./operation.js";
export {
  DEFAULT_PROVENANCE_POLICY,
  PROVENANCE_POLICIES,
  STEP_WEIGHT_SUM_TOLERANCE,
  isStepWeights,
  stepWeightsValidator,
  type ProvenancePolicy,
  type StepWeights,
} from "./provenance.js";
export type { ApplyRequest, MemoryStore } from "./store.js";
export {
  retrievalRequestValidator,
  retrievedItemValidator,
  type Embedder,
  type RetrievalRequest,
  type RetrievedItem,
  type Retriever,
  type TokenCounter,
} from "./retrieval.js";
export {
  chatMessageValidator,
  languageModelRequestValidator,
  languageModelResponseValidator,
  LOGPROB_DISTRIBUTIONS,
  toolCallValidator,
  toolDefinitionValidator,
  type ChatMessage,
  type FinishReason,
  type LanguageModel,
  type LanguageModelRequest,
  type LanguageModelResponse,
  type LogprobDistribution,
  type SamplingOptions,
  type TokenUsage,
  type ToolCall,
  type ToolDefinition,
} from "./language-model.js";
export {
  PARSE_FAILURE_REASONS,
  chunkValidator,
  parseOutcomeValidator,
  policyDecisionValidator,
  policyInputValidator,
  type ActionLogprob,
  type Chunk,
  type MemoryPolicy,
  type ParseFailureReason,
  type ParseOutcome,
  type PolicyDecision,
  type PolicyInput,
} from "./policy.js";
export {
  evidenceRecordValidator,
  questionValidator,
  type EvidenceItem,
  type EvidenceRecord,
  type Question,
  type Reasoner,
  type ReasonerInput,
} from "./reasoner.js";
export {
  COMPETENCIES,
  METRIC_PROTOCOLS,
  benchmarkInstanceValidator,
  DEFAULT_CHUNK_QUESTION_METRIC,
  chunkQuestionValidator,
  datasetSourceValidator,
  globalQuestionValidator,
  metricResultValidator,
  type BenchmarkInstance,
  type ChunkQuestion,
  type ChunkQuestionMetric,
  type Competency,
  type DatasetLoader,
  type DatasetSource,
  type GlobalQuestion,
  type Gold,
  type LoadRequest,
  type Metric,
  type MetricInput,
  type MetricProtocol,
  type MetricResult,
} from "./benchmark.js";
export {
  DEFAULT_REWARD_WEIGHTS,
  episodeRewardSummaryValidator,
  rewardWeightsValidator,
  stepRewardComponentsValidator,
  type EpisodeRewardSummary,
  type RewardWeights,
  type StepRewardComponents,
} from "./rewards.js";
export { runManifestValidator, stepRecordValidator, type RunManifest, type StepRecord } from "./run-log.js";
export {
  ACTION_LOGPROB_TOLERANCE,
  rolloutGroupValidator,
  trainerMetricsValidator,
  trainerUpdateRequestValidator,
  trainingSampleValidator,
  type AdvantageGrouping,
  type DecisionSampleRecord,
  type LlmSampleRecord,
  type Rollout,
  type RolloutGroup,
  type TrainerBackend,
  type TrainerMetrics,
  type TrainerUpdateRequest,
  type TrainingSample,
} from "./trainer.js";
