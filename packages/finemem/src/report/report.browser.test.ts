// The report in a real browser: headless Chromium (Debian's, driven by playwright-core) opens
// report.html from disk with the network off, and the test checks that the page loads nothing, logs no
// error, shows run data as text, and that its cells hold the figures recomputed here from the run's
// files. A full-page screenshot is kept as a CI artifact for a human look.
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AggregateTable, aggregateScores } from "@finemem/benchmarks";
import { checkService, probeChromium } from "@finemem/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliCaptured } from "../cli/test-support/run-cli-captured.js";
import { type RunDirectory, readRunDirectory } from "./read-run-directory.js";
import { openReportInChromium } from "./test-support/open-report-in-chromium.js";
import { writeReport } from "./write-report.js";

/** A real run: `finemem eval` on two synthetic instances with two rollouts each (the heuristic policy, the extractive reader). */
async function prepareRunDirectory(root: string): Promise<string> {
  const { code } = await runCliCaptured(
    [
      "eval",
      "--dataset",
      "synthetic",
      "--limit",
      "2",
      "--rollouts",
      "2",
      "--out",
      root,
      "--quiet",
      "--set",
      "report.html=false",
    ],
    { cwd: root },
  );
  expect(code).toBe(0);
  const [runId] = readdirSync(root).filter((name) => name.startsWith("eval-"));
  return join(root, runId!);
}

/** A CI output directory (.ci/run clears every package's .test-results before the tests). */
const SCREENSHOT = join(import.meta.dirname, "..", "..", ".test-results", "report.png");

const available = await checkService("chromium", () => probeChromium());

/** `data-value` of every `td[data-column]` of every `tr[data-key]` in the table with this test id: key → column → value (`null`: no value). */
async function tableValues(page: Page, testId: string): Promise<Map<string, Map<string, number | null>>> {
  const rows = await page
    .locator(`[data-testid="${testId}"] tr[data-key]`)
    .evaluateAll((elements) =>
      elements.map(
        (row) =>
          [
            row.getAttribute("data-key") ?? "",
            [...row.querySelectorAll("td[data-column]")].map(
              (cell) =>
                [
                  cell.getAttribute("data-column") ?? "",
                  cell.getAttribute("data-value"),
                  cell.textContent ?? "",
                ] as const,
            ),
          ] as const,
      ),
    );
  return new Map(
    rows.map(([key, cells]) => [
      key,
      new Map(cells.map(([column, value]) => [column, value === null ? null : Number(value)])),
    ]),
  );
}

/** Displayed text of the same cells. */
async function tableTexts(page: Page, testId: string): Promise<Map<string, Map<string, string>>> {
  const rows = await page
    .locator(`[data-testid="${testId}"] tr[data-key]`)
    .evaluateAll((elements) =>
      elements.map(
        (row) =>
          [
            row.getAttribute("data-key") ?? "",
            [...row.querySelectorAll("td[data-column]")].map(
              (cell) => [cell.getAttribute("data-column") ?? "", cell.textContent ?? ""] as const,
            ),
          ] as const,
      ),
    );
  return new Map(rows.map(([key, cells]) => [key, new Map(cells)]));
}

