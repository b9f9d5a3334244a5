// The ablation's findings as one document, rendered twice: `results.md` (docs/results.md) and the
// HTML report. One owner of the wording and the tables, so the two never disagree; every figure is
// formatted here, deterministically, so the same runs always give the same bytes (the wall time is
// the only line that changes between re-runs).
import { escapeHtml, formatNumber } from "../report/html.js";
import { reportDocument, section, table } from "../report/report-page.js";
import { type LineSeries, lineChart } from "../report/svg-charts.js";
import { PAPER_ABLATION } from "./ablation-plan.js";
import type { AblationResults, HeldoutSpread, PairComparison, SettingResult, Spread } from "./ablation-results.js";

/** Where the results came from, as the results file states it. */
export interface AblationRecord {
  /** The command as typed (`finemem ablate …`). */
  readonly command: string;
  /** The git commit of the checkout it ran in (with `-dirty` for uncommitted changes), or what stood in for it. */
  readonly commit: string;
  readonly version: string;
  /** Wall time of this process's ablation runs (and their collection when there is no sweep). */
  readonly wallSeconds: number;
  /** Wall time of the sweep's own runs (those not shared with the ablation); null without the sweep. */
  readonly sweepWallSeconds: number | null;
  readonly updates: number;
  readonly instancesPerUpdate: number;
  readonly rollouts: number;
  /** Instances of each held-out and transfer set. */
  readonly setSizes: { readonly [set: string]: number };
  /** What every setting shares, e.g. `w_comp 0, evidence cited, grouping pooled`. */
  readonly shared: string;
}

/** The significance level of the Holm-corrected family of six comparisons. */
export const ALPHA = 0.05;

/** The line that differs between re-runs; a reproduction check leaves it out. */
export const WALL_TIME_PREFIX = "- Wall time:";

