import { describe, expect, it } from "vitest";
import { rankByCosine } from "./cosine-ranking.js";
import { reciprocalRankFusion } from "./reciprocal-rank-fusion.js";

describe("reciprocalRankFusion", () => {
  it("adds 1 / (k + rank) per ranking and breaks ties by the smaller key", () => {
    expect(
      reciprocalRankFusion(
        [
          [7, 3],
          [3, 9],
        ],
        60,
      ),
    ).toEqual([
      { key: 3, score: 1 / 62 + 1 / 61 },
      { key: 7, score: 1 / 61 },
      { key: 9, score: 1 / 62 },
    ]);
    // Mirror-image ranks tie exactly; the earlier key wins.
    expect(
      reciprocalRankFusion(
        [
          [5, 2],
          [2, 5],
        ],
        60,
      ).map((hit) => hit.key),
    ).toEqual([2, 5]);
    expect(reciprocalRankFusion([[], []], 60)).toEqual([]);
    expect(reciprocalRankFusion([[4]], 0)).toEqual([{ key: 4, score: 1 }]);
  });

  it("scales each ranking by its weight, so the heavier ranker wins the close calls", () => {
    // Plain RRF: 5 is first in ranking A, 2 first in ranking B; the tie goes to the smaller key.
    expect(
      reciprocalRankFusion(
        [
          [5, 2],
          [2, 5],
        ],
        60,
        [2, 1],
      ).map((hit) => hit.key),
    ).toEqual([5, 2]);
    expect(
      reciprocalRankFusion(
        [
          [5, 2],
          [2, 5],
        ],
        60,
        [2, 1],
      )[0]!.score,
    ).toBeCloseTo(2 / 61 + 1 / 62, 15);
    expect(
      reciprocalRankFusion(
        [
          [5, 2],
          [2, 5],
        ],
        60,
        [1, 1],
      ),
    ).toEqual(
      reciprocalRankFusion(
        [
          [5, 2],
          [2, 5],
        ],
        60,
      ),
    );
    // Weight 0 removes a ranking's say entirely.
    expect(
      reciprocalRankFusion(
        [
          [5, 2],
          [2, 5],
        ],
        60,
        [0, 1],
      ).map((hit) => hit.key),
    ).toEqual([2, 5]);
  });
});

describe("rankByCosine", () => {
  it("ranks by cosine (not dot product), ties and zero vectors last by key, up to the limit", () => {
    const candidates = [
      { key: 0, vector: Float32Array.of(0, 0) },
      { key: 1, vector: Float32Array.of(10, 10) },
      { key: 2, vector: Float32Array.of(1, 0) },
      { key: 3, vector: Float32Array.of(0.5, 0) },
      { key: 4, vector: Float32Array.of(-1, 0) },
    ];
    expect(rankByCosine(Float32Array.of(1, 0), candidates, 10)).toEqual([2, 3, 1, 0, 4]);
    expect(rankByCosine(Float32Array.of(1, 0), candidates, 2)).toEqual([2, 3]);
    expect(rankByCosine(Float32Array.of(0, 0), candidates, 3)).toEqual([0, 1, 2]);
  });
});
