// The few HTML primitives the report is built from. Every piece of run data reaches the page through
// `escapeHtml` (text and attribute values alike), so a question holding markup renders as text.

/** Escapes text for an HTML text node or a double- or single-quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]!);
}

const ESCAPES: { readonly [char: string]: string } = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** The sign shown for a figure that does not exist (no reference, a component not computed). */
export const NO_VALUE = "—";

/** A number as displayed: `digits` decimals (3 by default), or {@link NO_VALUE} for `null` and non-finite values. */
export function formatNumber(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NO_VALUE;
  return value.toFixed(digits);
}

export interface NumberCellOptions {
  /** Decimals displayed; the `data-value` attribute always holds the full-precision number. */
  readonly digits?: number;
  /** Extra attributes, already escaped by the caller's use of {@link attributes}. */
  readonly extra?: string;
  /** A CSS class. */
  readonly className?: string;
}

/**
 * A table cell for a number. `data-value` holds `String(value)` (JavaScript's shortest text that
 * parses back to the same double), so a test compares cells with recomputed figures exactly; a
 * missing value gets no `data-value` and shows {@link NO_VALUE}.
 */
export function numberCell(column: string, value: number | null | undefined, options: NumberCellOptions = {}): string {
  const present = value !== null && value !== undefined && Number.isFinite(value);
  const attrs = attributes({
    "data-column": column,
    "data-value": present ? String(value) : undefined,
    class: [options.className, present ? "num" : "num na"].filter(Boolean).join(" "),
  });
  return `<td${attrs}${options.extra ?? ""}>${escapeHtml(formatNumber(value, options.digits ?? 3))}</td>`;
}

/** A table cell for text. */
export function textCell(
  column: string,
  text: string,
  options: { readonly title?: string; readonly className?: string } = {},
): string {
  return `<td${attributes({ "data-column": column, title: options.title, class: options.className })}>${escapeHtml(text)}</td>`;
}

/** ` name="value"` pairs, escaped; `undefined` values are left out. */
export function attributes(pairs: { readonly [name: string]: string | number | undefined }): string {
  let out = "";
  for (const [name, value] of Object.entries(pairs)) {
    if (value === undefined || value === "") continue;
    out += ` ${name}="${escapeHtml(String(value))}"`;
  }
  return out;
}
