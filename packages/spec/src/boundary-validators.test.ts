import { describe, expect, it } from "vitest";
import { type BoundaryTypeName, boundaryValidators } from "./boundary-validators.js";
import { FineMemError, type PathSegment } from "./errors.js";
import { memoryOperationValidator } from "./operation.js";
import { type ValidationCode, ValidationError } from "./validation.js";

// One valid value per boundary type, and for each defect kind the path where this test plants it.
// A defect kind that cannot occur in a type says why instead of giving a path (`na`).
type Path = readonly PathSegment[];
interface Case {
  readonly sample: unknown;
  readonly missing: Path | { na: string };
  readonly wrongType: Path;
  readonly nesting: Path;
  readonly id: Path | { na: string };
  readonly content: Path | { na: string };
  readonly operation: Path | { na: string };
  readonly unknownField: Path | { na: string };
}

const noOperation = { na: "holds no memory operation" };
const noContent = { na: "holds no memory or question text" };
const noId = { na: "holds no identifier" };

const item = {
  id: "m1",
  content: "Alice lives in Paris.",
  version: 2,
  createdStep: 1,
  step: 3,
  operationId: "run1:3:0",
};
const version = {
  itemId: "m1",
  version: 2,
  content: "Alice lives in Paris.",
  step: 3,
  operationId: "run1:3:0",
  previousVersion: 1,
  tombstone: false,
};
const view = { namespace: { user: "u1" }, layout: "flat", step: 3, items: [item] };
const insert = { type: "INSERT", content: "Bob likes tea." };
const update = { type: "UPDATE", id: "m1", content: "Alice lives in Lyon." };
const rewards = { format: 1, chunk: 0.6, evidence: 0.25, eara: 0.3, compression: 0.4, content: null, total: 1.62 };
const source = {
  repo: "ai-hyz/MemoryAgentBench",
  revision: "7ea066982b140a19337e17e60d45d4076e042faf",
  file: "data/x.parquet",
  sha256: "a".repeat(64),
  row: 0,
};
const llm = {
  promptMessages: [
    { role: "system", content: "You manage memory." },
    { role: "user", content: "Alice moved to Lyon." },
  ],
  responseText: "",
  responseToolCalls: [{ id: "call_1", name: "memory_insert", arguments: '{"content": "Alice lives in Lyon."}' }],
  promptTokenIds: [11, 12, 13],
  responseTokenIds: [5, 6, 7],
  responseLogprobs: [-0.5, -0.5, -0.5],
  finishReason: "tool_calls",
  truncated: false,
  sampling: { temperature: 1, maxTokens: 2048 },
  logprobDistribution: "sampled",
};
const sample = {
  instanceId: "i1",
  rollout: 0,
  step: 1,
  dataSource: "squad",
  reward: 1.62,
  rewards,
  actionLogprob: { value: -1.5, source: "tokens", count: 3 },
  llm,
};

