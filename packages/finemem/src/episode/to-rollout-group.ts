import {
  type DecisionSampleRecord,
  type JsonValue,
  type LlmSampleRecord,
  type PathSegment,
  type PolicyDecision,
  type Rollout,
  type RolloutGroup,
  rolloutGroupValidator,
  type TrainingSample,
  type Validator,
} from "@finemem/spec";
import { RunError } from "../run/run-error.js";
import type { EpisodeResult } from "./run-episode.js";

export interface ToRolloutGroupOptions {
  /**
   * The seed the episodes were run with (`runEpisode`'s `seed`, which draws the global-question
   * sample); each rollout records `<seed>/<instanceId>/<rollout>`. Default: the episodes' run id,
   * runEpisode's default seed.
   */
  readonly seed?: string;
  /**
   * The decision policy's payload validator (its `MemoryPolicy.replayValidator`). Required when the
   * episodes carry replay payloads: a payload is checked before any trainer relies on replaying it.
   */
  readonly replayValidator?: Validator<JsonValue>;
}

const TRAINING_HINT =
  "run the episodes with training: true (runEpisode or runRollouts) so the policy records what a trainer needs";

/** The fields an LLM policy's decision carries in a training step, in the order they are checked. */
const LLM_FIELDS = [
  "promptTokenIds",
  "responseTokenIds",
  "responseLogprobs",
  "promptMessages",
  "responseText",
  "responseToolCalls",
  "finishReason",
  "sampling",
] as const;

/**
 * The G episodes of one instance as a spec {@link RolloutGroup}: one rollout per episode (id
 * `<instanceId>:r<rollout>`), one sample per step with the step's reward and every component from
 * its step record, and what a trainer needs to recompute the action's log-probability:
 *
 * - an LLM policy's step (its decision reports token usage or token log-probabilities) becomes an
 *   `llm` record: messages, response text and tool calls, the engine's token ids verbatim, one
 *   log-probability per response token, the finish reason (`truncated` when it is `length`), the
 *   sampling settings and the distribution the engine took the log-probabilities under;
 * - a decision policy's step (decision log-probabilities or a replay payload) becomes a `decisions`
 *   record, its payload checked by `replayValidator`;
 * - a step of a policy without log-probabilities (the heuristic) has neither.
 *
 * Episodes run without `training: true` lack those fields: that is a `not_recorded_for_training`
 * {@link RunError} naming the first missing field, never a sample a trainer could not use. Episodes of
 * several instances are `mixed_instances`; a group the spec refuses (two episodes of the same rollout)
 * throws its `ValidationError`.
 */
export function toRolloutGroup(episodes: readonly EpisodeResult[], options: ToRolloutGroupOptions = {}): RolloutGroup {
  const first = episodes[0];
  if (first === undefined)
    throw new RunError("invalid_option", "expected the G episodes of one instance, got none", ["episodes"]);
  const instanceId = first.instance.instanceId;
  episodes.forEach((episode, index) => {
    if (episode.instance.instanceId !== instanceId) {
      throw new RunError(
        "mixed_instances",
        `a rollout group holds one instance: episodes[0] is of ${instanceId}, episodes[${index}] of ${episode.instance.instanceId}; group the episodes by instance first`,
        ["episodes", index, "instance", "instanceId"],
      );
    }
  });

  const rollouts = episodes.map((episode, index): Rollout => {
    const seed = `${options.seed ?? episode.stepRecords[0]?.runId ?? "episode"}/${instanceId}/${episode.rollout}`;
    const samples = episode.stepRecords.map((record, position): TrainingSample => {
      const decision = episode.steps[position]?.decision;
      const at: PathSegment[] = ["episodes", index, "steps", position, "decision"];
      if (decision === undefined)
        throw new RunError(
          "invalid_option",
          `episodes[${index}] has a step record for step ${record.step} but no step`,
          at.slice(0, 4),
        );
      const where = `instance ${instanceId} rollout ${episode.rollout} step ${record.step}`;
      return {
        instanceId,
        rollout: episode.rollout,
        step: record.step,
        dataSource: episode.instance.dataSource,
        reward: record.rewards.total,
        rewards: record.rewards,
        actionLogprob: decision.actionLogprob,
        ...llmRecordOf(decision, at, where),
        ...decisionRecordOf(decision, at, where, options.replayValidator),
      };
    });
    return { rolloutId: `${instanceId}:r${episode.rollout}`, rollout: episode.rollout, seed, samples };
  });
  return rolloutGroupValidator.parse({ instanceId, rollouts });
}

function isLlmDecision(decision: PolicyDecision): boolean {
  // Token usage means a language model wrote the decision, even when it returned no log-probabilities.
  return (
    decision.usage !== undefined ||
    decision.actionLogprob?.source === "tokens" ||
    LLM_FIELDS.some((field) => decision[field] !== undefined)
  );
}

function llmRecordOf(decision: PolicyDecision, at: readonly PathSegment[], where: string): { llm?: LlmSampleRecord } {
  if (!isLlmDecision(decision)) return {};
  const missing = LLM_FIELDS.find((field) => decision[field] === undefined);
  if (missing !== undefined) {
    throw new RunError(
      "not_recorded_for_training",
      `${where}: the language model's decision has no ${missing}; ${TRAINING_HINT}`,
      [...at, missing],
    );
  }
  const finishReason = decision.finishReason!;
  return {
    llm: {
      promptMessages: decision.promptMessages!,
      responseText: decision.responseText!,
      responseToolCalls: decision.responseToolCalls!,
      promptTokenIds: decision.promptTokenIds!,
      responseTokenIds: decision.responseTokenIds!,
      responseLogprobs: decision.responseLogprobs!,
      finishReason,
      truncated: finishReason === "length",
      sampling: decision.sampling!,
      logprobDistribution: decision.logprobDistribution ?? null,
    },
  };
}

function decisionRecordOf(
  decision: PolicyDecision,
  at: readonly PathSegment[],
  where: string,
  replayValidator: Validator<JsonValue> | undefined,
): { decisions?: DecisionSampleRecord } {
  if (
    decision.actionLogprob?.source !== "decisions" &&
    decision.replay === undefined &&
    decision.decisionLogprobs === undefined
  )
    return {};
  for (const field of ["replay", "decisionLogprobs"] as const) {
    if (decision[field] === undefined)
      throw new RunError(
        "not_recorded_for_training",
        `${where}: the decision policy's decision has no ${field}; ${TRAINING_HINT}`,
        [...at, field],
      );
  }
  if (replayValidator === undefined) {
    throw new RunError(
      "invalid_option",
      `${where} carries a replay payload: pass replayValidator (the policy's MemoryPolicy.replayValidator) so it is checked`,
      ["replayValidator"],
    );
  }
  const checked = replayValidator.validate(decision.replay);
  if (!checked.ok) {
    throw new RunError(
      "invalid_replay",
      `${where}: the policy's ${replayValidator.name} refuses the replay payload: ${checked.error.message}`,
      [...at, "replay", ...checked.error.path],
      checked.error,
    );
  }
  return { decisions: { replay: checked.value, decisionLogprobs: decision.decisionLogprobs! } };
}
