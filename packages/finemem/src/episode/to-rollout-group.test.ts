import { generateSyntheticBenchmark } from "@finemem/benchmarks";
import {
  createExtractiveReader,
  createHeuristicPolicy,
  createLlmMemoryPolicy,
  createOpenAICompatibleModel,
} from "@finemem/policy";
import { chatCompletion, type OpenAIReplayServer, startOpenAIReplayServer } from "@finemem/policy/testing";
import { rolloutGroupValidator, ValidationError } from "@finemem/spec";
import { afterEach, describe, expect, it } from "vitest";
import { RunError } from "../run/run-error.js";
import { type EpisodeResult, runEpisode } from "./run-episode.js";
import { runRollouts } from "./run-rollouts.js";
import { coinFlipReplayValidator, createCoinFlipPolicy } from "./test-support/coin-flip-policy.js";
import { toRolloutGroup } from "./to-rollout-group.js";

const [instance, other] = generateSyntheticBenchmark({
  seed: 11,
  instanceCount: 2,
  chunkCount: 3,
  factsPerChunk: 2,
  questionsPerChunk: 1,
});
const reasoner = createExtractiveReader();

// What the replay server sent for request i, so samples can be compared with it. Like vLLM, it
// sends token ids only when asked (return_token_ids) and log-probabilities only when asked.
interface Served {
  readonly promptTokenIds: number[];
  readonly tokenIds: number[];
  readonly logprobs: number[];
  readonly finishReason: "tool_calls" | "length";
}
const TRUNCATED = 2; // rollout 0, step 3: cut at max_tokens in the middle of a call.

function served(index: number): Served {
  return {
    promptTokenIds: [151644, 8948, 198, 2000 + index],
    tokenIds: [151657, 198, 1000 + index],
    // Multiples of 1/8: their sums are exact, -0.75 - (index + 1) / 8.
    logprobs: [-0.5, -0.25, -(index + 1) / 8],
    finishReason: index === TRUNCATED ? "length" : "tool_calls",
  };
}

let server: OpenAIReplayServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function llmPolicyOverReplayServer() {
  server = await startOpenAIReplayServer((body, index) => {
    const request = body as { logprobs?: boolean; return_token_ids?: boolean };
    const sent = served(index);
    return {
      body: chatCompletion({
        ...(index === TRUNCATED
          ? {
              content: '<tool_call>\n{"name": "memory_insert", "arguments": {"content": "Alvena',
              finishReason: "length",
            }
          : { toolCalls: [{ name: "memory_insert", arguments: { content: `fact ${index}` } }] }),
        ...(request.logprobs === true ? { logprobs: sent.logprobs } : {}),
        ...(request.return_token_ids === true ? { tokenIds: sent.tokenIds, promptTokenIds: sent.promptTokenIds } : {}),
      }),
    };
  });
  // A vLLM server started with --logprobs-mode processed_logprobs, declared as such.
  const model = createOpenAICompatibleModel({
    baseURL: server.baseURL,
    model: "Qwen/Qwen3-4B-Instruct-2507",
    engine: "vllm",
    logprobDistribution: "sampled",
    retry: { maxRetries: 0 },
  });
  return { server, policy: createLlmMemoryPolicy({ model, sampling: { temperature: 1, maxTokens: 64 } }) };
}

