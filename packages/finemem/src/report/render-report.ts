// `finemem report`: one self-contained HTML document per run. Inline CSS and inline SVG only: no
// script, font, image or style sheet from anywhere, enforced by a Content-Security-Policy that allows
// nothing else, so the file opens the same offline, attached to an issue, or years later. Every number
// cell carries `data-value` with the full-precision figure and every table a stable `data-testid`, so
// tests (and anyone scripting over reports) can check the page against the run files.
import { OPERATION_TYPES } from "@finemem/spec";
import { DEFAULT_WORST_QUESTIONS, type EvidenceChain, worstEvidenceChains } from "./evidence-chains.js";
import { attributes, escapeHtml, formatNumber, NO_VALUE, numberCell, textCell } from "./html.js";
import { countOperations } from "./operation-counts.js";
import { PUBLISHED_FIGURES, PUBLISHED_METHODS, publishedBenchmarkOf } from "./published-figures.js";
import type { RunDirectory } from "./read-run-directory.js";
import { reportDocument, section, table } from "./report-page.js";
import { REWARD_COMPONENT_LABELS } from "./reward-labels.js";
import { renderRunHeader } from "./run-header.js";
import { meanOf, meanRewardsPerStep, STEP_COMPONENTS, type StepMeans } from "./step-means.js";
import { barChart, lineChart } from "./svg-charts.js";

export interface RenderReportOptions {
  /** How many lowest-scored questions get their evidence chain shown; default 10. */
  readonly worstQuestions?: number;
}

/** A gold list is shown with this between its accepted answers. */
const GOLD_SEPARATOR = " | ";
/** Evidence text is cut to this many characters on the page (the full stored text is in the cell's title). */
const CONTENT_DISPLAY_CHARS = 240;

export function renderReport(run: RunDirectory, options: RenderReportOptions = {}): string {
  const title = `Fine-Mem run ${run.manifest.runId}`;
  const sections = [
    renderHeader(run),
    renderOverview(run),
    renderResults(run),
    renderStepRewards(run),
    renderOperations(run),
    renderMemory(run),
    renderEvidence(run, options.worstQuestions ?? DEFAULT_WORST_QUESTIONS),
  ];
  return reportDocument(title, [renderHeadline(run), ...sections]);
}

/** The answer first: the run's average score, where a reader's eye lands before any table. */
function renderHeadline(run: RunDirectory): string {
  const { average } = run.summary.table;
  const benchmark = publishedBenchmarkOf(run.manifest.datasets.map((source) => source.repo));
  return (
    `<p class="headline" data-testid="headline">Average score <strong${attributes({ "data-value": average.mean ?? undefined })}>${average.mean === null ? NO_VALUE : formatNumber(average.mean)}</strong>` +
    ` over ${average.dataSources} data source${average.dataSources === 1 ? "" : "s"}${benchmark === null ? "" : ` (${escapeHtml(benchmark)})`}` +
    ` · policy ${escapeHtml(run.summary.policyId)} · reasoner ${escapeHtml(run.summary.reasonerId)}</p>`
  );
}

function renderHeader(run: RunDirectory): string {
  const { manifest, summary } = run;
  return renderRunHeader(manifest, [
    ["run id", manifest.runId],
    ["policy", summary.policyId],
    ["reasoner", summary.reasonerId],
    ["seed", manifest.seed],
    ["started", manifest.createdAt],
    ["specification", manifest.specificationVersion],
  ]);
}

