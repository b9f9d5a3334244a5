import type { StepRecord } from "@finemem/spec";
import { describe, expect, it } from "vitest";
import type { QuestionResultLine } from "../run/run-files.js";
import { worstEvidenceChains } from "./evidence-chains.js";
import { escapeHtml, formatNumber, numberCell } from "./html.js";
import { countOperations } from "./operation-counts.js";
import { publishedBenchmarkOf } from "./published-figures.js";
import { meanRewardsPerStep } from "./step-means.js";
import { barChart, lineChart, niceAxis } from "./svg-charts.js";

function step(
  instanceId: string,
  stepNumber: number,
  rewards: Partial<StepRecord["rewards"]>,
  memoryTokens?: number,
): StepRecord {
  return {
    runId: "r",
    instanceId,
    rollout: 0,
    step: stepNumber,
    chunkId: `c${stepNumber}`,
    operations: [
      { operationId: `${instanceId}-${stepNumber}-a`, operation: { type: "INSERT", content: "x" } },
      { operationId: `${instanceId}-${stepNumber}-b`, operation: { type: "DELETE", id: "gone" } },
    ],
    results: [
      { operationId: `${instanceId}-${stepNumber}-a`, status: "applied", itemId: "m1", version: 1 },
      { operationId: `${instanceId}-${stepNumber}-b`, status: "rejected", reason: "unknown_id", message: "no" },
    ],
    parseOutcomes: [],
    actionLogprob: null,
    rewards: {
      format: 0.5,
      chunk: null,
      evidence: null,
      eara: null,
      compression: null,
      content: null,
      total: 0.5,
      ...rewards,
    },
    ...(memoryTokens === undefined ? {} : { memoryTokens }),
  };
}

function result(
  instanceId: string,
  questionId: string,
  score: number,
  steps: Record<number, number> = { 1: 1 },
): QuestionResultLine {
  return {
    instanceId,
    rollout: 0,
    dataSource: "squad",
    competency: "AR",
    protocol: "memalpha",
    questionId,
    question: "q?",
    gold: "g",
    answer: "a",
    score,
    metric: "memalpha:squad",
    evidence: [{ itemId: "m1", rank: 1, share: 1, content: "c", steps }],
  };
}

describe("report parts", () => {
  it("escapes text and attribute values, and formats numbers with 3 decimals or a dash", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    expect(formatNumber(2 / 3)).toBe("0.667");
    expect(formatNumber(null)).toBe("—");
    expect(formatNumber(Number.NaN)).toBe("—");
    expect(numberCell("mean", 0.1 + 0.2)).toBe(
      '<td data-column="mean" data-value="0.30000000000000004" class="num">0.300</td>',
    );
    expect(numberCell("mean", null)).toBe('<td data-column="mean" class="num na">—</td>');
  });

  it("averages each component per step over the episodes that computed it", () => {
    const means = meanRewardsPerStep([
      step("a", 2, { evidence: 0.2 }, 10),
      step("a", 1, { evidence: 0.4 }),
      step("b", 1, { evidence: null, total: 1.5 }, 30),
    ]);
    expect(means.map((entry) => entry.step)).toEqual([1, 2]);
    expect(means[0]).toMatchObject({
      episodes: 2,
      memoryTokens: 30,
      rewards: { evidence: 0.4, total: 1, chunk: null },
    });
    expect(means[1]).toMatchObject({ episodes: 1, memoryTokens: 10, rewards: { evidence: 0.2 } });
  });

  it("counts each operation once: under its type when applied, as rejected otherwise", () => {
    const counts = countOperations([step("a", 1, {}), step("a", 2, {})]);
    expect(counts).toEqual({
      applied: { INSERT: 2, UPDATE: 0, DELETE: 0, SKIP: 0 },
      rejectedByType: { INSERT: 0, UPDATE: 0, DELETE: 2, SKIP: 0 },
      rejected: 2,
      total: 4,
    });
  });

  it("picks the lowest scores with a stable tie order and joins each writer step's credit", () => {
    const steps = [step("a", 1, { evidence: 0.25, eara: 0.3 }), step("b", 1, { evidence: 0.5, eara: 0.6 })];
    const chains = worstEvidenceChains(
      [result("b", "q1", 0), result("a", "q2", 0.5), result("a", "q1", 0, { 1: 0.5, 7: 0.5 }), result("c", "q1", 1)],
      steps,
      3,
    );
    expect(chains.map((chain) => `${chain.result.instanceId}/${chain.result.questionId}`)).toEqual([
      "a/q1",
      "b/q1",
      "a/q2",
    ]);
    expect(chains[0]!.links[0]!.credits).toEqual([
      { step: 1, weight: 0.5, evidence: 0.25, eara: 0.3, found: true },
      { step: 7, weight: 0.5, evidence: null, eara: null, found: false },
    ]);
    expect(chains[1]!.links[0]!.credits[0]).toMatchObject({ evidence: 0.5, eara: 0.6 });
    expect(worstEvidenceChains([result("a", "q1", 0)], steps, 0)).toEqual([]);
  });

  it("knows which printed averages a run compares with", () => {
    expect(publishedBenchmarkOf(["YuWangX/Memalpha"])).toBe("Memalpha");
    expect(publishedBenchmarkOf(["ai-hyz/MemoryAgentBench", "YuWangX/Memalpha-Memoryagentbench"])).toBe(
      "MemoryAgentBench",
    );
    expect(publishedBenchmarkOf(["YuWangX/Memalpha", "ai-hyz/MemoryAgentBench"])).toBeNull();
    expect(publishedBenchmarkOf(["synthetic"])).toBeNull();
    expect(publishedBenchmarkOf([])).toBeNull();
  });

  it("draws charts with gaps for missing values and escaped labels", () => {
    expect(niceAxis(0, 0.83)).toEqual({ min: 0, max: 1, step: 0.2 });
    expect(niceAxis(0, 0)).toEqual({ min: 0, max: 1, step: 0.2 });
    const svg = lineChart({
      id: "c",
      title: "<t>",
      xLabel: "step",
      yLabel: "y",
      series: [
        {
          name: "a&b",
          points: [
            { x: 1, y: 0.1 },
            { x: 2, y: null },
            { x: 3, y: 0.3 },
            { x: 4, y: 0.2 },
          ],
        },
      ],
    });
    expect(svg.match(/<polyline/g)).toHaveLength(1);
    expect(svg.match(/<circle/g)).toHaveLength(3);
    expect(svg).toContain("&lt;t&gt;");
    expect(svg).toContain('data-series="a&amp;b"');
    expect(lineChart({ id: "e", title: "e", xLabel: "x", yLabel: "y", series: [] })).toContain("no data");
    const bars = barChart({
      id: "b",
      title: "b",
      xLabel: "x",
      yLabel: "y",
      bars: [
        { label: "INSERT", value: 3 },
        { label: "rejected", value: 0 },
      ],
    });
    expect(bars.match(/<rect/g)).toHaveLength(2);
    expect(bars).toContain('data-label="rejected" data-value="0"');
  });
});
