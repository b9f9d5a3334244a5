/**
 * @finemem/benchmarks/python-ports: the original Python scorers' own functions, ported one for one
 * and checked against goldens recorded from the originals (Python bools stay booleans, dicts keep
 * their key order, and where the original raises these throw `MetricInputError`, from the main entry,
 * naming the Python exception). MemoryAgentBench's `utils/eval_other_utils.py` (which Mem-α's
 * `metrics.py` copies), Mem-α's `_compute_score` with its helpers, and the `rouge_score` ROUGE-L with
 * its Porter stemmer. Most callers want the main entry's `scoreAnswer` / `createMetric`, which route
 * a (protocol, data source) to these.
 */

export {
  computeMemalphaScore,
  evaluateWrtSource,
  extractAnswerFromResponse,
  stripThinking,
} from "../metrics/memalpha-scorer.js";
export {
  type CalculatedMetrics,
  calculateMetrics,
  type DefaultPostProcessResult,
  defaultPostProcess,
  drqaExactMatchScore,
  drqaMetricMaxOverGroundTruths,
  f1Score,
  type GoldMetric,
  type MetricsDict,
  type MetricValue,
  normalizeAnswer,
  type PostProcessResult,
  parseOutput,
  postProcess,
  substringExactMatchScore,
} from "../metrics/memoryagentbench-scorer.js";
export { porterStem } from "../metrics/porter-stemmer.js";
export {
  type RougeLScores,
  type RougeScore,
  rougeL,
  rougeLScores,
  rougeLsum,
  rougeTokenize,
} from "../metrics/rouge.js";