function renderOverview(run: RunDirectory): string {
  const episodes = run.episodes;
  const figures: [string, string, number | null, number][] = [
    ["episodes", "episodes (instance × rollout)", episodes.length, 0],
    ["questions", "questions scored", run.results.length, 0],
    ["global", "mean r_global", meanOf(episodes.map((episode) => episode.global)), 3],
    [
      "unattributed",
      "mean U (share of r_global credited to no step)",
      meanOf(episodes.map((episode) => episode.unattributed)),
      3,
    ],
    ["compression", "mean r_comp", meanOf(episodes.map((episode) => episode.compression)), 3],
    [
      "chunkScore",
      "mean r_chunk (episodes with chunk questions)",
      meanOf(episodes.map((episode) => episode.chunkScore)),
      3,
    ],
    ["memoryTokens", "mean memory tokens of M_T", meanOf(episodes.map((episode) => episode.memoryTokens)), 1],
    ["chunkTokens", "mean history tokens", meanOf(episodes.map((episode) => episode.chunkTokens)), 1],
    ["memoryItems", "mean items in M_T", meanOf(episodes.map((episode) => episode.memoryItems)), 1],
  ];
  const rows = figures.map(
    ([key, label, value, digits]) =>
      `<tr${attributes({ "data-key": key })}><th scope="row">${escapeHtml(label)}</th>${numberCell("value", value, { digits })}</tr>`,
  );
  return section("overview", "Overview", [table("overview", ["", ""], rows, { headless: true })]);
}

function renderResults(run: RunDirectory): string {
  const { table: aggregate, metrics, memoryTokens } = run.summary;
  const reference = PUBLISHED_FIGURES.memAlphaBySource;
  const sourceRows = aggregate.dataSources.map((source) => {
    const published = reference[source.dataSource];
    const label = published === undefined ? source.dataSource : `${source.dataSource} (${published.label})`;
    return (
      `<tr${attributes({ "data-key": source.dataSource })}>` +
      textCell("dataSource", label) +
      textCell("competency", source.competency) +
      numberCell("instances", source.instances, { digits: 0 }) +
      numberCell("questions", source.questions, { digits: 0 }) +
      textCell("metric", metrics[source.dataSource] ?? NO_VALUE, { className: "mono" }) +
      numberCell("mean", source.mean, { className: "run" }) +
      numberCell("reference", published?.value ?? null, { className: "ref" }) +
      numberCell("memoryTokens", memoryTokens[source.dataSource] ?? null, { digits: 1 }) +
      "</tr>"
    );
  });
  const competencyRows = aggregate.competencies.map(
    (competency) =>
      `<tr${attributes({ "data-key": competency.competency })}>${textCell("competency", competency.competency)}${numberCell("dataSources", competency.dataSources, { digits: 0 })}${numberCell("mean", competency.mean, { className: "run" })}${numberCell("reference", null, { className: "ref" })}</tr>`,
  );
  const benchmark = publishedBenchmarkOf(run.manifest.datasets.map((source) => source.repo));
  const averageRow =
    `<tr data-key="average">${textCell("scope", benchmark === null ? "this run" : `this run (${benchmark})`)}${numberCell("dataSources", aggregate.average.dataSources, { digits: 0 })}${numberCell("mean", aggregate.average.mean, { className: "run" })}` +
    PUBLISHED_METHODS.map((method) =>
      numberCell(`reference-${method}`, benchmark === null ? null : PUBLISHED_FIGURES.averages[benchmark][method], {
        className: "ref",
      }),
    ).join("") +
    "</tr>";
  const publishedRows = (["Memalpha", "MemoryAgentBench"] as const).map(
    (name) =>
      `<tr${attributes({ "data-key": name })}>${textCell("benchmark", name)}${PUBLISHED_METHODS.map((method) => numberCell(method, PUBLISHED_FIGURES.averages[name][method], { className: "ref" })).join("")}</tr>`,
  );
  const memAlphaColumns = Object.values(reference).map((figure) => figure.value);
  const columnMean = memAlphaColumns.reduce((total, value) => total + value, 0) / memAlphaColumns.length;
  const note =
    `<p class="note">† Printed in the ${escapeHtml(PUBLISHED_FIGURES.citation)}. A dash (${NO_VALUE}) marks a figure the paper does not print (e.g. synthetic data, competencies). ` +
    `This run's averages are recomputed from its columns (mean of instance means per source, then of sources); the printed ones are quoted as printed, e.g. Mem-α's Memalpha average is printed ${formatNumber(PUBLISHED_FIGURES.averages.Memalpha["Mem-α"])} while its printed columns average ${formatNumber(columnMean)}.</p>`;
  return section("results", "Results", [
    "<h3>Per data source</h3>",
    table(
      "results-by-source",
      [
        "data source",
        "competency",
        "instances",
        "questions",
        "metric",
        "score (this run)",
        "Mem-α, printed †",
        "mean memory tokens",
      ],
      sourceRows,
    ),
    "<h3>Per competency</h3>",
    table("results-by-competency", ["competency", "data sources", "score (this run)", "printed †"], competencyRows),
    "<h3>Average</h3>",
    table(
      "results-average",
      ["", "data sources", "score (this run)", ...PUBLISHED_METHODS.map((method) => `${method}, printed †`)],
      [averageRow],
    ),
    "<h3>Printed averages</h3>",
    table("published-averages", ["benchmark", ...PUBLISHED_METHODS.map((method) => `${method} †`)], publishedRows),
    note,
  ]);
}