describe("toRolloutGroup: an LLM policy over an OpenAI-compatible server", () => {
  it("records the engine's token ids, log-probabilities and finish reasons verbatim in a valid group", async () => {
    const { server, policy } = await llmPolicyOverReplayServer();
    const episodes = await runRollouts({
      instance: instance!,
      rollouts: 2,
      policy,
      reasoner,
      training: true,
      runId: "train-1",
    });

    // Training asks for log-probabilities and token ids on every step of every rollout.
    expect(server.requests).toHaveLength(6);
    for (const request of server.requests)
      expect(request.body).toMatchObject({ logprobs: true, return_token_ids: true, temperature: 1, max_tokens: 64 });

    const group = toRolloutGroup(episodes);
    expect(rolloutGroupValidator.validate(group).ok).toBe(true);
    const id = instance!.instanceId;
    expect(group.instanceId).toBe(id);
    expect(group.rollouts.map(({ rolloutId, rollout, seed }) => ({ rolloutId, rollout, seed }))).toEqual([
      { rolloutId: `${id}:r0`, rollout: 0, seed: `train-1/${id}/0` },
      { rolloutId: `${id}:r1`, rollout: 1, seed: `train-1/${id}/1` },
    ]);

    for (const [r, rollout] of group.rollouts.entries()) {
      expect(rollout.samples.map((sample) => sample.step)).toEqual([1, 2, 3]);
      for (const sample of rollout.samples) {
        const index = r * 3 + sample.step - 1;
        const sent = served(index);
        const record = episodes[r]!.stepRecords[sample.step - 1]!;
        expect(sample).toMatchObject({
          instanceId: id,
          rollout: r,
          dataSource: "synthetic",
          reward: record.rewards.total,
          rewards: record.rewards,
        });
        expect(sample.actionLogprob).toEqual({ value: -0.75 - (index + 1) / 8, source: "tokens", count: 3 });
        expect(sample.decisions).toBeUndefined();
        const llm = sample.llm!;
        expect(llm.promptTokenIds).toEqual(sent.promptTokenIds);
        expect(llm.responseTokenIds).toEqual(sent.tokenIds);
        expect(llm.responseLogprobs).toEqual(sent.logprobs);
        expect(llm.finishReason).toBe(sent.finishReason);
        expect(llm.truncated).toBe(index === TRUNCATED);
        // The server received the same messages (system and user messages have the same shape on the wire).
        expect(llm.promptMessages).toEqual((server.requests[index]!.body as { messages: unknown }).messages);
        expect(llm.sampling).toEqual({ temperature: 1, maxTokens: 64 });
        expect(llm.logprobDistribution).toBe("sampled");
        if (index === TRUNCATED) {
          expect(llm.responseToolCalls).toEqual([]);
          expect(llm.responseText).toBe('<tool_call>\n{"name": "memory_insert", "arguments": {"content": "Alvena');
        } else {
          expect(llm.responseToolCalls.map(({ name, arguments: args }) => ({ name, args }))).toEqual([
            { name: "memory_insert", args: `{"content":"fact ${index}"}` },
          ]);
        }
      }
    }
  });

  it("an evaluation run asks for no token ids, and converting it says to run with training: true", async () => {
    const { server, policy } = await llmPolicyOverReplayServer();
    const episode = await runEpisode({ instance: instance!, policy, reasoner });
    expect(server.requests).toHaveLength(3);
    for (const request of server.requests) {
      expect(request.body).toMatchObject({ logprobs: true });
      expect(request.body).not.toHaveProperty("return_token_ids");
    }
    expect(() => toRolloutGroup([episode])).toThrow(
      expect.objectContaining({
        code: "not_recorded_for_training",
        path: ["episodes", 0, "steps", 0, "decision", "promptTokenIds"],
      }),
    );
    expect(() => toRolloutGroup([episode])).toThrow(/training: true/);
  });
});

