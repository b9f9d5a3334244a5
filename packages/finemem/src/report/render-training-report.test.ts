import { describe, expect, it } from "vitest";
import { UPDATE_REWARD_COMPONENTS } from "../train/train-files.js";
import { HELDOUT_SERIES, REWARD_SERIES_NAMES, renderTrainingReport } from "./render-training-report.js";
import { lineChart } from "./svg-charts.js";
import { cellValue, rowKeys } from "./test-support/html-cells.js";
import { chartPoints, fixtureTrainingRun } from "./test-support/write-fixture-training-run.js";

const run = fixtureTrainingRun("/nowhere");
const html = renderTrainingReport(run);

describe("renderTrainingReport", () => {
  it("is one self-contained document that loads nothing", () => {
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html.match(/<html/g)).toHaveLength(1);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:`);
    const tags = [...html.matchAll(/<([a-zA-Z][\w-]*)([^>]*)>/g)].map((tag) => tag[1]!.toLowerCase());
    for (const forbidden of ["script", "link", "img", "iframe", "object", "embed", "image", "use", "base"])
      expect(tags).not.toContain(forbidden);
    expect(html).not.toMatch(/@import|url\(/i);
  });

  it("plots every reward component's exact mean per update, leaving out a component no update computed", () => {
    const series = chartPoints(html, "reward-curves");
    // r_content is null at every update of the fixture: no series; the others all appear, in file order.
    expect([...series.keys()]).toEqual(
      UPDATE_REWARD_COMPONENTS.filter((component) => component !== "content").map(
        (component) => REWARD_SERIES_NAMES[component],
      ),
    );
    for (const component of UPDATE_REWARD_COMPONENTS) {
      if (component === "content") continue;
      // A null mean (r_chunk at update 2) is a gap: no point.
      const expected = run.updates.flatMap((line) => {
        const value = line.rewards[component];
        return value === null ? [] : [[line.update, value]];
      });
      expect(series.get(REWARD_SERIES_NAMES[component]), component).toEqual(expected);
    }
    expect(series.get(REWARD_SERIES_NAMES.chunk)?.map(([x]) => x)).toEqual([1, 3]);
  });

  it("plots the held-out curve with the untrained start and each baseline as flat series", () => {
    const series = chartPoints(html, "heldout-curve");
    const xs = run.evaluations.map((line) => line.update);
    expect(series.get(HELDOUT_SERIES.heldout)).toEqual(run.evaluations.map((line) => [line.update, line.score]));
    expect(series.get(HELDOUT_SERIES.untrained)).toEqual(xs.map((x) => [x, 0.3]));
    expect(series.get("heuristic")).toEqual(xs.map((x) => [x, 0.93125]));
    expect(series.get("insert-every-fact")).toEqual(xs.map((x) => [x, 0.25]));
    expect(series.size).toBe(4);
  });

  it("plots the trainer's loss and the metrics it reported, leaving out a figure it never did", () => {
    const series = chartPoints(html, "trainer-metrics");
    expect([...series.keys()]).toEqual(["loss", "entropy", "gradNorm", "pgClipFraction"]);
    expect(series.get("loss")).toEqual([
      [1, -0.01],
      [3, -0.01 / 3],
    ]);
    for (const name of ["entropy", "gradNorm", "pgClipFraction"])
      expect(series.get(name), name).toEqual(run.updates.map((line) => [line.update, line.metrics[name]]));
  });

  it("names the same figures in the trainer's other spelling (an external engine's)", () => {
    const renamed = {
      ...run,
      updates: run.updates.map((line) => ({ ...line, metrics: { grad_norm: line.update / 3, pg_clipfrac: 0 } })),
    };
    const series = chartPoints(renderTrainingReport(renamed), "trainer-metrics");
    expect([...series.keys()]).toEqual(["loss", "grad_norm", "pg_clipfrac"]);
    expect(series.get("grad_norm")).toEqual(run.updates.map((line) => [line.update, line.update / 3]));
  });

  it("sums up the untrained start, the last held-out score and every baseline in data-value cells", () => {
    expect(rowKeys(html, "training-summary")).toEqual([
      "untrained-start",
      "last",
      "baseline-heuristic",
      "baseline-insert-every-fact",
    ]);
    expect(cellValue(html, "training-summary", "untrained-start", "score")).toBe(0.3);
    expect(cellValue(html, "training-summary", "untrained-start", "update")).toBe(0);
    expect(cellValue(html, "training-summary", "last", "score")).toBe(0.32187499999999997);
    expect(cellValue(html, "training-summary", "last", "update")).toBe(3);
    expect(cellValue(html, "training-summary", "baseline-heuristic", "score")).toBe(0.93125);
    expect(cellValue(html, "training-summary", "baseline-insert-every-fact", "score")).toBe(0.25);
    expect(cellValue(html, "training-summary", "baseline-heuristic", "update")).toBeNull();
  });

  it("tabulates each held-out evaluation per data source", () => {
    expect(rowKeys(html, "heldout-evaluations")).toEqual(["0", "2", "3"]);
    for (const line of run.evaluations) {
      const key = String(line.update);
      expect(cellValue(html, "heldout-evaluations", key, "score")).toBe(line.score);
      expect(cellValue(html, "heldout-evaluations", key, "memoryTokens")).toBe(line.memoryTokens);
      for (const [source, score] of Object.entries(line.dataSources))
        expect(cellValue(html, "heldout-evaluations", key, `source:${source}`)).toBe(score);
    }
    expect(cellValue(html, "baselines", "heuristic", "source:squad")).toBe(0.93125);
    expect(cellValue(html, "updates-table", "2", "chunk")).toBeNull();
    expect(cellValue(html, "updates-table", "3", "eara")).toBe(run.updates[2]!.rewards.eara);
  });

  it("shows the manifest: run id, policy, seed, date, models, prompt hashes and dataset revisions", () => {
    expect(html).toContain(`<td data-column="value">train-fixture-1</td>`);
    expect(html).toContain(`<td data-column="value">learned</td>`);
    expect(html).toContain(`<td data-column="value">fixture-seed</td>`);
    expect(html).toContain(`<td data-column="value">2026-01-02T03:04:05.000Z</td>`);
    expect(html).toContain(`<td data-column="model">extractive:bm25-okapi:top20</td>`);
    expect(html).toContain(`<td data-column="hash" class="mono">sha256:0123abcd</td>`);
    expect(html).toContain(`<td data-column="revision" class="mono">generator-v2</td>`);
  });

  it("renders markup in a run id and a baseline name as text", () => {
    const hostile = fixtureTrainingRun("/nowhere", { runId: `run<script>window.__pwned=1</script>&"x"` });
    const page = renderTrainingReport({
      ...hostile,
      baselines: [{ ...hostile.baselines[0]!, name: `<b onmouseover="x">bold</b>` }],
    });
    expect(page).not.toContain("<script>");
    expect(page).not.toContain("<b onmouseover");
    expect(page).toContain("run&lt;script&gt;window.__pwned=1&lt;/script&gt;&amp;&quot;x&quot;");
    expect(page).toContain(`<title>Fine-Mem training run run&lt;script&gt;`);
    expect([...chartPoints(page, "heldout-curve").keys()]).toContain(`<b onmouseover="x">bold</b>`);
  });

  it("renders a run with no update and no evaluation yet", () => {
    const page = renderTrainingReport({ ...run, updates: [], evaluations: [], baselines: [] });
    expect(page).toContain("no held-out evaluation yet");
    expect(chartPoints(page, "reward-curves").size).toBe(0);
    expect(cellValue(page, "training-summary", "last", "score")).toBeNull();
  });
});

describe("lineChart's exactPoints", () => {
  const points = Array.from({ length: 100 }, (_, index) => ({ x: index, y: index / 3 }));
  const frame = { id: "many", title: "many", xLabel: "x", yLabel: "y", series: [{ name: "s", points }] };

  it("draws every point with its exact value, even above the dot limit", () => {
    expect(chartPoints(lineChart({ ...frame, exactPoints: true }), "many").get("s")).toEqual(
      points.map((point) => [point.x, point.y]),
    );
  });

  it("leaves the eval report's markup as it was without it", () => {
    const plain = lineChart(frame);
    expect(plain).not.toContain("<circle");
    expect(plain).not.toContain("data-value");
    const few = lineChart({ ...frame, series: [{ name: "s", points: points.slice(0, 3) }] });
    expect(few.match(/<circle/g)).toHaveLength(3);
    expect(few).not.toContain("data-x");
  });
});
