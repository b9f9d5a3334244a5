/**
 * A seeded source of randomness. Every stochastic choice in Fine-Mem (question subsampling,
 * synthetic data, rollout seeds, sampled tokens) draws from one, so that a run's seed reproduces it
 * exactly. One implementation for every layer: two generators would give one seed two meanings.
 */
export interface RandomSource {
  /** The seed this source was created from (recorded in run manifests). */
  readonly seed: string;
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, maxExclusive), without modulo bias. */
  int(maxExclusive: number): number;
  /**
   * An independent source derived from this one's seed and `label`. Forks do not consume draws of
   * the parent, so adding a fork never shifts the parent's sequence.
   */
  fork(label: string): RandomSource;
}

/**
 * Creates a {@link RandomSource} from a number or string seed: the seed's UTF-8 bytes hashed with
 * FNV-1a, expanded with SplitMix32 into the state of sfc32 (a small, fast generator that passes
 * PractRand). The sequence for a given seed is part of the contract (run manifests record seeds, and results
 * are reproduced from them): changing it is a breaking change.
 */
export function createSeededRandom(seed: number | string): RandomSource {
  const seedText = String(seed);
  let mix = fnv1a(seedText);
  const splitmix = (): number => {
    mix = (mix + 0x9e3779b9) | 0;
    let z = mix;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const nextUint32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // Discard the first outputs: sfc32's early outputs correlate with its seed.
  for (let i = 0; i < 12; i++) nextUint32();

  return {
    seed: seedText,
    next: () => nextUint32() / 4294967296,
    int(maxExclusive) {
      if (!Number.isInteger(maxExclusive) || maxExclusive <= 0 || maxExclusive > 4294967296) {
        throw new RangeError(`maxExclusive must be an integer in [1, 2^32], got ${maxExclusive}`);
      }
      // Rejection sampling: drop the top sliver of the 32-bit range that would bias the modulo.
      const limit = 4294967296 - (4294967296 % maxExclusive);
      for (;;) {
        const value = nextUint32();
        if (value < limit) return value % maxExclusive;
      }
    },
    fork: (label) => createSeededRandom(`${seedText}/${label}`),
  };
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