const cases: Record<BoundaryTypeName, Case> = {
  Namespace: {
    sample: { user: "u1", run: "r1" },
    missing: { na: "every field is optional" },
    wrongType: ["user"],
    nesting: ["run"],
    id: { na: "namespace ids take any non-empty text without control characters: see 'namespace ids'" },
    content: noContent,
    operation: noOperation,
    unknownField: [],
  },
  MemoryItem: {
    sample: item,
    missing: ["operationId"],
    wrongType: ["version"],
    nesting: ["step"],
    id: ["id"],
    content: ["content"],
    operation: noOperation,
    unknownField: [],
  },
  MemoryItemVersion: {
    sample: version,
    missing: ["tombstone"],
    wrongType: ["tombstone"],
    nesting: ["content"],
    id: ["itemId"],
    content: ["content"],
    operation: noOperation,
    unknownField: [],
  },
  MemoryView: {
    sample: view,
    missing: ["layout"],
    wrongType: ["items"],
    nesting: ["items", 0, "content"],
    id: ["items", 0, "id"],
    content: ["items", 0, "content"],
    operation: noOperation,
    unknownField: ["items", 0],
  },
  MemoryOperation: {
    sample: update,
    missing: ["id"],
    wrongType: ["content"],
    nesting: ["content"],
    id: ["id"],
    content: ["content"],
    operation: ["type"],
    unknownField: [],
  },
  IdentifiedOperation: {
    sample: { operationId: "run1:1:0", operation: insert },
    missing: ["operation", "content"],
    wrongType: ["operationId"],
    nesting: ["operation", "content"],
    id: ["operationId"],
    content: ["operation", "content"],
    operation: ["operation", "type"],
    unknownField: ["operation"],
  },
  OperationResult: {
    sample: { operationId: "op1", status: "rejected", reason: "unknown_id", message: "no item m9" },
    missing: ["reason"],
    wrongType: ["message"],
    nesting: ["message"],
    id: ["operationId"],
    content: noContent,
    operation: noOperation,
    unknownField: [],
  },
  StepWeights: {
    sample: { "1": 0.5, "3": 0.5 },
    missing: { na: "a weight map has no required key" },
    wrongType: ["1"],
    nesting: ["3"],
    id: { na: "keys are step numbers, checked as values" },
    content: noContent,
    operation: noOperation,
    unknownField: { na: "any step key is allowed" },
  },
  RetrievalRequest: {
    sample: { query: "Where does Alice live?", view, topK: 20 },
    missing: ["topK"],
    wrongType: ["query"],
    nesting: ["topK"],
    id: ["view", "items", 0, "operationId"],
    content: ["view", "items", 0, "content"],
    operation: noOperation,
    unknownField: [],
  },
  RetrievedItem: {
    sample: { item, score: 1.5, rank: 1 },
    missing: ["rank"],
    wrongType: ["score"],
    nesting: ["rank"],
    id: ["item", "id"],
    content: ["item", "content"],
    operation: noOperation,
    unknownField: ["item"],
  },
  ToolDefinition: {
    sample: { name: "memory_insert", description: "Insert an item", parameters: { type: "object" } },
    missing: ["description"],
    wrongType: ["description"],
    nesting: ["description"],
    id: ["name"],
    content: noContent,
    operation: noOperation,
    unknownField: [],
  },
  ToolCall: {
    sample: { id: "call_1", name: "memory_insert", arguments: "{}" },
    missing: ["arguments"],
    wrongType: ["arguments"],
    nesting: ["name"],
    id: ["id"],
    content: noContent,
    operation: noOperation,
    unknownField: [],
  },
  ChatMessage: {
    sample: { role: "tool", toolCallId: "call_1", content: "ok" },
    missing: ["toolCallId"],
    wrongType: ["content"],
    nesting: ["content"],
    id: ["toolCallId"],
    content: noContent,
    operation: noOperation,
    unknownField: [],
  },
  LanguageModelRequest: {
    sample: {
      messages: [
        { role: "user", content: "hi" },
        { role: "assistant", content: "", toolCalls: [{ id: "c1", name: "f", arguments: "{}" }] },
      ],
      sampling: { temperature: 1, maxTokens: 64 },
    },
    missing: ["messages"],
    wrongType: ["sampling", "maxTokens"],
    nesting: ["messages", 0, "content"],
    id: ["messages", 1, "toolCalls", 0, "id"],
    content: noContent,
    operation: noOperation,
    unknownField: ["sampling"],
  },
  LanguageModelResponse: {
    sample: {
      text: "{}",
      toolCalls: [],
      finishReason: "stop",
      usage: { promptTokens: 10, completionTokens: 2 },
      responseTokenIds: [1, 2],
      responseLogprobs: [-0.1, -0.2],
    },
    missing: ["usage", "completionTokens"],
    wrongType: ["text"],
    nesting: ["finishReason"],
    id: { na: "no tool call in this sample; ToolCall covers call ids" },
    content: noContent,
    operation: noOperation,
    unknownField: ["usage"],
  },
  Chunk: {
    sample: { id: "c1", text: "Alice moved to Paris." },
    missing: ["text"],
    wrongType: ["text"],
    nesting: ["text"],
    id: ["id"],
    content: ["text"],
    operation: noOperation,
    unknownField: [],
  },
  ParseOutcome: {
    sample: { fragment: 0, status: "failed", reason: "malformed_json", message: "unexpected end" },
    missing: ["message"],
    wrongType: ["fragment"],
    nesting: ["fragment"],
    id: noId,
    content: noContent,
    operation: noOperation,
    unknownField: [],
  },
  PolicyInput: {
    sample: { step: 4, chunk: { id: "c4", text: "Alice moved to Lyon." }, view },
    missing: ["chunk", "id"],
    wrongType: ["step"],
    nesting: ["chunk", "text"],
    id: ["chunk", "id"],
    content: ["chunk", "text"],
    operation: noOperation,
    unknownField: ["chunk"],
  },
  PolicyDecision: {
    sample: {
      operations: [insert, update],
      parseOutcomes: [
        { fragment: 0, status: "parsed", operationIndex: 0, repairs: [] },
        { fragment: 1, status: "repaired", operationIndex: 1, repairs: ["trailing_comma"] },
      ],
      rawOutput: "...",
      actionLogprob: null,
    },
    missing: ["rawOutput"],
    wrongType: ["operations"],
    nesting: ["rawOutput"],
    id: ["operations", 1, "id"],
    content: ["operations", 0, "content"],
    operation: ["operations", 1, "type"],
    unknownField: ["operations", 0],
  },
  Question: {
    sample: { id: "q1", text: "Where does Alice live?", dataSource: "squad" },
    missing: ["text"],
    wrongType: ["text"],
    nesting: ["id"],
    id: ["id"],
    content: ["text"],
    operation: noOperation,
    unknownField: [],
  },
  EvidenceRecord: {
    sample: {
      questionId: "q1",
      retrieved: [{ itemId: "m1", version: 2, rank: 1, score: 3.1 }],
      answer: "Lyon",
      score: 1,
    },
    missing: ["answer"],
    wrongType: ["score"],
    nesting: ["retrieved", 0, "rank"],
    id: ["retrieved", 0, "itemId"],
    content: noContent,
    operation: noOperation,
    unknownField: ["retrieved", 0],
  },
  ChunkQuestion: {
    sample: { id: "c1-q1", question: "Where did Alice move?", gold: "Paris" },
    missing: ["gold"],
    wrongType: ["gold"],
    nesting: ["question"],
    id: ["id"],
    content: ["question"],
    operation: noOperation,
    unknownField: [],
  },
  GlobalQuestion: {
    sample: { id: "q1", question: "Where does Alice live?", gold: ["Lyon"], metadata: { hop: 1 } },
    missing: ["question"],
    wrongType: ["metadata"],
    nesting: ["id"],
    id: ["id"],
    content: ["question"],
    operation: noOperation,
    unknownField: [],
  },
  DatasetSource: {
    sample: source,
    missing: ["sha256"],
    wrongType: ["row"],
    nesting: ["revision"],
    id: { na: "repo, revision and file are names and paths, not ids" },
    content: noContent,
    operation: noOperation,
    unknownField: [],
  },
  BenchmarkInstance: {
    sample: {
      instanceId: "mab-cr-0",
      dataSource: "factconsolidation_sh_6k",
      competency: "CR",
      protocol: "memoryagentbench",
      chunks: [{ id: "c1", text: "0. Alice lives in Paris." }],
      chunkQuestions: [[{ id: "c1-q1", question: "Where does Alice live?", gold: "Paris" }]],
      questions: [{ id: "q1", question: "Where does Alice live?", gold: ["Paris"] }],
      metadata: {},
      source,
    },
    missing: ["source"],
    wrongType: ["chunks"],
    nesting: ["competency"],
    id: ["questions", 0, "id"],
    content: ["chunks", 0, "text"],
    operation: noOperation,
    unknownField: ["questions", 0],
  },
  MetricResult: {
    sample: { score: 0.5, details: { f1: 0.5 } },
    missing: ["score"],
    wrongType: ["score"],
    nesting: ["score"],
    id: noId,
    content: noContent,
    operation: noOperation,
    unknownField: [],
  },
  RewardWeights: {
    sample: { beta: 0.5, chunk: 0.5, compression: 0.05, content: 0 },
    missing: ["beta"],
    wrongType: ["chunk"],
    nesting: ["compression"],
    id: noId,
    content: noContent,
    operation: noOperation,
    unknownField: [],
  },
  StepRewardComponents: {
    sample: rewards,
    missing: ["total"],
    wrongType: ["format"],
    nesting: ["eara"],
    id: noId,
    content: noContent,
    operation: noOperation,
    unknownField: [],
  },
  EpisodeRewardSummary: {
    sample: {
      steps: 4,
      global: 0.5,
      unattributed: 0.1,
      compression: 0.3,
      questionsScored: 3,
      questionsTotal: 10,
      weights: { beta: 0.5, chunk: 0.5, compression: 0.05, content: 0 },
    },
    missing: ["weights", "beta"],
    wrongType: ["steps"],
    nesting: ["global"],
    id: noId,
    content: noContent,
    operation: noOperation,
    unknownField: ["weights"],
  },
  StepRecord: {
    sample: {
      runId: "run1",
      instanceId: "i1",
      rollout: 0,
      step: 1,
      chunkId: "c1",
      operations: [{ operationId: "run1:1:0", operation: insert }],
      results: [{ operationId: "run1:1:0", status: "applied", itemId: "m1", version: 1 }],
      parseOutcomes: [{ fragment: 0, status: "parsed", operationIndex: 0, repairs: [] }],
      actionLogprob: null,
      rewards,
      memoryTokens: 4,
    },
    missing: ["rewards"],
    wrongType: ["rollout"],
    nesting: ["rewards", "total"],
    id: ["chunkId"],
    content: ["operations", 0, "operation", "content"],
    operation: ["operations", 0, "operation", "type"],
    unknownField: ["rewards"],
  },
  RunManifest: {
    sample: {
      runId: "run1",
      specificationVersion: "v1",
      createdAt: "2026-11-24T04:00:00Z",
      seed: "42",
      models: { manager: "Qwen/Qwen3-4B" },
      promptHashes: { "flat-v1": "abc123" },
      datasets: [source],
    },
    missing: ["seed"],
    wrongType: ["models"],
    nesting: ["seed"],
    id: ["runId"],
    content: noContent,
    operation: noOperation,
    unknownField: ["datasets", 0],
  },
  TrainingSample: {
    sample,
    missing: ["llm", "promptTokenIds"],
    wrongType: ["llm", "responseTokenIds"],
    nesting: ["step"],
    id: ["instanceId"],
    content: noContent,
    operation: noOperation,
    unknownField: ["llm"],
  },
  RolloutGroup: {
    sample: { instanceId: "i1", rollouts: [{ rolloutId: "i1:r0", rollout: 0, seed: "7", samples: [sample] }] },
    missing: ["rollouts", 0, "seed"],
    wrongType: ["rollouts"],
    nesting: ["rollouts", 0, "samples", 0, "reward"],
    id: ["rollouts", 0, "rolloutId"],
    content: noContent,
    operation: noOperation,
    unknownField: ["rollouts", 0],
  },
  TrainerUpdateRequest: {
    sample: {
      groups: [{ instanceId: "i1", rollouts: [{ rolloutId: "i1:r0", rollout: 0, seed: "7", samples: [sample] }] }],
      grouping: "pooled",
    },
    missing: ["grouping"],
    wrongType: ["groups"],
    nesting: ["grouping"],
    id: ["groups", 0, "instanceId"],
    content: noContent,
    operation: noOperation,
    unknownField: ["groups", 0],
  },
  TrainerMetrics: {
    sample: { updateStep: 1, samples: 8, meanReward: 0.4, loss: 0.1, extra: { clipFraction: 0.02 } },
    missing: ["extra"],
    wrongType: ["meanReward"],
    nesting: ["loss"],
    id: noId,
    content: noContent,
    operation: noOperation,
    unknownField: [],
  },
};

