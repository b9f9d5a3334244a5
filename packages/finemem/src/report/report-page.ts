// The page both HTML reports are built on (render-report.ts for an eval run, render-training-report.ts
// for a training run): the document shell with its Content-Security-Policy, the one style sheet, and
// the `section` / `table` blocks with their stable `data-testid`s. One owner, so the two reports keep
// one look and one set of rules (inline CSS and SVG only, nothing may load, every text escaped).
import { attributes, escapeHtml, NO_VALUE } from "./html.js";

/**
 * A whole self-contained document: `<title>` and `<h1>` both `title`, then `body` (the headline and
 * the sections) in order, each on its own line.
 */
export function reportDocument(title: string, body: readonly string[]): string {
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
    ...body,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

/** A `<section>` whose `id` is also its `data-testid`, under an `<h2>`. */
export function section(id: string, heading: string, parts: readonly string[]): string {
  return `<section${attributes({ id, "data-testid": id })}><h2>${escapeHtml(heading)}</h2>\n${parts.join("\n")}\n</section>`;
}

export interface TableOptions {
  /** No `<thead>` (a key / value table whose keys are `<th scope="row">`). */
  readonly headless?: boolean;
  /** The `data-testid`, when several tables share one (the `id` stays unique); the `id` by default. */
  readonly testId?: string;
}

/** A `<table>`; no rows show one {@link NO_VALUE} cell across the table rather than an empty body. */
export function table(
  id: string,
  headings: readonly string[],
  rows: readonly string[],
  options: TableOptions = {},
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

// The eval report's style sheet, byte for byte (its page must not change); the training report uses
// a subset of its classes, and a rule for a class a page does not use costs nothing.
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
