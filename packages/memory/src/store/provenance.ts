import type { MemoryItemVersion, ProvenancePolicy, StepWeights } from "@finemem/spec";

/**
 * φ(item) from its version chain.
 *
 * - `last-writer`: all credit to the step of the newest content version.
 * - `creator`: all credit to the step of the first version.
 * - `shared`: an equal share per content version, summed per step (two UPDATEs in one step give that
 *   step two shares).
 *
 * A tombstone wrote no content, so it earns no credit: a deleted item's φ is computed over the
 * versions before its DELETE (the content a reader could last have seen), and an unknown item's is `{}`.
 */
export function stepWeightsOf(
  versions: readonly MemoryItemVersion[],
  createdStep: number,
  policy: ProvenancePolicy,
): StepWeights {
  const written = versions.filter((version) => !version.tombstone);
  if (written.length === 0) return {};
  switch (policy) {
    case "creator":
      return { [createdStep]: 1 };
    case "last-writer":
      return { [written[written.length - 1]!.step]: 1 };
    case "shared": {
      const weights: Record<number, number> = {};
      for (const version of written) weights[version.step] = (weights[version.step] ?? 0) + 1 / written.length;
      return weights;
    }
  }
}
