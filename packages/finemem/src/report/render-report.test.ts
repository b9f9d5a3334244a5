import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { aggregateScores } from "@finemem/benchmarks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countOperations } from "./operation-counts.js";
import { PUBLISHED_FIGURES, PUBLISHED_METHODS } from "./published-figures.js";
import { type RunDirectory, readRunDirectory } from "./read-run-directory.js";
import { renderReport } from "./render-report.js";
import { meanRewardsPerStep } from "./step-means.js";
import { cellText, cellValue, rowKeys, tableHtml } from "./test-support/html-cells.js";
import { HOSTILE_ANSWER, HOSTILE_ITEM, HOSTILE_QUESTION, writeFixtureRun } from "./test-support/write-fixture-run.js";

let root: string;
let run: RunDirectory;
let html: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "finemem-report-render-"));
  writeFixtureRun(root);
  run = await readRunDirectory(root);
  html = renderReport(run);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("renderReport", () => {
  it("is one self-contained document that loads nothing", () => {
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html.match(/<html/g)).toHaveLength(1);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:`);
    // No element that could fetch or run anything, in markup or in the style sheet. Every `<` of run
    // data is escaped, so each `<name …>` is a real tag; quoted values are dropped before looking at names.
    const tags = [...html.matchAll(/<([a-zA-Z][\w-]*)([^>]*)>/g)];
    expect(new Set(tags.map((tag) => tag[1]!.toLowerCase()))).not.toContain("script");
    for (const forbidden of ["link", "img", "iframe", "object", "embed", "source", "image", "use", "base"])
      expect(tags.map((tag) => tag[1]!.toLowerCase())).not.toContain(forbidden);
    for (const tag of tags)
      expect(tag[2]!.replace(/"[^"]*"/g, '""')).not.toMatch(
        /\b(src|href|srcset|xlink:href|action|poster|style|on\w+)\s*=/i,
      );
    expect(html).not.toMatch(/@import|url\(/i);
  });

  it("renders markup in run data as text", () => {
    const escapeHtml = (text: string) =>
      text
        .replace(/&/g, "&amp;")
        .replace(/</g, "&lt;")
        .replace(/>/g, "&gt;")
        .replace(/"/g, "&quot;")
        .replace(/'/g, "&#39;");
    expect(html).toContain(escapeHtml(HOSTILE_QUESTION));
    expect(html).toContain(escapeHtml(HOSTILE_ANSWER));
    expect(html).toContain(escapeHtml(HOSTILE_ITEM));
    expect(html).toContain("&lt;/td&gt;&lt;b&gt;gold&lt;/b&gt; | Lyon");
    expect(html).toContain("&lt;not markup&gt;");
    expect(html).not.toContain("window.__pwned = 1</script>");
  });

  it("shows the manifest: run, policy, reasoner, seed, models, prompt hashes and dataset revisions", () => {
    expect(cellText(html, "run-facts", "run id", "value")).toBe("fixture-run-1");
    expect(cellText(html, "run-facts", "policy", "value")).toBe(run.summary.policyId);
    expect(cellText(html, "run-facts", "reasoner", "value")).toBe(run.summary.reasonerId);
    expect(cellText(html, "run-facts", "seed", "value")).toBe("42");
    expect(cellText(html, "models", "manager", "model")).toBe("qwen3-4b");
    expect(cellText(html, "prompt-hashes", "reasoner", "hash")).toBe("0f1e2d3c4b5a6978");
    expect(cellText(html, "datasets", "YuWangX/Memalpha/test.parquet", "revision")).toBe("unpinned:main (unpinned)");
    expect(cellText(html, "datasets", "synthetic/synthetic", "sha256")).toBe("—");
  });

  it("puts full-precision aggregates, recomputed from the results, in the result tables", () => {
    const table = aggregateScores(
      run.results.map((result) => ({
        instanceId: `${result.instanceId}#r${result.rollout}`,
        dataSource: result.dataSource,
        competency: result.competency,
        questionId: result.questionId,
        score: result.score,
      })),
    );
    expect(rowKeys(html, "results-by-source")).toEqual(table.dataSources.map((source) => source.dataSource));
    for (const source of table.dataSources) {
      expect(cellValue(html, "results-by-source", source.dataSource, "mean")).toBe(source.mean);
      expect(cellValue(html, "results-by-source", source.dataSource, "instances")).toBe(source.instances);
      expect(cellValue(html, "results-by-source", source.dataSource, "memoryTokens")).toBe(
        run.summary.memoryTokens[source.dataSource],
      );
      expect(cellText(html, "results-by-source", source.dataSource, "mean")).toBe(source.mean.toFixed(3));
    }
    for (const competency of table.competencies)
      expect(cellValue(html, "results-by-competency", competency.competency, "mean")).toBe(competency.mean);
    expect(cellValue(html, "results-average", "average", "mean")).toBe(table.average.mean);
  });

  it("shows the printed reference figures beside the run's, and a dash where none exists", () => {
    expect(cellValue(html, "results-by-source", "squad", "reference")).toBe(0.786);
    expect(cellValue(html, "results-by-source", "booksum", "reference")).toBe(0.187);
    expect(cellValue(html, "results-by-source", "icl_trec_coarse_6600shot_balance", "reference")).toBe(0.666);
    expect(cellValue(html, "results-by-source", "synthetic", "reference")).toBeNull();
    expect(cellText(html, "results-by-source", "synthetic", "reference")).toBe("—");
    expect(cellValue(html, "results-by-competency", "AR", "reference")).toBeNull();
    for (const benchmark of ["Memalpha", "MemoryAgentBench"] as const) {
      for (const method of PUBLISHED_METHODS)
        expect(cellValue(html, "published-averages", benchmark, method)).toBe(
          PUBLISHED_FIGURES.averages[benchmark][method],
        );
    }
    // The fixture mixes Memalpha with synthetic data: its average compares with no printed one.
    expect(cellValue(html, "results-average", "average", "reference-Mem-α")).toBeNull();
    expect(html).toMatch(/printed 0\.642 while its printed columns average 0\.619/);
  });

  it("compares a Memalpha-only run's average with the printed Memalpha averages", () => {
    const memalphaOnly = renderReport({
      ...run,
      manifest: {
        ...run.manifest,
        datasets: run.manifest.datasets.filter((source) => source.repo === "YuWangX/Memalpha"),
      },
    });
    expect(cellValue(memalphaOnly, "results-average", "average", "reference-Mem-α")).toBe(0.642);
    expect(cellValue(memalphaOnly, "results-average", "average", "reference-MEM1")).toBe(0.111);
    expect(cellText(memalphaOnly, "results-average", "average", "scope")).toBe("this run (Memalpha)");
  });

  it("tabulates and charts the per-step reward means, the operation mix and the memory size", () => {
    const means = meanRewardsPerStep(run.steps);
    expect(rowKeys(html, "step-rewards-table")).toEqual(means.map((step) => String(step.step)));
    for (const step of means) {
      for (const component of ["format", "chunk", "evidence", "eara", "compression", "total"] as const) {
        expect(cellValue(html, "step-rewards-table", String(step.step), component)).toBe(step.rewards[component]);
      }
      expect(cellValue(html, "step-rewards-table", String(step.step), "memoryTokens")).toBe(step.memoryTokens);
    }
    // r_content is off in the fixture: no all-dash column.
    expect(tableHtml(html, "step-rewards-table")).not.toContain("r_content");
    const counts = countOperations(run.steps);
    const fromEpisodes = run.episodes.reduce(
      (total, episode) => ({
        INSERT: total.INSERT + episode.operations.INSERT,
        rejected: total.rejected + episode.operations.rejected,
      }),
      { INSERT: 0, rejected: 0 },
    );
    expect(cellValue(html, "operation-mix", "INSERT", "applied")).toBe(fromEpisodes.INSERT);
    expect(cellValue(html, "operation-mix", "total", "rejected")).toBe(fromEpisodes.rejected);
    expect(cellValue(html, "operation-mix", "UPDATE", "rejected")).toBe(counts.rejectedByType.UPDATE);
    for (const chart of ["chart-step-rewards", "chart-operations", "chart-memory-tokens"])
      expect(html).toContain(`<svg class="chart" id="${chart}"`);
    expect(html.match(/<g class="series"/g)?.length).toBe(6 + 1);
  });

  it("lists the evidence chain of the worst questions, ten by default", () => {
    const articles = [
      ...html.matchAll(/<article[^>]*data-instance-id="([^"]*)" data-rollout="(\d+)" data-question-id="([^"]*)"/g),
    ];
    expect(articles).toHaveLength(10);
    const shown = articles.map(
      (match) =>
        run.results.find(
          (result) =>
            result.instanceId === match[1] && result.rollout === Number(match[2]) && result.questionId === match[3],
        )!,
    );
    const worstScore = Math.max(...shown.map((result) => result.score));
    expect(run.results.filter((result) => result.score < worstScore).every((result) => shown.includes(result))).toBe(
      true,
    );
    expect(articles[0]!.slice(1, 4)).toEqual(["squad-0", "0", "q0"]);
    // The first question's item m0 was written at steps 1, 2 and 6: one credit row per step, with that step's N_t and r_EARA.
    const step2 = run.steps.find(
      (record) => record.instanceId === "squad-0" && record.rollout === 0 && record.step === 2,
    )!;
    const row = /<tr data-item-id="m0" data-step="2">(.*?)<\/tr>/.exec(tableHtml(html, "evidence-items-1"))![1]!;
    expect(row).toContain(`data-column="evidence" data-value="${step2.rewards.evidence}"`);
    expect(row).toContain(`data-column="eara" data-value="${step2.rewards.eara}"`);
    expect(row).toContain(`data-column="weight" data-value="${1 / 3}"`);
    expect(renderReport(run, { worstQuestions: 3 }).match(/<article/g)).toHaveLength(3);
  });

  it("renders an empty run without failing", () => {
    const empty = renderReport({
      ...run,
      steps: [],
      results: [],
      episodes: [],
      summary: {
        ...run.summary,
        table: { instances: [], dataSources: [], competencies: [], average: { dataSources: 0, mean: null } },
        episodes: 0,
        questions: 0,
      },
    });
    expect(empty).toContain("No scored questions.");
    expect(empty).toContain(">no data</text>");
    expect(cellValue(empty, "results-average", "average", "mean")).toBeNull();
  });
});