describe("toRolloutGroup: a decision policy", () => {
  const rolloutsOf = (training: boolean) =>
    runRollouts({
      instance: instance!,
      rollouts: 2,
      policy: (rollout) => createCoinFlipPolicy({ seed: `coin-${rollout}` }),
      reasoner,
      training,
      runId: "train-2",
    });

  it("records the replay payload and one log-probability per decision, summing to actionLogprob", async () => {
    const group = toRolloutGroup(await rolloutsOf(true), { replayValidator: coinFlipReplayValidator });
    expect(rolloutGroupValidator.validate(group).ok).toBe(true);
    for (const sample of group.rollouts.flatMap((rollout) => rollout.samples)) {
      expect(sample.llm).toBeUndefined();
      const replay = sample.decisions!.replay as {
        pInsert: number;
        sentences: string[];
        choices: ("INSERT" | "SKIP")[];
      };
      expect(replay.pInsert).toBe(0.75);
      // Each synthetic chunk holds two sentences (two facts): one decision each.
      expect(replay.sentences).toHaveLength(2);
      expect(sample.decisions!.decisionLogprobs).toEqual(
        replay.choices.map((choice) => Math.log(choice === "INSERT" ? 0.75 : 0.25)),
      );
      const inserts = replay.choices.filter((choice) => choice === "INSERT").length;
      expect(sample.actionLogprob!.source).toBe("decisions");
      expect(sample.actionLogprob!.count).toBe(2);
      expect(sample.actionLogprob!.value).toBeCloseTo(inserts * Math.log(0.75) + (2 - inserts) * Math.log(0.25), 12);
    }
  });

  it("refuses episodes run without training, a missing replay validator, and a payload the policy refuses", async () => {
    const untrained = await rolloutsOf(false);
    expect(() => toRolloutGroup(untrained, { replayValidator: coinFlipReplayValidator })).toThrow(
      expect.objectContaining({
        code: "not_recorded_for_training",
        path: ["episodes", 0, "steps", 0, "decision", "replay"],
      }),
    );
    const episodes = await rolloutsOf(true);
    expect(() => toRolloutGroup(episodes)).toThrow(
      expect.objectContaining({ code: "invalid_option", path: ["replayValidator"] }),
    );

    const tampered = withStep(episodes[1]!, 1, (decision) => ({
      ...decision,
      replay: { ...(decision.replay as object), pInsert: 2 },
    }));
    expect(() => toRolloutGroup([episodes[0]!, tampered], { replayValidator: coinFlipReplayValidator })).toThrow(
      expect.objectContaining({
        code: "invalid_replay",
        path: ["episodes", 1, "steps", 1, "decision", "replay", "pInsert"],
      }),
    );
  });
});

describe("toRolloutGroup: groups", () => {
  it("a policy without log-probabilities gives samples with neither record", async () => {
    const group = toRolloutGroup(
      await runRollouts({
        instance: instance!,
        rollouts: 2,
        policy: createHeuristicPolicy(),
        reasoner,
        training: true,
      }),
    );
    for (const sample of group.rollouts.flatMap((rollout) => rollout.samples)) {
      expect(sample.actionLogprob).toBeNull();
      expect(sample).not.toHaveProperty("llm");
      expect(sample).not.toHaveProperty("decisions");
    }
  });

  it("rollouts of different lengths are valid; episodes of two instances or one rollout twice are refused", async () => {
    const [first, second] = await runRollouts({
      instance: instance!,
      rollouts: 2,
      policy: createHeuristicPolicy(),
      reasoner,
    });
    const shorter: EpisodeResult = {
      ...second!,
      steps: second!.steps.slice(0, 2),
      stepRecords: second!.stepRecords.slice(0, 2),
    };
    expect(toRolloutGroup([first!, shorter]).rollouts.map((rollout) => rollout.samples.length)).toEqual([3, 2]);

    const elsewhere = await runEpisode({ instance: other!, policy: createHeuristicPolicy(), reasoner, rollout: 1 });
    expect(() => toRolloutGroup([first!, elsewhere])).toThrow(
      expect.objectContaining({ code: "mixed_instances", path: ["episodes", 1, "instance", "instanceId"] }),
    );
    expect(() => toRolloutGroup([first!, first!])).toThrow(ValidationError);
    expect(() => toRolloutGroup([first!, first!])).toThrow(
      expect.objectContaining({ code: "inconsistent", path: ["rollouts", 1, "rolloutId"] }),
    );
    expect(() => toRolloutGroup([])).toThrow(RunError);
  });
});

function withStep(
  episode: EpisodeResult,
  position: number,
  change: (decision: EpisodeResult["steps"][number]["decision"]) => EpisodeResult["steps"][number]["decision"],
): EpisodeResult {
  return {
    ...episode,
    steps: episode.steps.map((step, index) =>
      index === position ? { ...step, decision: change(step.decision) } : step,
    ),
  };
}
