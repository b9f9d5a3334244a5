// What a step of the learned policy records for a trainer: for each fact, the feature rows of its
// candidate actions and the index of the one taken. Recomputing a decision's log-probability under new
// parameters needs nothing else (no text, no memory), so a sample replays anywhere.
import {
  concat,
  exp,
  gather,
  indices,
  mul,
  neg,
  reshape,
  segmentLogSoftmax,
  segmentSum,
  segments,
  type Tensor,
  tensor,
  zeros,
} from "@finemem/kernels";
import { createValidator, type JsonValue, type StandardSchemaV1, type Validator } from "@finemem/spec";
import { LearnedPolicyError } from "./learned-policy-error.js";
import { type LearnedPolicyParameters, scoreRows } from "./network.js";

/** The replay format's version, bumped whenever the rows mean something else. */
export const LEARNED_POLICY_REPLAY_VERSION = 1;

/** One fact's decision: a row per candidate action, and the index of the action taken. */
export interface ReplayedDecision {
  readonly rows: readonly (readonly number[])[];
  readonly chosen: number;
}

/** A step's replay payload (`PolicyDecision.replay`). */
export interface LearnedPolicyReplay {
  readonly version: number;
  readonly width: number;
  readonly decisions: readonly ReplayedDecision[];
}

type Issue = { readonly message: string; readonly path: readonly (string | number)[] };

function check(value: unknown): Issue | LearnedPolicyReplay {
  const issue = (message: string, ...path: (string | number)[]): Issue => ({ message, path });
  if (typeof value !== "object" || value === null || Array.isArray(value)) return issue("expected an object");
  const payload = value as Record<string, unknown>;
  if (payload.version !== LEARNED_POLICY_REPLAY_VERSION) {
    return issue(
      `expected replay version ${LEARNED_POLICY_REPLAY_VERSION}, got ${String(payload.version)}: record the rollouts again with this version`,
      "version",
    );
  }
  const width = payload.width;
  if (typeof width !== "number" || !Number.isInteger(width) || width < 1)
    return issue("expected a positive integer", "width");
  if (!Array.isArray(payload.decisions)) return issue("expected an array", "decisions");
  for (const [index, decision] of payload.decisions.entries()) {
    if (typeof decision !== "object" || decision === null) return issue("expected an object", "decisions", index);
    const { rows, chosen } = decision as Record<string, unknown>;
    if (!Array.isArray(rows) || rows.length === 0)
      return issue("expected a non-empty array of rows", "decisions", index, "rows");
    for (const [r, row] of rows.entries()) {
      if (!Array.isArray(row) || row.length !== width || !row.every((x) => typeof x === "number" && Number.isFinite(x)))
        return issue(`expected ${width} finite numbers`, "decisions", index, "rows", r);
    }
    if (typeof chosen !== "number" || !Number.isInteger(chosen) || chosen < 0 || chosen >= rows.length)
      return issue(`expected an index below ${rows.length}`, "decisions", index, "chosen");
  }
  return payload as unknown as LearnedPolicyReplay;
}

const replaySchema: StandardSchemaV1<unknown, LearnedPolicyReplay> = {
  "~standard": {
    version: 1,
    vendor: "finemem-learned-policy",
    validate(value) {
      const result = check(value);
      return "message" in result ? { issues: [result] } : { value: result };
    },
  },
};

/** Checks a replay payload before a trainer relies on it (`MemoryPolicy.replayValidator`). */
export const learnedPolicyReplayValidator: Validator<LearnedPolicyReplay> = createValidator(
  "LearnedPolicyReplay",
  replaySchema,
);

/** Log-probabilities (and entropies) of the recorded decisions of several steps, padded to [steps, most decisions]. */
export interface ReplayLogProbs {
  /** log π(chosen action) per decision, 0 where padded. */
  readonly logProbs: Tensor;
  /** The entropy of each decision's distribution, 0 where padded. */
  readonly entropy: Tensor;
  /** 1 for a decision, 0 for padding. */
  readonly mask: Tensor;
  /**
   * Frees the index buffers the gradient still reads: call it after the backward pass (index tensors
   * are not in `tidy` scopes).
   */
  release(): void;
}

/** Recomputes every decision of `replays` under `parameters`, differentiably. */
export function replayLogProbs(replays: readonly JsonValue[], parameters: LearnedPolicyParameters): ReplayLogProbs {
  const backend = parameters.hiddenWeights.backend;
  const width = parameters.hiddenWeights.shape[0]!;
  const steps = replays.map((replay) => learnedPolicyReplayValidator.parse(replay));
  const flat: number[] = [];
  const sizes: number[] = [];
  const rowFact: number[] = [];
  const chosen: number[] = [];
  const padded: number[] = [];
  const maskValues: number[] = [];
  const longest = Math.max(1, ...steps.map((step) => step.decisions.length));
  let factCount = 0;
  let offset = 0;
  const factPositions: number[][] = [];
  for (const step of steps) {
    if (step.width !== width) {
      throw new LearnedPolicyError(
        "invalid_replay",
        `a replay of rows ${step.width} wide, but this policy's rows are ${width} wide: it was recorded by a policy with other features; record the rollouts again`,
        { path: ["width"] },
      );
    }
    const positions: number[] = [];
    for (const decision of step.decisions) {
      for (const row of decision.rows) {
        flat.push(...row);
        rowFact.push(factCount);
      }
      sizes.push(decision.rows.length);
      chosen.push(offset + decision.chosen);
      offset += decision.rows.length;
      positions.push(factCount);
      factCount++;
    }
    factPositions.push(positions);
  }
  for (const positions of factPositions) {
    for (let j = 0; j < longest; j++) {
      padded.push(j < positions.length ? positions[j]! : factCount);
      maskValues.push(j < positions.length ? 1 : 0);
    }
  }
  const shape = [steps.length, longest];
  const mask = tensor(backend, maskValues, shape);
  if (factCount === 0)
    return { logProbs: zeros(backend, shape), entropy: zeros(backend, shape), mask, release: () => undefined };
  const parts = segments(backend, sizes);
  const rowIds = indices(backend, rowFact);
  const chosenIds = indices(backend, chosen);
  const paddedIds = indices(backend, padded);
  const release = () => {
    parts.dispose();
    rowIds.dispose();
    chosenIds.dispose();
    paddedIds.dispose();
  };
  try {
    const logits = scoreRows(tensor(backend, flat, [offset, width]), parameters);
    const logProbsOfRows = segmentLogSoftmax(logits, parts);
    const chosenLogProbs = gather(logProbsOfRows, chosenIds);
    const entropyOfFacts = neg(segmentSum(mul(exp(logProbsOfRows), logProbsOfRows), rowIds, factCount));
    const pad = zeros(backend, [1]);
    return {
      logProbs: reshape(gather(concat([chosenLogProbs, pad]), paddedIds), shape),
      entropy: reshape(gather(concat([entropyOfFacts, pad]), paddedIds), shape),
      mask,
      release,
    };
  } catch (error) {
    release();
    throw error;
  }
}
