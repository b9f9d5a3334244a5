/**
 * @finemem/spec: the versioned interfaces (`specificationVersion: "v1"`) every Fine-Mem package
 * implements or consumes, runtime validators for everything that crosses a process boundary (the zod
 * schemas behind them are internal), and the typed error base. Test doubles are on
 * `@finemem/spec/testing`. Only contracts live here: the runtime helpers every package shares (seeded
 * randomness, JSONL, bounded concurrency) are `@finemem/utils`', so a contract never changes because a
 * helper did.
 */

export {
  type BenchmarkInstance,
  benchmarkInstanceValidator,
  type ChunkQuestion,
  type ChunkQuestionMetric,
  COMPETENCIES,
  type Competency,
  chunkQuestionValidator,
  type DatasetLoader,
  type DatasetSource,
  DEFAULT_CHUNK_QUESTION_METRIC,
  datasetSourceValidator,
  type GlobalQuestion,
  type Gold,
  globalQuestionValidator,
  type LoadRequest,
  METRIC_PROTOCOLS,
  type Metric,
  type MetricInput,
  type MetricProtocol,
  type MetricResult,
  metricResultValidator,
} from "./benchmark.js";
export { type CallOptions, SPECIFICATION_VERSION, type SpecificationVersion } from "./call-options.js";
export {
  AbortedError,
  FineMemError,
  type FineMemErrorOptions,
  formatPath,
  isFineMemError,
  type PathSegment,
  throwIfAborted,
} from "./errors.js";
export { ID_PATTERN, type Id, isId, isNamespaceId, NAMESPACE_ID_MAX_LENGTH } from "./ids.js";
export type { JsonValue } from "./json.js";
export {
  type ChatMessage,
  chatMessageValidator,
  type FinishReason,
  type LanguageModel,
  type LanguageModelRequest,
  type LanguageModelResponse,
  LOGPROB_DISTRIBUTIONS,
  type LogprobDistribution,
  languageModelRequestValidator,
  languageModelResponseValidator,
  type SamplingOptions,
  type TokenUsage,
  type ToolCall,
  type ToolDefinition,
  toolCallValidator,
  toolDefinitionValidator,
} from "./language-model.js";
export {
  CORE_ITEM_ID,
  type MemoryItem,
  type MemoryItemVersion,
  type MemoryLayout,
  type MemoryType,
  type MemoryView,
  memoryItemValidator,
  memoryItemVersionValidator,
  memoryViewValidator,
  type Namespace,
  namespaceValidator,
} from "./memory.js";
export {
  type DeleteOperation,
  type IdentifiedOperation,
  type InsertOperation,
  identifiedOperationValidator,
  type MemoryOperation,
  memoryOperationValidator,
  OPERATION_TYPES,
  type OperationResult,
  type OperationType,
  operationResultValidator,
  REJECTION_REASONS,
  type RejectionReason,
  type SkipOperation,
  type UpdateOperation,
} from "./operation.js";
export {
  type ActionLogprob,
  type Chunk,
  chunkValidator,
  type MemoryPolicy,
  PARSE_FAILURE_REASONS,
  type ParseFailureReason,
  type ParseOutcome,
  type PolicyDecision,
  type PolicyInput,
  parseOutcomeValidator,
  policyDecisionValidator,
  policyInputValidator,
} from "./policy.js";
export {
  DEFAULT_PROVENANCE_POLICY,
  isStepWeights,
  PROVENANCE_POLICIES,
  type ProvenancePolicy,
  STEP_WEIGHT_SUM_TOLERANCE,
  type StepWeights,
  stepWeightsValidator,
} from "./provenance.js";
export {
  type EvidenceItem,
  type EvidenceRecord,
  evidenceRecordValidator,
  type Question,
  questionValidator,
  type Reasoner,
  type ReasonerInput,
} from "./reasoner.js";
export {
  type Embedder,
  type RetrievalRequest,
  type RetrievedItem,
  type Retriever,
  retrievalRequestValidator,
  retrievedItemValidator,
  type TokenCounter,
} from "./retrieval.js";
export {
  DEFAULT_REWARD_WEIGHTS,
  type EpisodeRewardSummary,
  episodeRewardSummaryValidator,
  type RewardWeights,
  rewardWeightsValidator,
  type StepRewardComponents,
  stepRewardComponentsValidator,
} from "./rewards.js";
export { type RunManifest, runManifestValidator, type StepRecord, stepRecordValidator } from "./run-log.js";
export type { ApplyRequest, MemoryStore } from "./store.js";
export {
  ACTION_LOGPROB_TOLERANCE,
  type AdvantageGrouping,
  type DecisionSampleRecord,
  type LlmSampleRecord,
  type Rollout,
  type RolloutGroup,
  rolloutGroupValidator,
  type TrainerBackend,
  type TrainerMetrics,
  type TrainerUpdateRequest,
  type TrainingSample,
  trainerMetricsValidator,
  trainerUpdateRequestValidator,
  trainingSampleValidator,
} from "./trainer.js";
export {
  createValidator,
  type StandardSchemaV1,
  type ValidationCode,
  ValidationError,
  type ValidationIssue,
  type ValidationResult,
  type Validator,
} from "./validation.js";
