// `finemem train`'s report: one self-contained HTML document per training run, on the eval report's
// page (report-page.ts, run-header.ts: one look, one "Run" header) and under the same rules: inline
// CSS and inline SVG only, a Content-Security-Policy that lets nothing load, every run figure escaped,
// every number cell with `data-value`. Every plotted point carries its exact value too (`lineChart`'s
// `exactPoints`), so a test can check each curve against `updates.jsonl` and `evaluations.jsonl`
// rather than against pixels.
import type { JsonValue } from "@finemem/spec";
import { UPDATE_REWARD_COMPONENTS, type UpdateLine, type UpdateRewardComponent } from "../train/train-files.js";
import { attributes, escapeHtml, formatNumber, NO_VALUE, numberCell, textCell } from "./html.js";
import type { TrainingRunDirectory } from "./read-training-run.js";
import { reportDocument, section, table } from "./report-page.js";
import { REWARD_COMPONENT_LABELS } from "./reward-labels.js";
import { renderRunHeader } from "./run-header.js";
import { type LinePoint, type LineSeries, lineChart } from "./svg-charts.js";

/** The series name (and table heading) of each reward component: the eval report's labels. */
export const REWARD_SERIES_NAMES: { readonly [component in UpdateRewardComponent]: string } = REWARD_COMPONENT_LABELS;

/** The held-out curve's series names besides one per baseline (named as in `baselines.jsonl`). */
export const HELDOUT_SERIES = { heldout: "held-out score", untrained: "untrained start" } as const;

/**
 * The trainer figures drawn beside the loss and the KL divergence, each under the first of its names
 * that the run's updates hold: the local trainer writes camelCase, an external engine (verl) its own.
 */
const TRAINER_METRICS: readonly (readonly string[])[] = [
  ["entropy"],
  ["gradNorm", "grad_norm"],
  ["pgClipFraction", "pg_clipfrac"],
  ["ppoKl", "ppo_kl"],
];

export function renderTrainingReport(run: TrainingRunDirectory): string {
  const title = `Fine-Mem training run ${run.manifest.runId}`;
  return reportDocument(title, [
    renderHeadline(run),
    renderHeader(run),
    renderSummary(run),
    renderRewards(run),
    renderHeldout(run),
    renderTrainer(run),
  ]);
}

/** The answer first: where the held-out score got to, and from where. */
function renderHeadline(run: TrainingRunDirectory): string {
  const start = untrainedStart(run);
  const last = lastEvaluation(run);
  const updates = run.updates.length;
  const score =
    last === undefined
      ? "no held-out evaluation yet"
      : `Held-out score <strong${attributes({ "data-value": last.score ?? undefined })}>${formatNumber(last.score)}</strong> after ${last.update} update${last.update === 1 ? "" : "s"}`;
  const from = start === undefined ? "" : ` · untrained start ${formatNumber(start.score)}`;
  const baselines = run.baselines.map((line) => ` · ${escapeHtml(line.name)} ${formatNumber(line.score)}`).join("");
  return `<p class="headline" data-testid="headline">${score}${from}${baselines} · ${updates} update${updates === 1 ? "" : "s"} run</p>`;
}

function renderHeader(run: TrainingRunDirectory): string {
  const { manifest } = run;
  return renderRunHeader(
    manifest,
    [
      ["run id", manifest.runId],
      ["policy", policyOf(manifest.config, run)],
      ["seed", manifest.seed],
      ["started", manifest.createdAt],
      ["specification", manifest.specificationVersion],
    ],
    { monospaceFile: true },
  );
}

/**
 * The policy as the configuration names it (`policy.kind`, with the policy id the held-out
 * evaluations report beside it when it says more); the policy id alone for a run without a recorded
 * configuration (a library caller's).
 */
