import { describe, expect, it } from "vitest";
import { ablationRunId } from "./ablation-plan.js";
import { collectAblation } from "./ablation-results.js";
import { handWorkedStudy } from "./test-support/hand-worked-study.js";

describe("collectAblation", () => {
  it("gives each setting's mean ± sd over seeds, the transfer set beside the score, and the six paired tests", async () => {
    const { plan, runs } = await handWorkedStudy();
    const results = collectAblation(plan, runs, { transferSets: ["T"] });
    expect(results.heldoutSets).toEqual(["A", "B"]);
    expect(results.transferSets).toEqual(["T"]);
    expect(results.updates).toBe(10);
    const setting = (name: string) => results.settings.find((result) => result.setting.name === name)!;

    expect(setting("outcome").score.mean).toBeCloseTo(0.4, 12);
    expect(setting("outcome").score.sd).toBeCloseTo(0, 12);
    // + chunk: four 0.5 and four 0.3: mean 0.4, sd sqrt(8 × 0.01 / 7).
    expect(setting("chunk").score.mean).toBeCloseTo(0.4, 12);
    expect(setting("chunk").score.sd).toBeCloseTo(Math.sqrt(0.08 / 7), 12);
    // Both: seven 0.6 and one 0.8: sd sqrt((7 × 0.025² + 0.175²) / 7) = sqrt(0.005).
    expect(setting("both").score.mean).toBeCloseTo(0.625, 12);
    expect(setting("both").score.sd).toBeCloseTo(Math.sqrt(0.005), 12);
    expect(setting("both").score.values[7]).toBeCloseTo(0.8, 12);
    // Tokens over the held-out sets' episodes: (2 × 100 + 2 × 300) / 4; T's 5000 stay out.
    expect(setting("both").memoryTokens.mean).toBeCloseTo(200, 12);
    expect(setting("both").sets.T!.mean).toBeCloseTo(0.9, 12);
    expect(setting("both").sets.A!.mean).toBeCloseTo((7 * 0.7 + 0.9) / 8, 12);

    // The curve: update 5's both is 0.5 on every seed; the untrained start is seed k's 0.1 and 0.1k.
    expect(setting("both").curve.map((point) => point.update)).toEqual([0, 5, 10]);
    expect(setting("both").curve[1]!.score).toBeCloseTo(0.5, 12);
    expect(results.untrained.score.mean).toBeCloseTo((0.1 + 0.45) / 2, 12);
    expect(results.baselines).toEqual([
      { name: "heuristic", score: expect.closeTo(0.7, 12), memoryTokens: 200, sets: { A: 0.8, B: 0.6, T: 0.9 } },
    ]);

    const pair = (a: string, b: string) => results.pairs.find((entry) => entry.a === a && entry.b === b)!;
    // Both beats each other setting on all 8 seeds: p = 2/256; Holm over six: 6×, 5×, 4× made monotone.
    for (const other of ["outcome", "chunk", "attribution"]) {
      expect(pair("both", other).pValue).toBe(2 / 256);
      expect(pair("both", other).holm).toBe(0.046875);
    }
    expect(pair("both", "outcome").difference.mean).toBeCloseTo(0.225, 12);
    // + chunk against the outcome reward: +0.1 and −0.1 in turn, a zero sum: every assignment reaches it.
    expect(pair("chunk", "outcome").pValue).toBe(1);
    expect(pair("attribution", "outcome").pValue).toBe(1);
    expect(pair("attribution", "outcome").difference.standardized).toBeNull();
    expect(pair("chunk", "attribution").holm).toBe(1);
  });

  it("says which run is missing rather than computing from part of the study", async () => {
    const { plan, runs } = await handWorkedStudy();
    runs.delete(ablationRunId({ beta: 0.5, chunk: 0 }, 3));
    expect(() => collectAblation(plan, runs)).toThrow("beta-0.5-chunk-0-seed-3 has not finished");
  });
});