function isPath(value: Path | { na: string }): value is Path {
  return Array.isArray(value);
}

function mutate(value: unknown, path: Path, change: (old: unknown) => unknown | typeof REMOVE): unknown {
  const copy = structuredClone(value);
  if (path.length === 0) return change(copy);
  let parent = copy as Record<PathSegment, unknown>;
  for (const segment of path.slice(0, -1)) parent = parent[segment] as Record<PathSegment, unknown>;
  const key = path[path.length - 1]!;
  const next = change(parent[key]);
  if (next === REMOVE) delete parent[key];
  else parent[key] = next;
  return copy;
}
const REMOVE = Symbol("remove");

function wrongTypeFor(value: unknown): unknown {
  if (typeof value === "string") return 12345;
  if (typeof value === "number") return "12";
  if (typeof value === "boolean") return "yes";
  if (Array.isArray(value)) return "not-a-list";
  if (value === null) return 17;
  return "not-an-object";
}

function expectDefect(name: BoundaryTypeName, value: unknown, code: ValidationCode, path: Path) {
  const validator = boundaryValidators[name];
  const result = validator.validate(value);
  expect(result.ok, `${name} accepted a value with a ${code} defect at ${JSON.stringify(path)}`).toBe(false);
  if (result.ok) return;
  expect(result.error).toBeInstanceOf(ValidationError);
  expect(result.error).toBeInstanceOf(FineMemError);
  expect({ code: result.error.code, path: result.error.path }).toEqual({ code, path });
  expect(result.error.schemaName).toBe(name);
  expect(() => validator.parse(value)).toThrow(ValidationError);
}

