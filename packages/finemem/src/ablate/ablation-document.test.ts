import { describe, expect, it } from "vitest";
import {
  type AblationRecord,
  renderAblationHtml,
  renderAblationMarkdown,
  WALL_TIME_PREFIX,
} from "./ablation-document.js";
import { collectAblation } from "./ablation-results.js";
import { handWorkedStudy } from "./test-support/hand-worked-study.js";

const RECORD: AblationRecord = {
  command: "finemem ablate --seeds 8",
  commit: "0123456789ab",
  version: "1.2.3",
  wallSeconds: 90,
  sweepWallSeconds: null,
  updates: 10,
  instancesPerUpdate: 2,
  rollouts: 4,
  setSizes: { A: 2, B: 2, T: 1 },
  shared: "w_comp 0.05",
};

async function results() {
  const { plan, runs } = await handWorkedStudy();
  return collectAblation(plan, runs, { transferSets: ["T"] });
}

describe("renderAblationMarkdown", () => {
  it("states the hypothesis before the finding and the tables, with the command and commit", async () => {
    const markdown = renderAblationMarkdown(await results(), RECORD);
    const at = (text: string) => markdown.indexOf(text);
    expect(at("## Hypothesis")).toBeGreaterThan(0);
    expect(at("## Hypothesis")).toBeLessThan(at("## Finding"));
    expect(at("## Finding")).toBeLessThan(at("## Result"));
    expect(markdown).toContain("- Command: `finemem ablate --seeds 8`");
    expect(markdown).toContain("- Commit: 0123456789ab (finemem 1.2.3)");
    expect(markdown).toContain("A (2 instances), B (2 instances)");
    expect(markdown).toContain("T (1 instance)");
    // The hand-worked study: both 0.625 ± 0.071 (seven 0.6, one 0.8), beating each other setting on
    // every seed: p 2/256 = 0.0078, Holm 0.0469, significant.
    expect(markdown).toContain("| both (Fine-Mem) | 0.5 | 0.5 | 0.625 ± 0.071 |");
    expect(markdown).toContain("| both (Fine-Mem) − outcome only | +0.225 [");
    expect(markdown).toContain("| 0.0078 | 0.0469 | yes |");
    expect(markdown).toContain("| + chunk-level step reward − outcome only | +0.000 [");
    // Outcome, + attribution and + chunk tie at 0.400 as displayed: shown as ties, listed by name.
    expect(markdown).toContain(
      "Observed order of the mean held-out score: both (Fine-Mem) (0.625) > + evidence-anchored attribution (0.400) = + chunk-level step reward (0.400) = outcome only (0.400). This is not the paper's order",
    );
    expect(markdown).toContain(
      "Significant at 0.05 after Holm's correction: both (Fine-Mem) − outcome only +0.225 (Holm p 0.0469); both (Fine-Mem) − + chunk-level step reward +0.225",
    );
  });

  it("writes the same bytes for the same runs, but for the wall-time line", async () => {
    const a = renderAblationMarkdown(await results(), RECORD);
    const b = renderAblationMarkdown(await results(), { ...RECORD, wallSeconds: 1234, sweepWallSeconds: 60 });
    const differing = a
      .split("\n")
      .map((line, index) => [line, b.split("\n")[index]] as const)
      .filter(([left, right]) => left !== right);
    expect(differing).toHaveLength(1);
    expect(differing[0]![0].startsWith(WALL_TIME_PREFIX)).toBe(true);
    expect(differing[0]![1]).toBe(
      `${WALL_TIME_PREFIX} 20.6 min for the ablation, 1.0 min for the sweep's own runs (this process)`,
    );
  });
});

describe("renderAblationHtml", () => {
  it("holds the same tables, the curve chart, and escapes what it shows", async () => {
    const html = renderAblationHtml(await results(), { ...RECORD, command: "finemem ablate --set x=<b>" });
    for (const id of ["ablation-table", "ablation-tests", "ablation-curves", "ablation-seeds", "ablation-curve-chart"])
      expect(html).toContain(`data-testid="${id}"`);
    expect(html).not.toContain("ablation-sweep");
    expect(html).toContain("finemem ablate --set x=&lt;b&gt;");
    expect(html).not.toContain("<b>");
  });
});