function renderStepRewards(run: RunDirectory): string {
  const means = meanRewardsPerStep(run.steps);
  // r_content is off by default (docs/method.md §9); its column would be all dashes.
  const components = STEP_COMPONENTS.filter(
    (component) => component !== "content" || means.some((step) => step.rewards.content !== null),
  );
  const rows = means.map(
    (step) =>
      `<tr${attributes({ "data-key": step.step })}>${numberCell("step", step.step, { digits: 0 })}${numberCell("episodes", step.episodes, { digits: 0 })}${components.map((component) => numberCell(component, step.rewards[component])).join("")}${numberCell("memoryTokens", step.memoryTokens, { digits: 1 })}</tr>`,
  );
  const chart = lineChart({
    id: "chart-step-rewards",
    title: "Mean reward components per step",
    xLabel: "step",
    yLabel: "reward",
    series: components.map((component) => ({
      name: REWARD_COMPONENT_LABELS[component],
      points: means.map((step) => ({ x: step.step, y: step.rewards[component] })),
    })),
  });
  return section("step-rewards", "Per-step rewards (mean over episodes)", [
    chart,
    table(
      "step-rewards-table",
      ["step", "episodes", ...components.map((component) => REWARD_COMPONENT_LABELS[component]), "memory tokens"],
      rows,
    ),
    `<p class="note">N_t: the step's normalized evidence contribution; r_EARA = (1 − β)·r_global/T + β·N_t. A component not computed is left out of its mean (${NO_VALUE} when no episode computed it).</p>`,
  ]);
}

function renderOperations(run: RunDirectory): string {
  const counts = countOperations(run.steps);
  const bars = [
    ...OPERATION_TYPES.map((type) => ({ label: type, value: counts.applied[type] })),
    { label: "rejected", value: counts.rejected },
  ];
  const rows = [
    ...OPERATION_TYPES.map(
      (type) =>
        `<tr${attributes({ "data-key": type })}>${textCell("type", type)}${numberCell("applied", counts.applied[type], { digits: 0 })}${numberCell("rejected", counts.rejectedByType[type], { digits: 0 })}</tr>`,
    ),
    `<tr data-key="total">${textCell("type", "all")}${numberCell("applied", counts.total - counts.rejected, { digits: 0 })}${numberCell("rejected", counts.rejected, { digits: 0 })}</tr>`,
  ];
  return section("operations", "Operation mix", [
    barChart({
      id: "chart-operations",
      title: "Operations over all steps (applied per type, and rejected)",
      xLabel: "operation",
      yLabel: "count",
      bars,
    }),
    table("operation-mix", ["operation", "applied", "rejected"], rows),
  ]);
}

function renderMemory(run: RunDirectory): string {
  const means: readonly StepMeans[] = meanRewardsPerStep(run.steps);
  return section("memory", "Memory size over steps", [
    lineChart({
      id: "chart-memory-tokens",
      title: "Mean memory tokens after each step",
      xLabel: "step",
      yLabel: "tokens",
      series: [{ name: "memory tokens", points: means.map((step) => ({ x: step.step, y: step.memoryTokens })) }],
    }),
  ]);
}