describe.skipIf(!available.available)("the HTML report in headless Chromium", () => {
  let root: string;
  let run: RunDirectory;
  let reportPath: string;
  let browser: Browser;
  let page: Page;
  let expected: AggregateTable;
  let requests: readonly string[];
  let consoleErrors: readonly string[];
  let pageErrors: readonly string[];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "finemem-report-browser-"));
    const dir = await prepareRunDirectory(root);
    reportPath = await writeReport(dir);
    run = await readRunDirectory(dir);
    // Recomputed from results.jsonl alone, the way the runner aggregates: each rollout counts as an instance.
    expected = aggregateScores(
      run.results.map((result) => ({
        instanceId: `${result.instanceId}#r${result.rollout}`,
        dataSource: result.dataSource,
        competency: result.competency,
        questionId: result.questionId,
        score: result.score,
      })),
    );

    ({ browser, page, requests, consoleErrors, pageErrors } = await openReportInChromium(reportPath));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  it("loads from disk without any other request, script or error", async () => {
    expect(requests.length).toBeGreaterThan(0);
    for (const url of requests) expect(url.startsWith("file:") || url.startsWith("data:"), url).toBe(true);
    expect(await page.title()).toBe(`Fine-Mem run ${run.manifest.runId}`);
    expect(await page.locator("script, img, link, iframe, object, embed").count()).toBe(0);
    expect(await page.evaluate("typeof window.__pwned")).toBe("undefined");
    expect(consoleErrors).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it("leads with the answer and fits the screen: the average in the first 1280 × 800, nothing wider than 1280 px, nothing clipped", async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.evaluate("window.scrollTo(0, 0)");
    const headline = page.locator('[data-testid="headline"] strong');
    expect(Number(await headline.getAttribute("data-value"))).toBe(expected.average.mean);
    const box = (await headline.boundingBox())!;
    expect(box.y + box.height).toBeLessThanOrEqual(800);
    // Horizontal overflow: the page must not scroll sideways at 1280 px (the sha256 column once did).
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(1280);
    // Every chart label lies inside its chart (a bar's value label once ran out of the top).
    const clipped = await page.locator("svg.chart").evaluateAll((charts) =>
      charts.flatMap((chart) => {
        const frame = chart.getBoundingClientRect();
        return [...chart.querySelectorAll("text")]
          .filter((text) => {
            const r = text.getBoundingClientRect();
            return (
              r.width > 0 &&
              (r.left < frame.left - 0.5 ||
                r.right > frame.right + 0.5 ||
                r.top < frame.top - 0.5 ||
                r.bottom > frame.bottom + 0.5)
            );
          })
          .map((text) => `${chart.getAttribute("data-testid")}: ${text.textContent}`);
      }),
    );
    expect(clipped).toEqual([]);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it("gives every series of a chart its own colour and dash pattern (r_format visible over r_chunk)", async () => {
    const styles = await page
      .locator("svg.chart")
      .evaluateAll((charts) =>
        charts.map((chart) =>
          [...chart.querySelectorAll("g.series")].map(
            (series) => `${series.getAttribute("data-color")}|${series.getAttribute("data-dash")}`,
          ),
        ),
      );
    expect(styles.some((chart) => chart.length >= 2)).toBe(true);
    for (const chart of styles) expect(new Set(chart).size).toBe(chart.length);
  });

  it("holds the aggregates recomputed from results.jsonl, shown with 3 decimals", async () => {
    const bySource = await tableValues(page, "results-by-source");
    const bySourceText = await tableTexts(page, "results-by-source");
    expect([...bySource.keys()]).toEqual(expected.dataSources.map((source) => source.dataSource));
    for (const source of expected.dataSources) {
      expect(bySource.get(source.dataSource)!.get("mean")).toBe(source.mean);
      expect(bySource.get(source.dataSource)!.get("instances")).toBe(source.instances);
      expect(bySource.get(source.dataSource)!.get("questions")).toBe(source.questions);
      expect(bySourceText.get(source.dataSource)!.get("mean")).toBe(source.mean.toFixed(3));
    }
    const byCompetency = await tableValues(page, "results-by-competency");
    expect([...byCompetency.keys()]).toEqual(expected.competencies.map((competency) => competency.competency));
    for (const competency of expected.competencies)
      expect(byCompetency.get(competency.competency)!.get("mean")).toBe(competency.mean);
    const average = await tableValues(page, "results-average");
    expect(average.get("average")!.get("mean")).toBe(expected.average.mean);
    expect(average.get("average")!.get("dataSources")).toBe(expected.average.dataSources);
  });

  it("shows each worst question's evidence: item ids, the steps that wrote them, and those steps' credit", async () => {
    const articles = page.locator('[data-testid="evidence-question"]');
    const count = await articles.count();
    expect(count).toBe(Math.min(10, run.results.length));
    const stepOf = new Map(
      run.steps.map((record) => [`${record.instanceId}|${record.rollout}|${record.step}`, record]),
    );
    let credits = 0;
    for (let index = 0; index < count; index++) {
      const article = articles.nth(index);
      const [instanceId, rollout, questionId] = await Promise.all(
        ["data-instance-id", "data-rollout", "data-question-id"].map((name) => article.getAttribute(name)),
      );
      const result = run.results.find(
        (line) => line.instanceId === instanceId && line.rollout === Number(rollout) && line.questionId === questionId,
      )!;
      expect(result).toBeDefined();
      // Run text arrives as text, markup included (the fixture's first question holds a <script> tag).
      expect(await article.locator('td[data-column="question"]').textContent()).toBe(result.question);
      expect(await article.locator('td[data-column="answer"]').textContent()).toBe(result.answer);
      expect(Number(await article.locator('td[data-column="score"]').getAttribute("data-value"))).toBe(result.score);

      const rows = await article.locator("tr[data-item-id]").evaluateAll((elements) =>
        elements.map((row) => ({
          itemId: row.getAttribute("data-item-id") ?? "",
          step: row.getAttribute("data-step"),
          cells: Object.fromEntries(
            [...row.querySelectorAll("td[data-column]")].map((cell) => [
              cell.getAttribute("data-column") ?? "",
              { value: cell.getAttribute("data-value"), text: cell.textContent ?? "" },
            ]),
          ),
        })),
      );
      expect([...new Set(rows.map((row) => row.itemId))]).toEqual(
        [...result.evidence].sort((a, b) => a.rank - b.rank).map((item) => item.itemId),
      );
      for (const item of result.evidence) {
        const own = rows.filter((row) => row.itemId === item.itemId);
        const steps = Object.keys(item.steps)
          .map(Number)
          .sort((a, b) => a - b);
        if (steps.length === 0) {
          expect(own).toHaveLength(1);
          continue;
        }
        expect(own.map((row) => Number(row.step))).toEqual(steps);
        for (const row of own) {
          const record = stepOf.get(`${result.instanceId}|${result.rollout}|${row.step}`);
          expect(row.cells.weight!.value).toBe(String(item.steps[Number(row.step)]));
          expect(row.cells.step!.text).toBe(row.step);
          for (const column of ["evidence", "eara"] as const) {
            const value = record?.rewards[column] ?? null;
            expect(row.cells[column]!.value).toBe(value === null ? null : String(value));
            expect(row.cells[column]!.text).toBe(value === null ? "—" : value.toFixed(3));
          }
          credits++;
        }
      }
    }
    expect(credits).toBeGreaterThan(0);
    // The item ids are on the page as visible text too.
    const firstItem = run.results.find((result) => result.evidence.length > 0)?.evidence[0]?.itemId;
    if (firstItem !== undefined) {
      // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText() is the rendered, visible text this checks; textContent would include hidden text
      const visible = await page.locator('[data-testid="evidence-chain"]').innerText();
      expect(visible).toContain(firstItem);
    }
  });

  it("draws the three charts and saves a full-page screenshot", async () => {
    for (const id of ["chart-step-rewards", "chart-operations", "chart-memory-tokens"]) {
      const box = await page.locator(`svg[data-testid="${id}"]`).boundingBox();
      expect(box?.width ?? 0).toBeGreaterThan(100);
    }
    mkdirSync(join(SCREENSHOT, ".."), { recursive: true });
    const png = await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(png.subarray(1, 4).toString("latin1")).toBe("PNG");
    expect(consoleErrors).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
