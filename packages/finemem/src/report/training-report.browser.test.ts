// The training report in a real browser: a real (small) training run through the library, its report
// written by writeReport, opened from disk in headless Chromium (Debian's, driven by playwright-core)
// with the network off. The test reads the run's JSONL files itself, with JSON.parse rather than the
// report's reader, and checks that every plotted point of the reward and held-out curves is the
// figure those files hold. A full-page screenshot is kept as a CI artifact for a human look.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateSyntheticBenchmark } from "@finemem/benchmarks";
import { createExtractiveReader, createHeuristicPolicy } from "@finemem/policy";
import { checkService, probeChromium } from "@finemem/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLearnedTrainee } from "../train/learned-trainee.js";
import { train } from "../train/train.js";
import {
  type BaselineLine,
  type EvaluationLine,
  TRAIN_FILES,
  UPDATE_REWARD_COMPONENTS,
  type UpdateLine,
} from "../train/train-files.js";
import { HELDOUT_SERIES, REWARD_SERIES_NAMES } from "./render-training-report.js";
import { openReportInChromium } from "./test-support/open-report-in-chromium.js";
import { writeReport } from "./write-report.js";

/** Small instances: a run of 3 updates takes a few seconds on a CPU. */
const SYNTHETIC = { instanceCount: 2, chunkCount: 4, factsPerChunk: 4, questionsPerChunk: 2 } as const;
const UPDATES = 3;

/** A CI output directory (.ci/run clears every package's .test-results before the tests). */
const SCREENSHOT = join(import.meta.dirname, "..", "..", ".test-results", "training-report.png");

const available = await checkService("chromium", () => probeChromium());

/** A JSONL file's lines, parsed here independently of the report's reader. */
function jsonLines<T>(file: string): T[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as T);
}

/** Every series of the chart with this test id: name → [data-x, data-value] of each dot, in drawing order. */
async function chartPoints(page: Page, testId: string): Promise<Map<string, [number, number][]>> {
  const series = await page
    .locator(`svg[data-testid="${testId}"] g.series`)
    .evaluateAll((groups) =>
      groups.map(
        (group) =>
          [
            group.getAttribute("data-series") ?? "",
            [...group.querySelectorAll("circle")].map(
              (circle) => [circle.getAttribute("data-x"), circle.getAttribute("data-value")] as const,
            ),
          ] as const,
      ),
    );
  return new Map(
    series.map(([name, points]) => [name, points.map(([x, value]): [number, number] => [Number(x), Number(value)])]),
  );
}