function policyOf(config: JsonValue | undefined, run: TrainingRunDirectory): string {
  const policyId = run.evaluations[0]?.policyId;
  const policy = isObject(config) ? config.policy : undefined;
  const kind = isObject(policy) && typeof policy.kind === "string" ? policy.kind : undefined;
  if (kind === undefined) return policyId ?? NO_VALUE;
  return policyId === undefined || policyId === kind ? kind : `${kind} (${policyId})`;
}

function isObject(value: JsonValue | undefined): value is { readonly [key: string]: JsonValue } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function renderSummary(run: TrainingRunDirectory): string {
  const start = untrainedStart(run);
  const last = lastEvaluation(run);
  const row = (
    key: string,
    label: string,
    update: number | null,
    policyId: string | undefined,
    score: number | null | undefined,
    memoryTokens: number | undefined,
  ) =>
    `<tr${attributes({ "data-key": key })}>${textCell("label", label)}${numberCell("update", update, { digits: 0 })}${textCell("policy", policyId ?? NO_VALUE)}${numberCell("score", score, { className: "run" })}${numberCell("memoryTokens", memoryTokens, { digits: 1 })}</tr>`;
  const rows = [
    row(
      "untrained-start",
      HELDOUT_SERIES.untrained,
      start?.update ?? null,
      start?.policyId,
      start?.score,
      start?.memoryTokens,
    ),
    row(
      "last",
      last === undefined ? "last held-out evaluation" : `after ${last.update} update${last.update === 1 ? "" : "s"}`,
      last?.update ?? null,
      last?.policyId,
      last?.score,
      last?.memoryTokens,
    ),
    ...run.baselines.map((line) =>
      row(`baseline-${line.name}`, `baseline ${line.name}`, null, line.policyId, line.score, line.memoryTokens),
    ),
  ];
  return section("summary", "Held-out summary", [
    table("training-summary", ["", "update", "policy", "held-out score", "mean memory tokens"], rows),
    `<p class="note">Scores are the held-out evaluation's average over data sources (mean of per-instance means per source), as finemem eval prints it; baselines are evaluated once, before the first update, on the same held-out instances.</p>`,
  ]);
}

function renderRewards(run: TrainingRunDirectory): string {
  // A component no step computed (r_content is off by default, docs/method.md §9) would be an empty series.
  const components = UPDATE_REWARD_COMPONENTS.filter((component) =>
    run.updates.some((line) => line.rewards[component] !== null),
  );
  const chart = lineChart({
    id: "reward-curves",
    title: "Mean reward components per update",
    xLabel: "update",
    yLabel: "reward",
    exactPoints: true,
    series: components.map((component) => ({
      name: REWARD_SERIES_NAMES[component],
      points: run.updates.map((line) => ({ x: line.update, y: line.rewards[component] })),
    })),
  });
  const rows = run.updates.map(
    (line) =>
      `<tr${attributes({ "data-key": line.update })}>${numberCell("update", line.update, { digits: 0 })}${numberCell("rollouts", line.rollouts, { digits: 0 })}${numberCell("samples", line.samples, { digits: 0 })}${components.map((component) => numberCell(component, line.rewards[component])).join("")}${numberCell("meanReward", line.meanReward)}${numberCell("wallSeconds", line.wallSeconds, { digits: 2 })}${numberCell("rolloutsPerSecond", line.rolloutsPerSecond, { digits: 2 })}</tr>`,
  );
  return section("rewards", "Rewards over training (mean over each update's steps)", [
    chart,
    table(
      "updates-table",
      [
        "update",
        "rollouts",
        "samples",
        ...components.map((component) => REWARD_SERIES_NAMES[component]),
        "trainer mean reward",
        "seconds",
        "rollouts / s",
      ],
      rows,
    ),
    `<p class="note">N_t: a step's normalized evidence contribution; r_EARA = (1 − β)·r_global/T + β·N_t. A component not computed in a step is left out of its update's mean (${NO_VALUE} when no step computed it).</p>`,
  ]);
}

