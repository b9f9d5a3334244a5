// Inline SVG charts: a line chart (per-step rewards, memory size) and a bar chart (operation mix).
// Hand-written so the report needs no script and no external resource; every label passes through
// escapeHtml.
import { escapeHtml, formatNumber } from "./html.js";

/** Colour-blind-safe palette (Okabe–Ito), one colour per series in order. */
export const SERIES_COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"] as const;

/**
 * Dash patterns, one per series in order beside its colour: series whose values coincide (r_format
 * and r_chunk both 1, N_t and r_EARA equal when β = 1) would otherwise hide one under the other. With
 * 7 colours and 4 patterns, no two of the first 28 series share both.
 */
export const SERIES_DASHES = ["", "7 4", "2 3", "10 3 2 3"] as const;

export interface LinePoint {
  readonly x: number;
  /** `null` leaves a gap in the line. */
  readonly y: number | null;
}

export interface LineSeries {
  readonly name: string;
  readonly points: readonly LinePoint[];
}

export interface ChartFrame {
  /** Element id, also the `data-testid`. */
  readonly id: string;
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly width?: number;
  readonly height?: number;
}

export interface LineChartOptions {
  /**
   * Every point gets its dot, however many there are, and the dot carries `data-x` and `data-value`
   * (`String(y)`, the shortest text that parses back to the same double), so a test or a script can
   * read the plotted figures exactly rather than back out of rounded coordinates. Off by default: the
   * eval report keeps its lighter markup.
   */
  readonly exactPoints?: boolean;
}

const MARGIN = { top: 30, right: 150, bottom: 44, left: 64 } as const;
/** Above this many points a line carries no dot per point (they would merge into a smear). */
const MAX_DOTS = 60;

export function lineChart(frame: ChartFrame & LineChartOptions & { readonly series: readonly LineSeries[] }): string {
  const width = frame.width ?? 760;
  const height = frame.height ?? 300;
  const plot = { left: MARGIN.left, top: MARGIN.top, right: width - MARGIN.right, bottom: height - MARGIN.bottom };
  const points = frame.series.flatMap((series) => series.points);
  const ys = points.flatMap((point) => (point.y === null || !Number.isFinite(point.y) ? [] : [point.y]));
  const xs = points.map((point) => point.x);
  const body: string[] = [];
  if (ys.length === 0 || xs.length === 0) {
    body.push(`<text x="${width / 2}" y="${height / 2}" text-anchor="middle" class="empty">no data</text>`);
    return svgShell(frame, width, height, body.join(""));
  }
  const yAxis = niceAxis(Math.min(0, ...ys), Math.max(...ys));
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  const sx = (x: number): number =>
    xMax === xMin ? (plot.left + plot.right) / 2 : plot.left + ((x - xMin) / (xMax - xMin)) * (plot.right - plot.left);
  const sy = (y: number): number =>
    plot.bottom - ((y - yAxis.min) / (yAxis.max - yAxis.min)) * (plot.bottom - plot.top);

  body.push(...yGrid(yAxis, sy, plot));
  for (const x of integerTicks(xMin, xMax)) {
    body.push(
      `<line class="tick" x1="${f(sx(x))}" x2="${f(sx(x))}" y1="${plot.bottom}" y2="${plot.bottom + 4}"/><text x="${f(sx(x))}" y="${plot.bottom + 16}" text-anchor="middle">${x}</text>`,
    );
  }
  body.push(axes(frame, plot, width, height));

  frame.series.forEach((series, index) => {
    const color = SERIES_COLORS[index % SERIES_COLORS.length]!;
    const dash = SERIES_DASHES[index % SERIES_DASHES.length]!;
    const dashAttribute = dash === "" ? "" : ` stroke-dasharray="${dash}"`;
    const sorted = [...series.points].sort((a, b) => a.x - b.x);
    const segments: string[][] = [[]];
    for (const point of sorted) {
      if (point.y === null || !Number.isFinite(point.y)) segments.push([]);
      else segments[segments.length - 1]!.push(`${f(sx(point.x))},${f(sy(point.y))}`);
    }
    const group: string[] = [];
    for (const segment of segments)
      if (segment.length > 1)
        group.push(
          `<polyline fill="none" stroke="${color}" stroke-width="2"${dashAttribute} points="${segment.join(" ")}"/>`,
        );
    const exact = frame.exactPoints === true;
    if (exact || sorted.length <= MAX_DOTS || segments.some((segment) => segment.length === 1)) {
      for (const point of sorted) {
        if (point.y === null || !Number.isFinite(point.y)) continue;
        const data = exact ? ` data-x="${point.x}" data-value="${String(point.y)}"` : "";
        group.push(
          `<circle cx="${f(sx(point.x))}" cy="${f(sy(point.y))}" r="2.5" fill="${color}"${data}><title>${escapeHtml(`${series.name} at ${frame.xLabel} ${point.x}: ${formatNumber(point.y)}`)}</title></circle>`,
        );
      }
    }
    body.push(
      `<g class="series" data-series="${escapeHtml(series.name)}" data-color="${color}" data-dash="${dash}">${group.join("")}</g>`,
    );
    const legendY = plot.top + 6 + index * 18;
    body.push(
      `<line x1="${plot.right + 14}" x2="${plot.right + 34}" y1="${legendY}" y2="${legendY}" stroke="${color}" stroke-width="3"${dashAttribute}/><text x="${plot.right + 40}" y="${legendY + 4}">${escapeHtml(series.name)}</text>`,
    );
  });
  return svgShell(frame, width, height, body.join(""));
}

