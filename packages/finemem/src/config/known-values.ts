// Value lists the configuration accepts, taken from the packages that define them so the schema
// cannot drift from what the runner can build.
import { MEMALPHA_REPOS } from "@finemem/benchmarks";
import { BASELINE_NAMES as POLICY_BASELINE_NAMES, SERVING_ENGINES, type ServingEngine } from "@finemem/policy";

export const BASELINE_NAMES = POLICY_BASELINE_NAMES;
export const MEMALPHA_REPOS_LIST = MEMALPHA_REPOS;
// A tuple type for z.enum; the list itself comes from @finemem/policy.
export const SERVING_ENGINES_LIST = SERVING_ENGINES as unknown as readonly [ServingEngine, ...ServingEngine[]];
