// The rows the external backend writes: one per training sample (one chunk step of one rollout), flat,
// so that an engine such as verl reads them as a table (pandas, datasets, pyarrow) without knowing
// Fine-Mem's nested types. Every field is present on every row; what a sample does not have is null,
// so the columns keep one type. The advantage settings travel on every row, so that a reader (and
// python/check_export.py) can recompute each advantage from the rows alone.
import type { AdvantageGrouping, FinishReason, JsonValue, TrainerUpdateRequest } from "@finemem/spec";
import type { StepAdvantage } from "../advantages/step-advantages.js";
import { TrainerError } from "../trainer-error.js";

/** The version of {@link ExportedTrainingSample}; a reader refuses rows of a version it does not know. */
export const EXPORT_SCHEMA_VERSION = 1;

/** The advantage settings the external backend uses unless told otherwise: verl's GRPO (ε = 1e-6, divide by std). */
export const EXPORT_ADVANTAGE_DEFAULTS = { normalizeByStd: true, epsilon: 1e-6 } as const;

/** What a sample carries for a trainer: an LLM policy's tokens, a decision policy's decisions, or neither. */
export type ExportedSampleKind = "llm" | "decisions" | "none";

/** One exported training sample (one JSONL line, one parquet row). */
export interface ExportedTrainingSample {
  readonly schemaVersion: typeof EXPORT_SCHEMA_VERSION;
  /** The update this sample was exported for (its file's number). */
  readonly updateStep: number;
  readonly instanceId: string;
  readonly rollout: number;
  /** t, from 1. */
  readonly step: number;
  /** The GRPO group (verl's uid): unique within one update. */
  readonly groupId: string;
  readonly grouping: AdvantageGrouping;
  /** GRPO (true) or Dr.GRPO (false): whether the advantage was divided by the group's std. */
  readonly normalizeByStd: boolean;
  /** ε added to the std before dividing. */
  readonly epsilon: number;
  readonly dataSource: string;
  readonly kind: ExportedSampleKind;
  /** r(t), the weighted total (`rewards.total`): the score the advantage is computed from. */
  readonly reward: number;
  readonly rewardFormat: number | null;
  readonly rewardChunk: number | null;
  readonly rewardEvidence: number | null;
  readonly rewardEara: number | null;
  readonly rewardCompression: number | null;
  readonly rewardContent: number | null;
  readonly advantage: number;
  /** The behaviour policy's log-probability of the whole action (`actionLogprob.value`), or null. */
  readonly actionLogprob: number | null;
  /** LLM samples: the prompt exactly as the engine tokenised it. */
  readonly promptTokenIds: readonly number[] | null;
  /** LLM samples: every generated token; all of them are trained (there is no response mask). */
  readonly responseTokenIds: readonly number[] | null;
  /** LLM samples: one behaviour log-probability per response token (`llm.responseLogprobs`). */
  readonly behaviourLogprobs: readonly number[] | null;
  readonly finishReason: FinishReason | null;
  readonly truncated: boolean | null;
  /** Decision samples: one behaviour log-probability per decision. */
  readonly decisionLogprobs: readonly number[] | null;
  /** Decision samples: the policy's replay payload (JSON). */
  readonly replay: JsonValue | null;
}

/** The advantage settings recorded on each row; they must be the ones the advantages were computed with. */
export interface ExportAdvantageSettings {
  readonly normalizeByStd: boolean;
  readonly epsilon: number;
}

/**
 * The rows of one update: the request's samples in order (groups, rollouts, steps) beside the
 * advantages `computeStepAdvantages` returned for the same request and settings.
 */
export function toExportedSamples(
  request: TrainerUpdateRequest,
  advantages: readonly StepAdvantage[],
  updateStep: number,
  settings: ExportAdvantageSettings = EXPORT_ADVANTAGE_DEFAULTS,
): ExportedTrainingSample[] {
  const rows: ExportedTrainingSample[] = [];
  for (const group of request.groups) {
    for (const rollout of group.rollouts) {
      for (const sample of rollout.samples) {
        const index = rows.length;
        const advantage = advantages[index];
        if (
          advantage === undefined ||
          advantage.instanceId !== sample.instanceId ||
          advantage.rollout !== sample.rollout ||
          advantage.step !== sample.step
        ) {
          throw new TrainerError(
            "invalid_request",
            `advantage ${index} does not belong to sample ${index} (instance ${sample.instanceId}, rollout ${sample.rollout}, step ${sample.step}): pass the advantages computeStepAdvantages returned for this request`,
            { path: ["advantages", index] },
          );
        }
        const { llm, decisions, rewards } = sample;
        rows.push({
          schemaVersion: EXPORT_SCHEMA_VERSION,
          updateStep,
          instanceId: sample.instanceId,
          rollout: sample.rollout,
          step: sample.step,
          groupId: advantage.groupId,
          grouping: request.grouping,
          normalizeByStd: settings.normalizeByStd,
          epsilon: settings.epsilon,
          dataSource: sample.dataSource,
          kind: llm !== undefined ? "llm" : decisions !== undefined ? "decisions" : "none",
          reward: sample.reward,
          rewardFormat: rewards.format,
          rewardChunk: rewards.chunk,
          rewardEvidence: rewards.evidence,
          rewardEara: rewards.eara,
          rewardCompression: rewards.compression,
          rewardContent: rewards.content,
          advantage: advantage.advantage,
          actionLogprob: sample.actionLogprob?.value ?? null,
          promptTokenIds: llm === undefined ? null : [...llm.promptTokenIds],
          responseTokenIds: llm === undefined ? null : [...llm.responseTokenIds],
          behaviourLogprobs: llm === undefined ? null : [...llm.responseLogprobs],
          finishReason: llm?.finishReason ?? null,
          truncated: llm?.truncated ?? null,
          decisionLogprobs: decisions === undefined ? null : [...decisions.decisionLogprobs],
          replay: decisions === undefined ? null : decisions.replay,
        });
      }
    }
  }
  if (advantages.length !== rows.length) {
    throw new TrainerError(
      "invalid_request",
      `got ${advantages.length} advantages for ${rows.length} samples: pass the advantages computeStepAdvantages returned for this request`,
      { path: ["advantages"] },
    );
  }
  return rows;
}
