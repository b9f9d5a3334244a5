import type { NamedTensors, Tensor } from "@finemem/kernels";
import type { JsonValue, Validator } from "@finemem/spec";

/**
 * What the local backend needs of a policy: parameters on the kernels, and the log-probability of
 * each recorded decision of a step recomputed from the step's replay payload under any parameters.
 * `@finemem/learned-policy`'s policy is one; any policy written on the kernels can be.
 */
export interface TrainablePolicy {
  /** The live parameters, updated in place by the optimiser. */
  readonly parameters: NamedTensors;
  readonly replayValidator?: Validator<JsonValue> | undefined;
  /**
   * For each replay (one step), the log-probability and entropy of each decision, padded to
   * [replays, most decisions], with a 0/1 mask; differentiable in `parameters`.
   */
  replayLogProbs(
    replays: readonly JsonValue[],
    parameters?: NamedTensors,
  ): {
    readonly logProbs: Tensor;
    readonly entropy: Tensor;
    readonly mask: Tensor;
    /** Frees what the backward pass still needed (index buffers); called after it. */
    release?(): void;
  };
}