describe("boundary validators", () => {
  it("has a defect case for every boundary type", () => {
    expect(Object.keys(cases).sort()).toEqual(Object.keys(boundaryValidators).sort());
  });

  it("types that hold operations are tested with an unknown operation, those with text with empty content", () => {
    const withOperations = Object.entries(cases).filter(([, entry]) =>
      JSON.stringify(entry.sample).includes('"type":"INSERT"'),
    );
    for (const [name, entry] of withOperations) expect(isPath(entry.operation), name).toBe(true);
  });

  describe.each(Object.entries(cases) as [BoundaryTypeName, Case][])("%s", (name, entry) => {
    it("accepts the valid sample unchanged", () => {
      const result = boundaryValidators[name].validate(entry.sample);
      expect(result.ok ? "ok" : result.error.message).toBe("ok");
      if (result.ok) expect(result.value).toEqual(entry.sample);
    });

    it("missing field", () => {
      if (!isPath(entry.missing)) return void expect(entry.missing.na).not.toBe("");
      expectDefect(
        name,
        mutate(entry.sample, entry.missing, () => REMOVE),
        "missing_field",
        entry.missing,
      );
    });

    it("wrong type", () => {
      expectDefect(name, mutate(entry.sample, entry.wrongType, wrongTypeFor), "wrong_type", entry.wrongType);
    });

    it("extra nesting", () => {
      expectDefect(
        name,
        mutate(entry.sample, entry.nesting, (old) => ({ value: old })),
        "unexpected_nesting",
        entry.nesting,
      );
    });

    it("unknown field", () => {
      if (!isPath(entry.unknownField)) return void expect(entry.unknownField.na).not.toBe("");
      const where = entry.unknownField;
      expectDefect(
        name,
        mutate(entry.sample, where, (old) => ({ ...(old as object), surprise: { nested: true } })),
        "unknown_field",
        [...where, "surprise"],
      );
    });

    it("id of the wrong shape", () => {
      if (!isPath(entry.id)) return void expect(entry.id.na).not.toBe("");
      for (const bad of ["has space", "", "-leading-dash", "x".repeat(129), 'quote"d']) {
        expectDefect(
          name,
          mutate(entry.sample, entry.id as Path, () => bad),
          "invalid_id",
          entry.id as Path,
        );
      }
    });

    it("empty content", () => {
      if (!isPath(entry.content)) return void expect(entry.content.na).not.toBe("");
      for (const bad of ["", "   ", "\n\t"]) {
        expectDefect(
          name,
          mutate(entry.sample, entry.content as Path, () => bad),
          "empty_content",
          entry.content as Path,
        );
      }
    });

    it("unknown operation", () => {
      if (!isPath(entry.operation)) return void expect(entry.operation.na).not.toBe("");
      for (const bad of ["MERGE", "insert", 3]) {
        expectDefect(
          name,
          mutate(entry.sample, entry.operation as Path, () => bad),
          "unknown_operation",
          entry.operation as Path,
        );
      }
    });
  });
});

