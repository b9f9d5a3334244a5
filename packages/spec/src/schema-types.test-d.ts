// Compile-time check. As a .test-d.ts file it is run by `tsc` in the typecheck target, not by vitest:
// each boundary schema produces exactly its documented interface, field for field. A field added to
// one and not the other fails here, before a strict schema could reject a valid value at run time.
import { describe, expectTypeOf, it } from "vitest";
import type { z } from "zod";
import type * as spec from "./index.js";

type DeepMutable<T> = T extends readonly (infer U)[]
  ? DeepMutable<U>[]
  : T extends object
    ? { -readonly [K in keyof T]: DeepMutable<T[K]> }
    : T;
type Out<S extends z.ZodType> = DeepMutable<z.output<S>>;
type Doc<T> = DeepMutable<T>;

describe("boundary schemas and interfaces agree field for field", () => {
  it("memory", () => {
    expectTypeOf<Out<typeof spec.namespaceSchema>>().toEqualTypeOf<Doc<spec.Namespace>>();
    expectTypeOf<Out<typeof spec.memoryItemSchema>>().toEqualTypeOf<Doc<spec.MemoryItem>>();
    expectTypeOf<Out<typeof spec.memoryItemVersionSchema>>().toEqualTypeOf<Doc<spec.MemoryItemVersion>>();
    expectTypeOf<Out<typeof spec.memoryViewSchema>>().toEqualTypeOf<Doc<spec.MemoryView>>();
    expectTypeOf<Out<typeof spec.memoryOperationSchema>>().toEqualTypeOf<Doc<spec.MemoryOperation>>();
    expectTypeOf<Out<typeof spec.identifiedOperationSchema>>().toEqualTypeOf<Doc<spec.IdentifiedOperation>>();
    expectTypeOf<Out<typeof spec.operationResultSchema>>().toEqualTypeOf<Doc<spec.OperationResult>>();
  });

  it("retrieval and models", () => {
    expectTypeOf<Out<typeof spec.retrievalRequestSchema>>().toEqualTypeOf<Doc<spec.RetrievalRequest>>();
    expectTypeOf<Out<typeof spec.retrievedItemSchema>>().toEqualTypeOf<Doc<spec.RetrievedItem>>();
    expectTypeOf<Out<typeof spec.toolDefinitionSchema>>().toEqualTypeOf<Doc<spec.ToolDefinition>>();
    expectTypeOf<Out<typeof spec.toolCallSchema>>().toEqualTypeOf<Doc<spec.ToolCall>>();
    expectTypeOf<Out<typeof spec.chatMessageSchema>>().toEqualTypeOf<Doc<spec.ChatMessage>>();
    expectTypeOf<Out<typeof spec.languageModelRequestSchema>>().toEqualTypeOf<Doc<spec.LanguageModelRequest>>();
    expectTypeOf<Out<typeof spec.languageModelResponseSchema>>().toEqualTypeOf<Doc<spec.LanguageModelResponse>>();
  });

  it("policy, reasoner and benchmarks", () => {
    expectTypeOf<Out<typeof spec.chunkSchema>>().toEqualTypeOf<Doc<spec.Chunk>>();
    expectTypeOf<Out<typeof spec.parseOutcomeSchema>>().toEqualTypeOf<Doc<spec.ParseOutcome>>();
    expectTypeOf<Out<typeof spec.policyInputSchema>>().toEqualTypeOf<Doc<spec.PolicyInput>>();
    expectTypeOf<Out<typeof spec.policyDecisionSchema>>().toEqualTypeOf<Doc<spec.PolicyDecision>>();
    expectTypeOf<Out<typeof spec.questionSchema>>().toEqualTypeOf<Doc<spec.Question>>();
    expectTypeOf<Out<typeof spec.evidenceRecordSchema>>().toEqualTypeOf<Doc<spec.EvidenceRecord>>();
    expectTypeOf<Out<typeof spec.chunkQuestionSchema>>().toEqualTypeOf<Doc<spec.ChunkQuestion>>();
    expectTypeOf<Out<typeof spec.globalQuestionSchema>>().toEqualTypeOf<Doc<spec.GlobalQuestion>>();
    expectTypeOf<Out<typeof spec.datasetSourceSchema>>().toEqualTypeOf<Doc<spec.DatasetSource>>();
    expectTypeOf<Out<typeof spec.benchmarkInstanceSchema>>().toEqualTypeOf<Doc<spec.BenchmarkInstance>>();
    expectTypeOf<Out<typeof spec.metricResultSchema>>().toEqualTypeOf<Doc<spec.MetricResult>>();
  });

  it("rewards, logs and training", () => {
    expectTypeOf<Out<typeof spec.rewardWeightsSchema>>().toEqualTypeOf<Doc<spec.RewardWeights>>();
    expectTypeOf<Out<typeof spec.stepRewardComponentsSchema>>().toEqualTypeOf<Doc<spec.StepRewardComponents>>();
    expectTypeOf<Out<typeof spec.episodeRewardSummarySchema>>().toEqualTypeOf<Doc<spec.EpisodeRewardSummary>>();
    expectTypeOf<Out<typeof spec.stepRecordSchema>>().toEqualTypeOf<Doc<spec.StepRecord>>();
    expectTypeOf<Out<typeof spec.runManifestSchema>>().toEqualTypeOf<Doc<spec.RunManifest>>();
    expectTypeOf<Out<typeof spec.trainingSampleSchema>>().toEqualTypeOf<Doc<spec.TrainingSample>>();
    expectTypeOf<Out<typeof spec.rolloutGroupSchema>>().toEqualTypeOf<Doc<spec.RolloutGroup>>();
    expectTypeOf<Out<typeof spec.trainerUpdateRequestSchema>>().toEqualTypeOf<Doc<spec.TrainerUpdateRequest>>();
    expectTypeOf<Out<typeof spec.trainerMetricsSchema>>().toEqualTypeOf<Doc<spec.TrainerMetrics>>();
  });
});