function renderHeldout(run: TrainingRunDirectory): string {
  const start = untrainedStart(run);
  // Flat series span the updates the curve was evaluated at, so they read against its points.
  const xs =
    run.evaluations.length > 0
      ? run.evaluations.map((line) => line.update)
      : [...new Set([0, run.updates.at(-1)?.update ?? 0])];
  const flat = (name: string, score: number | null): LineSeries[] =>
    score === null ? [] : [{ name, points: xs.map((x): LinePoint => ({ x, y: score })) }];
  const chart = lineChart({
    id: "heldout-curve",
    title: "Held-out score over updates",
    xLabel: "update",
    yLabel: "score",
    exactPoints: true,
    series: [
      { name: HELDOUT_SERIES.heldout, points: run.evaluations.map((line) => ({ x: line.update, y: line.score })) },
      ...flat(HELDOUT_SERIES.untrained, start?.score ?? null),
      ...run.baselines.flatMap((line) => flat(line.name, line.score)),
    ],
  });
  const dataSources = [
    ...new Set([...run.evaluations, ...run.baselines].flatMap((line) => Object.keys(line.dataSources))),
  ].sort();
  const cells = (line: {
    readonly score: number | null;
    readonly memoryTokens: number;
    readonly episodes: number;
    readonly questions: number;
    readonly dataSources: { readonly [dataSource: string]: number | null };
  }) =>
    numberCell("score", line.score, { className: "run" }) +
    dataSources.map((source) => numberCell(`source:${source}`, line.dataSources[source] ?? null)).join("") +
    numberCell("memoryTokens", line.memoryTokens, { digits: 1 }) +
    numberCell("episodes", line.episodes, { digits: 0 }) +
    numberCell("questions", line.questions, { digits: 0 });
  const headings = ["score", ...dataSources, "mean memory tokens", "episodes", "questions"];
  const evaluationRows = run.evaluations.map(
    (line) =>
      `<tr${attributes({ "data-key": line.update })}>${numberCell("update", line.update, { digits: 0 })}${textCell("policy", line.policyId)}${cells(line)}</tr>`,
  );
  const baselineRows = run.baselines.map(
    (line) =>
      `<tr${attributes({ "data-key": line.name })}>${textCell("name", line.name)}${textCell("policy", line.policyId)}${cells(line)}</tr>`,
  );
  return section("heldout", "Held-out evaluations", [
    chart,
    table("heldout-evaluations", ["update", "policy", ...headings], evaluationRows),
    "<h3>Baselines</h3>",
    table("baselines", ["baseline", "policy", ...headings], baselineRows),
    `<p class="note">Update 0 is the untrained start. The held-out policy decides greedily; training rollouts sample.</p>`,
  ]);
}

function renderTrainer(run: TrainingRunDirectory): string {
  const series: LineSeries[] = [];
  const add = (name: string, value: (line: UpdateLine) => number | null) => {
    const points = run.updates.map((line) => ({ x: line.update, y: value(line) }));
    if (points.some((point) => point.y !== null)) series.push({ name, points });
  };
  add("loss", (line) => line.loss);
  add("klDivergence", (line) => line.klDivergence);
  for (const names of TRAINER_METRICS) {
    const name = names.find((candidate) => run.updates.some((line) => line.metrics[candidate] !== undefined));
    if (name !== undefined) add(name, (line) => line.metrics[name] ?? null);
  }
  return section("trainer", "Trainer metrics", [
    lineChart({
      id: "trainer-metrics",
      title: "Trainer metrics per update",
      xLabel: "update",
      yLabel: "value",
      exactPoints: true,
      series,
    }),
    `<p class="note">Every figure the trainer reported, per update, is in updates.jsonl (its metrics field).</p>`,
  ]);
}

function untrainedStart(run: TrainingRunDirectory) {
  return run.evaluations.find((line) => line.update === 0);
}

function lastEvaluation(run: TrainingRunDirectory) {
  return run.evaluations.at(-1);
}
