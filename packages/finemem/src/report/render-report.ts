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
import { meanOf, meanRewardsPerStep, STEP_COMPONENTS, type StepComponent, type StepMeans } from "./step-means.js";
import { barChart, lineChart } from "./svg-charts.js";

export interface RenderReportOptions {
  /** How many lowest-scored questions get their evidence chain shown; default 10. */
  readonly worstQuestions?: number;
}

/** Column headings of the reward components. */
const COMPONENT_LABELS: { readonly [component in StepComponent]: string } = {
  format: "r_format",
  chunk: "r_chunk",
  evidence: "N_t",
  eara: "r_EARA",
  compression: "r_comp",
  content: "r_content",
  total: "r (total)",
};

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
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    // Nothing may load: no script at all, styles only from this file, images only as data: URLs.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    "</head>",
    "<body>",
    `<h1>${escapeHtml(title)}</h1>`,
    renderHeadline(run),
    ...sections,
    "</body>",
    "</html>",
    "",
  ].join("\n");
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
  const facts: [string, string][] = [
    ["run id", manifest.runId],
    ["policy", summary.policyId],
    ["reasoner", summary.reasonerId],
    ["seed", manifest.seed],
    ["started", manifest.createdAt],
    ["specification", manifest.specificationVersion],
  ];
  const factRows = facts.map(
    ([key, value]) =>
      `<tr${attributes({ "data-key": key })}><th scope="row">${escapeHtml(key)}</th>${textCell("value", value)}</tr>`,
  );
  const models = Object.entries(manifest.models).map(
    ([role, model]) =>
      `<tr${attributes({ "data-key": role })}>${textCell("role", role)}${textCell("model", model)}</tr>`,
  );
  const prompts = Object.entries(manifest.promptHashes).map(
    ([prompt, hash]) =>
      `<tr${attributes({ "data-key": prompt })}>${textCell("prompt", prompt)}${textCell("hash", hash, { className: "mono" })}</tr>`,
  );
  const datasets = manifest.datasets.map((source) => {
    // An unpinned revision cannot be reproduced: docs/method.md §16 asks for the warning with every result.
    const unpinned = source.revision.startsWith("unpinned:");
    return `<tr${attributes({ "data-key": `${source.repo}/${source.file}`, class: unpinned ? "warn" : undefined })}>${textCell("repo", source.repo)}${textCell("revision", unpinned ? `${source.revision} (unpinned)` : source.revision, { className: "mono" })}${textCell("file", source.file)}${textCell("row", source.row === undefined ? NO_VALUE : String(source.row))}${textCell("sha256", source.sha256 ?? NO_VALUE, { className: "mono" })}</tr>`;
  });
  const config =
    manifest.config === undefined
      ? ""
      : `<details><summary>Effective configuration</summary><pre data-testid="config">${escapeHtml(JSON.stringify(manifest.config, null, 2))}</pre></details>`;
  return section("run", "Run", [
    table("run-facts", ["", ""], factRows, { headless: true }),
    "<h3>Models</h3>",
    table("models", ["role", "model"], models),
    "<h3>Prompt hashes</h3>",
    table("prompt-hashes", ["prompt", "hash"], prompts),
    "<h3>Datasets</h3>",
    table("datasets", ["repo", "revision", "file", "row", "sha256"], datasets),
    config,
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
      name: COMPONENT_LABELS[component],
      points: means.map((step) => ({ x: step.step, y: step.rewards[component] })),
    })),
  });
  return section("step-rewards", "Per-step rewards (mean over episodes)", [
    chart,
    table(
      "step-rewards-table",
      ["step", "episodes", ...components.map((component) => COMPONENT_LABELS[component]), "memory tokens"],
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

function section(id: string, heading: string, parts: readonly string[]): string {
  return `<section${attributes({ id, "data-testid": id })}><h2>${escapeHtml(heading)}</h2>\n${parts.join("\n")}\n</section>`;
}

function table(
  id: string,
  headings: readonly string[],
  rows: readonly string[],
  options: { readonly headless?: boolean; readonly testId?: string } = {},
): string {
  const head =
    options.headless === true
      ? ""
      : `<thead><tr>${headings.map((heading) => `<th scope="col">${escapeHtml(heading)}</th>`).join("")}</tr></thead>`;
  const body =
    rows.length === 0
      ? `<tbody><tr><td class="na" colspan="${Math.max(1, headings.length)}">${NO_VALUE}</td></tr></tbody>`
      : `<tbody>\n${rows.join("\n")}\n</tbody>`;
  return `<table${attributes({ id, "data-testid": options.testId ?? id })}>${head}${body}</table>`;
}

// System fonts only: a web font would be an external resource.
const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;margin:24px auto;max-width:1200px;padding:0 16px}
h1{font-size:22px;margin:0 0 12px}h2{font-size:18px;border-bottom:1px solid #d0d7de;padding-bottom:4px;margin-top:32px}h3{font-size:15px;margin:18px 0 6px}
table{border-collapse:collapse;margin:6px 0 12px;display:block;max-width:100%;overflow-x:auto}th,td{border:1px solid #d0d7de;padding:3px 8px;vertical-align:top;text-align:left}
thead th{background:#f3f5f7}th[scope=row]{background:#f8f9fa;font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums}td.na{color:#8c959f;text-align:center}td.run{font-weight:600}td.ref{color:#57606a}
td.mono,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;word-break:break-all}td.text{max-width:640px;white-space:pre-wrap;word-break:break-word}
tr.warn td{background:#fff8c5}tr.missing td{background:#ffebe9}tr.unattributed td{background:#f6f8fa}
.note{color:#57606a;font-size:12.5px;max-width:900px}
article.question{border:1px solid #d0d7de;border-radius:6px;padding:4px 12px 8px;margin:12px 0}
svg.chart{display:block;margin:8px 0;background:#fff;border:1px solid #eaeef2;max-width:100%;height:auto}
.headline{font-size:18px;margin:0 0 16px}.headline strong{font-size:24px}svg.chart text{font-size:11px;fill:#1b1f24}svg.chart text.title{font-size:13px;font-weight:600}
svg.chart .grid{stroke:#eaeef2}svg.chart .axis,svg.chart .tick{stroke:#57606a}svg.chart text.empty{fill:#8c959f}
pre{background:#f6f8fa;padding:8px;overflow:auto;max-height:320px}
`;
