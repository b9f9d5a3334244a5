import type { RandomSource } from "@finemem/utils";

/** How one step's token is chosen from the model's logits. */
export interface ChoiceRule {
  /** 0 (or absent) = greedy. */
  readonly temperature: number;
  /** Keep only the k most likely tokens; absent = all. */
  readonly topK?: number;
  /** Keep the smallest set of most likely tokens whose probability reaches p; absent = all. */
  readonly topP?: number;
}

export interface Choice {
  readonly token: number;
  /**
   * Log-probability of the token under the distribution it was drawn from: softmax(logits / T) after
   * top-k / top-p for sampling, softmax(logits) for greedy (whose own distribution is a point mass).
   */
  readonly logprob: number;
}

/**
 * Chooses the next token. Greedy takes the first maximum, exactly as transformers.js' own greedy
 * sampler does, so a greedy run equals a plain `model.generate` call. Sampling draws from the
 * caller's seeded random source, so a seed reproduces a reply regardless of anything else the process
 * does with randomness (transformers.js' own sampler reads one global generator).
 */
export function chooseToken(logits: Float32Array, rule: ChoiceRule, random: RandomSource): Choice {
  if (!(rule.temperature > 0)) {
    let best = 0;
    for (let i = 1; i < logits.length; i++) if (logits[i]! > logits[best]!) best = i;
    return { token: best, logprob: logits[best]! - logSumExp(logits, 1) };
  }
  const scaled = Float64Array.from(logits, (value) => value / rule.temperature);
  // Candidates, most likely first (ties by token id, so the order is deterministic).
  let order = Array.from(scaled.keys()).filter((index) => scaled[index]! > Number.NEGATIVE_INFINITY);
  order.sort((a, b) => scaled[b]! - scaled[a]! || a - b);
  if (rule.topK !== undefined) order = order.slice(0, rule.topK);
  const top = scaled[order[0]!]!;
  let weights = order.map((index) => Math.exp(scaled[index]! - top));
  let total = weights.reduce((sum, weight) => sum + weight, 0);
  if (rule.topP !== undefined && rule.topP < 1) {
    let kept = 0;
    let mass = 0;
    while (kept < weights.length && mass < rule.topP * total) mass += weights[kept++]!;
    order = order.slice(0, Math.max(1, kept));
    weights = weights.slice(0, order.length);
    total = weights.reduce((sum, weight) => sum + weight, 0);
  }
  let draw = random.next() * total;
  let chosen = order.length - 1;
  for (let i = 0; i < order.length; i++) {
    draw -= weights[i]!;
    if (draw < 0) {
      chosen = i;
      break;
    }
  }
  return { token: order[chosen]!, logprob: Math.log(weights[chosen]! / total) };
}

function logSumExp(values: ArrayLike<number>, scale: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) max = Math.max(max, values[i]! * scale);
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += Math.exp(values[i]! * scale - max);
  return max + Math.log(sum);
}