function renderEvidence(run: RunDirectory, count: number): string {
  const chains = worstEvidenceChains(run.results, run.steps, count);
  const body = chains.length === 0 ? ["<p>No scored questions.</p>"] : chains.map(renderChain);
  return section("evidence-chain", `Evidence chains of the ${chains.length} lowest-scored questions`, [
    `<p class="note">For each retrieved item: its rank, its share of the question's credit, its text in M_T, and the steps φ credits it to with φ's weight, and that step's N_t and r_EARA in the same episode.</p>`,
    ...body,
  ]);
}

function renderChain(chain: EvidenceChain, index: number): string {
  const { result } = chain;
  const gold = typeof result.gold === "string" ? result.gold : result.gold.join(GOLD_SEPARATOR);
  const meta = [
    `<tr data-key="question"><th scope="row">question</th>${textCell("question", result.question, { className: "text" })}</tr>`,
    `<tr data-key="gold"><th scope="row">gold</th>${textCell("gold", gold, { className: "text" })}</tr>`,
    `<tr data-key="answer"><th scope="row">answer</th>${textCell("answer", result.answer, { className: "text" })}</tr>`,
    `<tr data-key="score"><th scope="row">score</th>${numberCell("score", result.score)}</tr>`,
    `<tr data-key="metric"><th scope="row">metric</th>${textCell("metric", result.metric, { className: "mono" })}</tr>`,
  ];
  const rows: string[] = [];
  for (const link of chain.links) {
    const { item } = link;
    const content =
      item.content.length > CONTENT_DISPLAY_CHARS ? `${item.content.slice(0, CONTENT_DISPLAY_CHARS)}…` : item.content;
    const span = Math.max(1, link.credits.length);
    const itemCells =
      `<td${attributes({ "data-column": "rank", "data-value": item.rank, rowspan: span > 1 ? span : undefined, class: "num" })}>${item.rank}</td>` +
      `<td${attributes({ "data-column": "itemId", rowspan: span > 1 ? span : undefined, class: "mono" })}>${escapeHtml(item.itemId)}</td>` +
      `<td${attributes({ "data-column": "share", "data-value": String(item.share), rowspan: span > 1 ? span : undefined, class: "num" })}>${formatNumber(item.share)}</td>` +
      `<td${attributes({ "data-column": "content", rowspan: span > 1 ? span : undefined, title: item.content, class: "text" })}>${escapeHtml(content)}</td>`;
    if (link.credits.length === 0) {
      rows.push(
        `<tr${attributes({ "data-item-id": item.itemId, class: "unattributed" })}>${itemCells}<td data-column="step" class="na" colspan="4">${NO_VALUE} (maps to no step)</td></tr>`,
      );
      continue;
    }
    link.credits.forEach((credit, creditIndex) => {
      const missing = credit.found ? "" : ` title="no record of this step in steps.jsonl"`;
      rows.push(
        `<tr${attributes({ "data-item-id": item.itemId, "data-step": credit.step, class: credit.found ? undefined : "missing" })}>${creditIndex === 0 ? itemCells : ""}` +
          numberCell("step", credit.step, { digits: 0 }) +
          numberCell("weight", credit.weight) +
          numberCell("evidence", credit.evidence, { extra: missing }) +
          numberCell("eara", credit.eara, { extra: missing }) +
          "</tr>",
      );
    });
  }
  const evidence =
    rows.length === 0
      ? `<p class="note">No evidence retrieved: this question's score is credited to no step (it counts in U).</p>`
      : table(
          `evidence-items-${index + 1}`,
          ["rank", "item", "share", "content", "step t", "φ weight", "N_t", "r_EARA"],
          rows,
          { testId: "evidence-items" },
        );
  return (
    `<article${attributes({ class: "question", "data-testid": "evidence-question", "data-instance-id": result.instanceId, "data-rollout": result.rollout, "data-question-id": result.questionId, "data-data-source": result.dataSource })}>` +
    `<h3>${index + 1}. ${escapeHtml(`${result.instanceId} · rollout ${result.rollout} · ${result.questionId} (${result.dataSource})`)}</h3>` +
    table(`evidence-question-${index + 1}`, ["", ""], meta, { headless: true, testId: "evidence-question-facts" }) +
    evidence +
    "</article>"
  );
}