describe("cross-field rules", () => {
  it("a step weight map must sum to 1", () => {
    const result = boundaryValidators.StepWeights.validate({ "1": 0.5, "2": 0.25 });
    expect(result.ok ? null : result.error.code).toBe("inconsistent");
    expect(boundaryValidators.StepWeights.validate({ "1": 1 / 3, "3": 1 / 3, "5": 1 / 3 }).ok).toBe(true);
    expect(boundaryValidators.StepWeights.validate({}).ok).toBe(true);
    expect(boundaryValidators.StepWeights.validate({ abc: 1 }).ok).toBe(false);
  });

  it("a flat view rejects typed items and a typed view needs them", () => {
    const typedItem = { ...item, memoryType: "semantic" };
    const flat = boundaryValidators.MemoryView.validate({ ...view, items: [typedItem] });
    expect(flat.ok ? null : [flat.error.code, flat.error.path]).toEqual(["inconsistent", ["items", 0, "memoryType"]]);
    expect(boundaryValidators.MemoryView.validate({ ...view, layout: "typed", items: [typedItem] }).ok).toBe(true);
  });

  it.each(["LanguageModelResponse", "PolicyDecision"] as const)(
    "%s: log-probabilities align with response tokens",
    (name) => {
      const base = cases[name].sample as Record<string, unknown>;
      const result = boundaryValidators[name].validate({ ...base, responseTokenIds: [1, 2], responseLogprobs: [-0.1] });
      expect(result.ok ? null : [result.error.code, result.error.path]).toEqual(["inconsistent", ["responseLogprobs"]]);
      expect(
        boundaryValidators[name].validate({ ...base, responseTokenIds: [1, 2], responseLogprobs: [-0.1, -0.2] }).ok,
      ).toBe(true);
    },
  );

  it("TrainingSample: log-probabilities align with response tokens in the llm record", () => {
    const result = boundaryValidators.TrainingSample.validate({
      ...sample,
      actionLogprob: { value: -0.1, source: "tokens", count: 1 },
      llm: { ...llm, responseTokenIds: [1, 2], responseLogprobs: [-0.1] },
    });
    expect(result.ok ? null : [result.error.code, result.error.path]).toEqual([
      "inconsistent",
      ["llm", "responseLogprobs"],
    ]);
    const aligned = {
      ...sample,
      actionLogprob: { value: -0.3, source: "tokens", count: 2 },
      llm: { ...llm, responseTokenIds: [1, 2], responseLogprobs: [-0.1, -0.2] },
    };
    expect(boundaryValidators.TrainingSample.validate(aligned).ok).toBe(true);
  });

  it("a step record has one result per operation, in order", () => {
    const base = cases.StepRecord.sample as Record<string, unknown>;
    const result = boundaryValidators.StepRecord.validate({ ...base, results: [] });
    expect(result.ok ? null : [result.error.code, result.error.path]).toEqual(["inconsistent", ["results"]]);
  });

  it("a training sample's reward is its components' total", () => {
    const result = boundaryValidators.TrainingSample.validate({ ...sample, reward: 2 });
    expect(result.ok ? null : [result.error.code, result.error.path]).toEqual(["inconsistent", ["reward"]]);
  });

  it("benchmark instances have one question list per chunk", () => {
    const base = cases.BenchmarkInstance.sample as Record<string, unknown>;
    const result = boundaryValidators.BenchmarkInstance.validate({ ...base, chunkQuestions: [] });
    expect(result.ok ? null : [result.error.code, result.error.path]).toEqual(["inconsistent", ["chunkQuestions"]]);
  });

  it("a parse outcome points at an existing operation", () => {
    const result = boundaryValidators.PolicyDecision.validate({
      operations: [],
      parseOutcomes: [{ fragment: 0, status: "parsed", operationIndex: 0, repairs: [] }],
      rawOutput: "",
      actionLogprob: null,
    });
    expect(result.ok ? null : [result.error.code, result.error.path]).toEqual([
      "inconsistent",
      ["parseOutcomes", 0, "operationIndex"],
    ]);
  });

  it("evidence ranks count from 1 without gaps", () => {
    const result = boundaryValidators.EvidenceRecord.validate({
      questionId: "q1",
      retrieved: [{ itemId: "m1", version: 1, rank: 2, score: 1 }],
      answer: "x",
      score: null,
    });
    expect(result.ok ? null : [result.error.code, result.error.path]).toEqual([
      "inconsistent",
      ["retrieved", 0, "rank"],
    ]);
  });

  it("names every unknown field at its own path", () => {
    const result = boundaryValidators.Chunk.validate({ id: "c1", text: "x", extra: 1, more: 2 });
    expect(result.ok ? [] : result.error.issues.map((issue) => [issue.code, issue.path])).toEqual([
      ["unknown_field", ["extra"]],
      ["unknown_field", ["more"]],
    ]);
  });

  it("lists every issue, with the first as the error's code and path", () => {
    const result = boundaryValidators.Chunk.validate({ id: "bad id", text: "" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.issues.map((issue) => issue.code)).toEqual(["invalid_id", "empty_content"]);
    expect(result.error.message).toBe(`Chunk: id: ${result.error.issues[0]!.message}`);
  });
});

describe("optional fields are exact (exactOptionalPropertyTypes at run time)", () => {
  it("an absent optional field passes; an optional field set to undefined is a wrong type naming the field", () => {
    expect(memoryOperationValidator.validate({ type: "INSERT", content: "Rex is a dog." }).ok).toBe(true);
    const result = memoryOperationValidator.validate({
      type: "INSERT",
      content: "Rex is a dog.",
      memoryType: undefined,
    });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe("wrong_type");
      expect(result.error.path).toEqual(["memoryType"]);
      expect(result.error.message).toMatch(/an optional field is left out/);
    }
  });

  it("a field that is there with the value undefined is a wrong type; a field that is not there is missing", () => {
    const undefinedContent = memoryOperationValidator.validate({ type: "INSERT", content: undefined });
    expect(undefinedContent.ok ? undefined : [undefinedContent.error.code, undefinedContent.error.path]).toEqual([
      "wrong_type",
      ["content"],
    ]);
    const noContent = memoryOperationValidator.validate({ type: "INSERT" });
    expect(noContent.ok ? undefined : [noContent.error.code, noContent.error.path]).toEqual([
      "missing_field",
      ["content"],
    ]);
  });
});