describe.skipIf(!available.available)("the training report in headless Chromium", () => {
  let root: string;
  let dir: string;
  let browser: Browser;
  let page: Page;
  let updates: UpdateLine[];
  let evaluations: EvaluationLine[];
  let baselines: BaselineLine[];
  let requests: readonly string[];
  let consoleErrors: readonly string[];
  let pageErrors: readonly string[];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "finemem-training-report-browser-"));
    dir = join(root, "train-browser");
    await train({
      runId: "train-browser",
      runDir: dir,
      seed: "training-report",
      updates: UPDATES,
      rollouts: 2,
      // Fresh instances every update (distinct seeds), never the held-out ones.
      instances: (update) => generateSyntheticBenchmark({ ...SYNTHETIC, seed: `train/update-${update}` }),
      trainee: createLearnedTrainee({ seed: "training-report", policy: { initSeed: "training-report" } }),
      reasoner: createExtractiveReader(),
      rewards: { evidence: "cited", weights: { compression: 0 } },
      heldout: {
        instances: generateSyntheticBenchmark({ ...SYNTHETIC, seed: "heldout" }),
        every: 1,
        baselines: [{ name: "heuristic", policy: createHeuristicPolicy() }],
      },
      checkpointEvery: 3,
    });
    const reportPath = await writeReport(dir);
    updates = jsonLines<UpdateLine>(join(dir, TRAIN_FILES.updates));
    evaluations = jsonLines<EvaluationLine>(join(dir, TRAIN_FILES.evaluations));
    baselines = jsonLines<BaselineLine>(join(dir, TRAIN_FILES.baselines));

    ({ browser, page, requests, consoleErrors, pageErrors } = await openReportInChromium(reportPath));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  it("ran what the test asked for: 3 updates, held-out every update, one baseline", () => {
    expect(updates.map((line) => line.update)).toEqual([1, 2, 3]);
    expect(evaluations.map((line) => line.update)).toEqual([0, 1, 2, 3]);
    expect(baselines.map((line) => line.name)).toEqual(["heuristic"]);
  });

  it("loads from disk without any other request, script or error", async () => {
    expect(requests.length).toBeGreaterThan(0);
    for (const url of requests) expect(url.startsWith("file:") || url.startsWith("data:"), url).toBe(true);
    expect(await page.title()).toBe("Fine-Mem training run train-browser");
    expect(await page.locator("script, img, link, iframe, object, embed").count()).toBe(0);
    expect(consoleErrors).toEqual([]);
    expect(pageErrors).toEqual([]);
    // Nothing wider than the screen.
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(1280);
  });

  it("plots each reward component's mean of updates.jsonl at every update", async () => {
    const series = await chartPoints(page, "reward-curves");
    const drawn = UPDATE_REWARD_COMPONENTS.filter((component) =>
      updates.some((line) => line.rewards[component] !== null),
    );
    expect([...series.keys()]).toEqual(drawn.map((component) => REWARD_SERIES_NAMES[component]));
    // r_total, r_format and r_EARA are computed at every step of a training rollout.
    for (const component of ["total", "format", "eara"] as const) expect(drawn).toContain(component);
    for (const component of drawn) {
      const expected = updates.flatMap((line) => {
        const value = line.rewards[component];
        return value === null ? [] : [[line.update, value]];
      });
      expect(series.get(REWARD_SERIES_NAMES[component]), component).toEqual(expected);
    }
  });

  it("plots evaluations.jsonl's held-out scores, the untrained start and the baseline", async () => {
    const series = await chartPoints(page, "heldout-curve");
    expect(series.get(HELDOUT_SERIES.heldout)).toEqual(
      evaluations.flatMap((line) => (line.score === null ? [] : [[line.update, line.score]])),
    );
    const start = evaluations.find((line) => line.update === 0)!;
    const xs = evaluations.map((line) => line.update);
    expect(series.get(HELDOUT_SERIES.untrained)).toEqual(xs.map((x) => [x, start.score]));
    expect(series.get("heuristic")).toEqual(xs.map((x) => [x, baselines[0]!.score]));
  });

  it("plots the trainer's loss and holds the scores in the summary and evaluation tables", async () => {
    const trainer = await chartPoints(page, "trainer-metrics");
    expect(trainer.get("loss")).toEqual(
      updates.flatMap((line) => (line.loss === null ? [] : [[line.update, line.loss]])),
    );
    const cell = (table: string, key: string, column: string) =>
      page
        .locator(`[data-testid="${table}"] tr[data-key="${key}"] td[data-column="${column}"]`)
        .getAttribute("data-value");
    expect(Number(await cell("training-summary", "untrained-start", "score"))).toBe(evaluations[0]!.score);
    expect(Number(await cell("training-summary", "last", "score"))).toBe(evaluations.at(-1)!.score);
    expect(Number(await cell("training-summary", "baseline-heuristic", "score"))).toBe(baselines[0]!.score);
    for (const line of evaluations) {
      expect(Number(await cell("heldout-evaluations", String(line.update), "score"))).toBe(line.score);
      for (const [source, score] of Object.entries(line.dataSources))
        expect(Number(await cell("heldout-evaluations", String(line.update), `source:${source}`))).toBe(score);
    }
  });

  it("saves a full-page screenshot", async () => {
    mkdirSync(join(SCREENSHOT, ".."), { recursive: true });
    const image = await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(image.length).toBeGreaterThan(10_000);
  });
});
