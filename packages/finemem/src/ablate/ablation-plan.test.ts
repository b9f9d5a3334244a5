import { describe, expect, it } from "vitest";
import { ABLATE_CONFIG_DEFAULTS } from "../cli/ablate-command.js";
import { configSchema } from "../config/config-schema.js";
import { ConfigError, loadConfig } from "../config/load-config.js";
import { type AblationRun, planAblation } from "./ablation-plan.js";

/** The dotted paths at which two JSON values differ. */
function differingPaths(a: unknown, b: unknown, path = ""): string[] {
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((key) =>
      differingPaths(
        (a as Record<string, unknown>)[key],
        (b as Record<string, unknown>)[key],
        path === "" ? key : `${path}.${key}`,
      ),
    );
  }
  return Object.is(a, b) ? [] : [path];
}

async function baseConfig(overrides: { key: string; value: unknown }[] = []) {
  const { config } = await loadConfig({
    defaults: ABLATE_CONFIG_DEFAULTS,
    overrides: overrides.map((override) => ({ ...override, origin: "test" })),
  });
  return config;
}

const byRewards = (runs: readonly AblationRun[], seed: number) =>
  new Map(runs.filter((run) => run.seed === seed).map((run) => [`${run.beta}/${run.chunk}`, run.config]));

describe("planAblation", () => {
  it("gives the four settings configurations that differ only in reward settings (and the run's name)", async () => {
    const plan = planAblation(await baseConfig(), { seeds: 8, sweep: false });
    expect(plan.runs).toHaveLength(32);
    expect(plan.settings.map((setting) => [setting.name, setting.beta, setting.chunk])).toEqual([
      ["outcome", 0, 0],
      ["chunk", 0, 0.5],
      ["attribution", 0.5, 0],
      ["both", 0.5, 0.5],
    ]);
    for (let seed = 1; seed <= 8; seed++) {
      const configs = [...byRewards(plan.runs, seed).values()];
      expect(configs).toHaveLength(4);
      for (const config of configs) {
        // Each one a whole, valid configuration, as `finemem train` gets it.
        expect(configSchema.parse(config)).toEqual(config);
        expect(config.run.seed).toBe(`finemem-${seed}`);
        // r_format is always scored; r_comp stays in at the same weight in all four.
        expect(config.rewards.compression).toBe(0.05);
      }
      for (const a of configs)
        for (const b of configs) {
          if (a === b) continue;
          const paths = differingPaths(a, b);
          expect(paths.length).toBeGreaterThan(0);
          for (const path of paths) expect(["rewards.beta", "rewards.chunk", "run.id"]).toContain(path);
        }
    }
    // Across seeds, a setting's configurations differ in the seed (and the run's name) only.
    expect(
      differingPaths(byRewards(plan.runs, 1).get("0.5/0.5"), byRewards(plan.runs, 2).get("0.5/0.5")).sort(),
    ).toEqual(["run.id", "run.seed"]);
  });

  it("adds the sweep's points on 3 seeds, reusing the ablation's runs where a point is one of its settings", async () => {
    const base = await baseConfig();
    const plan = planAblation(base, { seeds: 8, sweep: true });
    // β 0, .25, .5, .75, 1 at w_chunk .5 and w_chunk 0, .25, .5, 1 at β .5: 8 distinct points, of which
    // (0, .5), (.5, .5) and (.5, 0) are ablation settings; 5 new points × 3 seeds = 15 more runs.
    expect(plan.runs).toHaveLength(32 + 15);
    expect(new Set(plan.runs.map((run) => run.id)).size).toBe(47);
    expect(plan.sweep!.map((point) => [point.beta, point.chunk])).toEqual([
      [0, 0.5],
      [0.25, 0.5],
      [0.5, 0.5],
      [0.75, 0.5],
      [1, 0.5],
      [0.5, 0],
      [0.5, 0.25],
      [0.5, 0.5],
      [0.5, 1],
    ]);
    expect(plan.runs.filter((run) => run.beta === 0.75).map((run) => run.seed)).toEqual([1, 2, 3]);
    // One folder for the study whatever the seeds and the sweep, so adding either reuses the runs.
    expect(planAblation(base, { seeds: 2, sweep: false }).folder).toBe(plan.folder);
    const other = planAblation(await baseConfig([{ key: "train.updates", value: 7 }]), { seeds: 8, sweep: false });
    expect(other.folder).not.toBe(plan.folder);
    expect(plan.id).toMatch(/^ablate-[0-9a-f]{12}$/);
  });

  it("takes the 'on' values from the configuration, and refuses a zero one naming its key", async () => {
    const plan = planAblation(
      await baseConfig([
        { key: "rewards.beta", value: 0.3 },
        { key: "rewards.chunk", value: 1 },
      ]),
      { seeds: 1, sweep: false },
    );
    expect(plan.settings.map((setting) => [setting.beta, setting.chunk])).toEqual([
      [0, 0],
      [0, 1],
      [0.3, 0],
      [0.3, 1],
    ]);
    const error = (() => {
      try {
        planAblation(
          { ...plan.runs[0]!.config, rewards: { ...plan.runs[0]!.config.rewards, beta: 0 } },
          {
            seeds: 1,
            sweep: false,
          },
        );
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain("rewards.beta");
  });
});