describe("namespace ids", () => {
  const namespace = boundaryValidators.Namespace;

  it("accept what applications use as user ids: emails, names, '+', spaces, non-ASCII", () => {
    for (const id of [
      "ada@example.com",
      "ada.lovelace+memory@example.co.uk",
      "Ada Lovelace",
      "josé",
      "用户-42",
      "🙂",
      "-leading-dash",
      'quote"d',
      "x".repeat(128),
      "🙂".repeat(128),
    ]) {
      const result = namespace.validate({ user: id, agent: id, run: id });
      expect(result.ok, `rejected ${JSON.stringify(id)}: ${result.ok ? "" : result.error.message}`).toBe(true);
      if (result.ok) expect(result.value).toEqual({ user: id, agent: id, run: id });
    }
  });

  it("reject empty text, control characters, lone surrogates and more than 128 characters", () => {
    for (const bad of ["", "a\nb", "tab\there", "nul\u0000", "esc\u001b[0m", "c1\u0085", "\ud800", "x".repeat(129)]) {
      expectDefect("Namespace", { agent: bad }, "invalid_id", ["agent"]);
      expectDefect("MemoryView", { ...view, namespace: { user: bad } }, "invalid_id", ["namespace", "user"]);
    }
  });

  it("say once what was wrong and what is allowed", () => {
    const result = namespace.validate({ user: "" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toBe(
      "Namespace: user: a namespace id must be a non-empty string of at most 128 characters without control characters",
    );
  });
});