interface DocumentTable {
  readonly id: string;
  readonly heading: string;
  readonly note: string;
  readonly headings: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

const signed = (value: number, digits = 3): string => `${value >= 0 ? "+" : ""}${value.toFixed(digits)}`;
const spread = (value: Spread, digits = 3): string =>
  value.mean === null ? "—" : `${formatNumber(value.mean, digits)} ± ${formatNumber(value.sd, digits)}`;
const pValue = (value: number): string => (value < 0.0001 ? value.toExponential(2) : value.toFixed(4));

function labelOf(results: AblationResults, name: string): string {
  return results.settings.find((result) => result.setting.name === name)?.setting.label ?? name;
}

function setColumns(results: AblationResults): string[] {
  return [...results.heldoutSets, ...results.transferSets];
}

function mainTable(results: AblationResults): DocumentTable {
  const sets = setColumns(results);
  const trained = (result: SettingResult): string[] => [
    result.setting.label,
    String(result.setting.beta),
    String(result.setting.chunk),
    spread(result.score),
    ...sets.map((set) => spread(result.sets[set]!)),
    spread(result.memoryTokens, 1),
    PAPER_ABLATION[result.setting.name] === undefined
      ? "—"
      : `${PAPER_ABLATION[result.setting.name]!.score.toFixed(3)} / ${PAPER_ABLATION[result.setting.name]!.memory}`,
  ];
  const untrained = (start: HeldoutSpread): string[] => [
    "untrained start",
    "",
    "",
    spread(start.score),
    ...sets.map((set) => spread(start.sets[set]!)),
    spread(start.memoryTokens, 1),
    "—",
  ];
  return {
    id: "ablation-table",
    heading: "Result",
    note: `Mean ± sd over ${results.seeds} seed${results.seeds === 1 ? "" : "s"} after ${results.updates} updates. Held-out score: the mean of the held-out sets' scores (${results.heldoutSets.join(", ")}), averaged within a seed first${results.transferSets.length === 0 ? "" : `; ${results.transferSets.join(", ")} is reported beside it, not in it`}. Memory tokens: o200k tokens of the final memory, over the held-out sets' episodes. The baselines do not learn (one evaluation). Paper: FINEMEM.md §4 (score / memory length, on its own benchmark).`,
    headings: ["Setting", "β", "w_chunk", "Held-out score", ...sets, "Memory tokens", "Paper"],
    rows: [
      ...results.settings.map(trained),
      untrained(results.untrained),
      ...results.baselines.map((baseline) => [
        baseline.name,
        "",
        "",
        formatNumber(baseline.score),
        ...sets.map((set) => formatNumber(baseline.sets[set])),
        formatNumber(baseline.memoryTokens, 1),
        "—",
      ]),
    ],
  };
}

function pairsTable(results: AblationResults): DocumentTable {
  return {
    id: "ablation-tests",
    heading: "Paired comparisons",
    note: `Difference a − b of the final held-out score, paired by seed. p: the exact two-sided sign-flip permutation test over seeds (all 2^${results.seeds} sign assignments; the smallest p it can give is ${formatNumber(2 / 2 ** results.seeds, 4)}). Holm: adjusted over the six pairs; significant where below ${ALPHA}. Interval: the Student-t 95% interval of the mean difference (the one figure that assumes normal differences); d_z: mean / sd of the differences.`,
    headings: ["a − b", "Mean difference [95% CI]", "d_z", "p (exact)", "p (Holm)", `Holm < ${ALPHA}`],
    rows: results.pairs.map((pair) => [
      `${labelOf(results, pair.a)} − ${labelOf(results, pair.b)}`,
      `${signed(pair.difference.mean)} [${pair.difference.interval === null ? "—" : `${signed(pair.difference.interval[0])}, ${signed(pair.difference.interval[1])}`}]`,
      formatNumber(pair.difference.standardized, 2),
      pValue(pair.pValue),
      pValue(pair.holm),
      pair.holm < ALPHA ? "yes" : "no",
    ]),
  };
}

function curvesTable(results: AblationResults): DocumentTable {
  const updates = results.settings[0]!.curve.map((point) => point.update);
  return {
    id: "ablation-curves",
    heading: "Learning curves",
    note: "Held-out score (mean over seeds) at each evaluation; update 0 is the untrained start.",
    headings: ["Update", ...results.settings.map((result) => result.setting.label)],
    rows: updates.map((update, index) => [
      String(update),
      ...results.settings.map((result) => formatNumber(result.curve[index]?.score)),
    ]),
  };
}

function sweepTable(results: AblationResults): DocumentTable | undefined {
  if (results.sweep === undefined) return undefined;
  return {
    id: "ablation-sweep",
    heading: "Sensitivity sweep",
    note: "One knob at a time around Fine-Mem's setting (β 0.5, w_chunk 0.5), seeds 1 to 3, mean ± sd; the same runs as the ablation where the setting is the same.",
    headings: ["Knob", "β", "w_chunk", "Held-out score", ...setColumns(results), "Memory tokens"],
    rows: results.sweep.map((result) => [
      result.setting.name.startsWith("beta-") ? "β" : "w_chunk",
      String(result.setting.beta),
      String(result.setting.chunk),
      spread(result.score),
      ...setColumns(results).map((set) => spread(result.sets[set]!)),
      spread(result.memoryTokens, 1),
    ]),
  };
}

function seedsTable(results: AblationResults): DocumentTable {
  return {
    id: "ablation-seeds",
    heading: "Per seed",
    note: "Final held-out score of each replicate (seed k trains with run.seed `<seed>-k`: its own initial parameters, training draws and rollout sampling, shared by the four settings).",
    headings: ["Seed", "untrained start", ...results.settings.map((result) => result.setting.label)],
    rows: Array.from({ length: results.seeds }, (_, index) => [
      String(index + 1),
      formatNumber(results.untrained.score.values[index]),
      ...results.settings.map((result) => formatNumber(result.score.values[index])),
    ]),
  };
}

/** The finding, in words: the observed order and which comparisons hold after Holm. */
function findingOf(results: AblationResults): string[] {
  // Ordered by the mean as displayed (3 decimals), ties by name: rounding noise never orders settings.
  const shown = (result: SettingResult) => (result.score.mean === null ? -1 : Math.round(result.score.mean * 1000));
  const ordered = [...results.settings].sort(
    (a, b) => shown(b) - shown(a) || a.setting.name.localeCompare(b.setting.name),
  );
  const order = ordered
    .map(
      (result, index) =>
        `${index === 0 ? "" : shown(result) === shown(ordered[index - 1]!) ? " = " : " > "}${result.setting.label} (${formatNumber(result.score.mean)})`,
    )
    .join("");
  const paperOrder = Object.entries(PAPER_ABLATION)
    .sort((a, b) => b[1].score - a[1].score)
    .map(([name]) => name);
  const sameOrder =
    ordered.every((result, index) => result.setting.name === paperOrder[index]) &&
    ordered.every((result, index) => index === 0 || shown(result) < shown(ordered[index - 1]!));
  const held = results.pairs.filter((pair) => pair.holm < ALPHA);
  const describe = (pair: PairComparison) =>
    `${labelOf(results, pair.a)} − ${labelOf(results, pair.b)} ${signed(pair.difference.mean)} (Holm p ${pValue(pair.holm)})`;
  return [
    `Observed order of the mean held-out score: ${order}.`,
    sameOrder
      ? "This is the paper's order."
      : `This is not the paper's order (${paperOrder.map((name) => labelOf(results, name)).join(" > ")}).`,
    held.length === 0
      ? `No difference between settings is significant at ${ALPHA} after Holm's correction.`
      : `Significant at ${ALPHA} after Holm's correction: ${held.map(describe).join("; ")}. The other pairs are not.`,
  ];
}

const HYPOTHESIS = [
  "Stated before the result, from the paper's ablation (FINEMEM.md §4, average score): both (0.663) > + chunk-level step reward (0.639) > outcome only (0.627) > + evidence-anchored attribution (0.622). That is, the two together train a better manager than either alone and than the outcome reward alone, and the chunk reward alone helps while attribution alone does not.",
  `Test: for each of the six pairs, the final held-out score's difference paired by seed, the exact two-sided sign-flip permutation test, Holm-corrected over the six at α = ${ALPHA}. Effect sizes: the mean difference with its 95% interval, and d_z.`,
];

function tablesOf(results: AblationResults): DocumentTable[] {
  return [
    mainTable(results),
    pairsTable(results),
    curvesTable(results),
    sweepTable(results),
    seedsTable(results),
  ].filter((entry): entry is DocumentTable => entry !== undefined);
}

function factsOf(results: AblationResults, record: AblationRecord): [string, string][] {
  const sets = (names: readonly string[]) =>
    names
      .map((set) => {
        const size = record.setSizes[set] ?? 0;
        return `${set} (${size} instance${size === 1 ? "" : "s"})`;
      })
      .join(", ");
  return [
    ["Command", record.command],
    ["Commit", `${record.commit} (finemem ${record.version})`],
    [
      "Runs",
      `4 reward settings × ${results.seeds} seed${results.seeds === 1 ? "" : "s"}${results.sweep === undefined ? "" : ", and the sweep's points × 3 seeds"}; each ${record.updates} updates of ${record.instancesPerUpdate} training instances × ${record.rollouts} rollouts, the learned policy on the local trainer`,
    ],
    ["Held-out sets", sets(results.heldoutSets)],
    ...(results.transferSets.length === 0
      ? []
      : ([["Transfer sets", sets(results.transferSets)]] as [string, string][])),
    ["Shared by every setting", record.shared],
  ];
}

/** Runs an earlier process finished are not timed again: a resumed command times only what it ran. */
function wallTime(record: AblationRecord): string {
  const minutes = (seconds: number) => `${(seconds / 60).toFixed(1)} min`;
  return `${minutes(record.wallSeconds)} for the ablation${record.sweepWallSeconds === null ? "" : `, ${minutes(record.sweepWallSeconds)} for the sweep's own runs`} (this process)`;
}

/** `results.md`. */
export function renderAblationMarkdown(results: AblationResults, record: AblationRecord): string {
  const cell = (text: string) => text.replace(/\|/g, "\\|");
  const lines: string[] = [
    "# The reward ablation on this project's trainer",
    "",
    "Written by `finemem ablate`; running the command below at the commit below writes this file again, byte for byte but for the wall time.",
    "",
    ...factsOf(results, record).map(([key, value]) => `- ${key}: ${key === "Command" ? `\`${value}\`` : value}`),
    `${WALL_TIME_PREFIX} ${wallTime(record)}`,
    "",
    "## Hypothesis",
    "",
    ...HYPOTHESIS.flatMap((paragraph) => [paragraph, ""]),
    "## Finding",
    "",
    findingOf(results).join(" "),
    "",
  ];
  for (const entry of tablesOf(results)) {
    lines.push(`## ${entry.heading}`, "", entry.note, "");
    lines.push(`| ${entry.headings.map(cell).join(" | ")} |`);
    lines.push(`| ${entry.headings.map(() => "---").join(" | ")} |`);
    for (const row of entry.rows) lines.push(`| ${row.map(cell).join(" | ")} |`);
    lines.push("");
  }
  return lines.join("\n");
}

/** The ablation's `report.html`: the same document, with the learning curves drawn. */
export function renderAblationHtml(results: AblationResults, record: AblationRecord): string {
  const facts = [...factsOf(results, record), ["Wall time", wallTime(record)] as [string, string]];
  const series: LineSeries[] = results.settings.map((result) => ({
    name: result.setting.label,
    points: result.curve.map((point) => ({ x: point.update, y: point.score })),
  }));
  const sections = tablesOf(results).map((entry) => {
    const body = [
      `<p class="note">${escapeHtml(entry.note)}</p>`,
      table(
        entry.id,
        entry.headings,
        entry.rows.map((row) => `<tr>${row.map((text) => `<td>${escapeHtml(text)}</td>`).join("")}</tr>`),
      ),
    ];
    if (entry.id === "ablation-curves")
      body.unshift(
        lineChart({
          id: "ablation-curve-chart",
          title: "Held-out score by update (mean over seeds)",
          xLabel: "update",
          yLabel: "held-out score",
          series,
          exactPoints: true,
        }),
      );
    return section(entry.id.replace("ablation-", "ablation-section-"), entry.heading, body);
  });
  return reportDocument("Fine-Mem reward ablation", [
    `<p class="headline" data-testid="headline">${escapeHtml(findingOf(results).join(" "))}</p>`,
    table(
      "ablation-facts",
      [],
      facts.map(([key, value]) => `<tr><th scope="row">${escapeHtml(key)}</th><td>${escapeHtml(value)}</td></tr>`),
      { headless: true },
    ),
    section(
      "ablation-hypothesis",
      "Hypothesis",
      HYPOTHESIS.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`),
    ),
    ...sections,
  ]);
}