export interface Bar {
  readonly label: string;
  readonly value: number;
}

export function barChart(frame: ChartFrame & { readonly bars: readonly Bar[] }): string {
  const width = frame.width ?? 560;
  const height = frame.height ?? 280;
  const plot = { left: MARGIN.left, top: MARGIN.top, right: width - 24, bottom: height - MARGIN.bottom };
  const yAxis = niceAxis(0, Math.max(1, ...frame.bars.map((bar) => bar.value)));
  const sy = (y: number): number =>
    plot.bottom - ((y - yAxis.min) / (yAxis.max - yAxis.min)) * (plot.bottom - plot.top);
  const slot = (plot.right - plot.left) / Math.max(1, frame.bars.length);
  const body: string[] = [...yGrid(yAxis, sy, plot)];
  frame.bars.forEach((bar, index) => {
    const color = SERIES_COLORS[index % SERIES_COLORS.length]!;
    const x = plot.left + index * slot + slot * 0.15;
    const top = sy(bar.value);
    body.push(
      `<g class="bar" data-label="${escapeHtml(bar.label)}" data-value="${bar.value}"><rect x="${f(x)}" y="${f(top)}" width="${f(slot * 0.7)}" height="${f(plot.bottom - top)}" fill="${color}"><title>${escapeHtml(`${bar.label}: ${bar.value}`)}</title></rect>` +
        `<text x="${f(x + slot * 0.35)}" y="${f(top - 4)}" text-anchor="middle">${bar.value}</text>` +
        `<text x="${f(x + slot * 0.35)}" y="${plot.bottom + 16}" text-anchor="middle">${escapeHtml(bar.label)}</text></g>`,
    );
  });
  body.push(axes(frame, plot, width, height));
  return svgShell(frame, width, height, body.join(""));
}

interface Axis {
  readonly min: number;
  readonly max: number;
  readonly step: number;
}

/** An axis from `min` to `max` widened to multiples of a 1-2-5 step, about five ticks. */
export function niceAxis(min: number, max: number): Axis {
  if (!(max > min)) max = min + (min === 0 ? 1 : Math.abs(min));
  const rough = (max - min) / 5;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((factor) => factor * power).find((candidate) => candidate >= rough)!;
  return { min: Math.floor(min / step) * step, max: Math.ceil(max / step) * step, step };
}

function yGrid(axis: Axis, sy: (y: number) => number, plot: { left: number; right: number }): string[] {
  const lines: string[] = [];
  const digits = Math.max(0, -Math.floor(Math.log10(axis.step)));
  const count = Math.round((axis.max - axis.min) / axis.step);
  for (let index = 0; index <= count; index++) {
    const value = axis.min + index * axis.step;
    lines.push(
      `<line class="grid" x1="${plot.left}" x2="${plot.right}" y1="${f(sy(value))}" y2="${f(sy(value))}"/><text x="${plot.left - 6}" y="${f(sy(value) + 4)}" text-anchor="end">${value.toFixed(digits)}</text>`,
    );
  }
  return lines;
}

/** At most ~12 integer ticks between `min` and `max` (steps are integers). */
function integerTicks(min: number, max: number): number[] {
  const step = Math.max(1, Math.ceil((max - min) / 12));
  const ticks: number[] = [];
  for (let x = min; x <= max; x += step) ticks.push(x);
  return ticks;
}

function axes(
  frame: ChartFrame,
  plot: { left: number; top: number; right: number; bottom: number },
  width: number,
  height: number,
): string {
  return (
    `<line class="axis" x1="${plot.left}" x2="${plot.right}" y1="${plot.bottom}" y2="${plot.bottom}"/>` +
    `<line class="axis" x1="${plot.left}" x2="${plot.left}" y1="${plot.top}" y2="${plot.bottom}"/>` +
    `<text x="${f((plot.left + plot.right) / 2)}" y="${height - 8}" text-anchor="middle" class="label">${escapeHtml(frame.xLabel)}</text>` +
    `<text transform="translate(14 ${f((plot.top + plot.bottom) / 2)}) rotate(-90)" text-anchor="middle" class="label">${escapeHtml(frame.yLabel)}</text>` +
    `<text x="${width / 2}" y="18" text-anchor="middle" class="title">${escapeHtml(frame.title)}</text>`
  );
}

function svgShell(frame: ChartFrame, width: number, height: number, body: string): string {
  const id = escapeHtml(frame.id);
  return `<svg class="chart" id="${id}" data-testid="${id}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(frame.title)}"><title>${escapeHtml(frame.title)}</title>${body}</svg>`;
}

/** Coordinates with one decimal: enough for a screen, and keeps the file small. */
function f(value: number): string {
  return value.toFixed(1);
}
