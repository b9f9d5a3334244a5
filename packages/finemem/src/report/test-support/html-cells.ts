// Reads cells out of the report's HTML without a DOM, through the stable ids and data attributes the
// report promises (`<table id>`, `<tr data-key>`, `<td data-column data-value>`).

/** The markup of the table with this id. */
export function tableHtml(html: string, id: string): string {
  const start = html.indexOf(`<table id="${id}"`);
  if (start < 0) throw new Error(`no table ${id}`);
  return html.slice(start, html.indexOf("</table>", start) + "</table>".length);
}

/** The markup of the row with this `data-key` in the table `id`. */
export function rowHtml(html: string, id: string, key: string): string {
  const table = tableHtml(html, id);
  const start = table.indexOf(`<tr data-key="${key}"`);
  if (start < 0) throw new Error(`no row ${key} in table ${id}`);
  return table.slice(start, table.indexOf("</tr>", start));
}

/** A cell's `data-value` as a number, or `null` when the cell has none (a missing figure). */
export function cellValue(html: string, id: string, key: string, column: string): number | null {
  const row = rowHtml(html, id, key);
  const cell = new RegExp(`<td data-column="${column.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"([^>]*)>([^<]*)<`).exec(
    row,
  );
  if (cell === null) throw new Error(`no cell ${column} in row ${key} of table ${id}`);
  const value = /data-value="([^"]*)"/.exec(cell[1]!);
  return value === null ? null : Number(value[1]);
}

/** A cell's displayed text. */
export function cellText(html: string, id: string, key: string, column: string): string {
  const row = rowHtml(html, id, key);
  const cell = new RegExp(`<td data-column="${column}"[^>]*>([^<]*)<`).exec(row);
  if (cell === null) throw new Error(`no cell ${column} in row ${key} of table ${id}`);
  return cell[1]!;
}

/** The `data-key` of every row of a table, in order. */
export function rowKeys(html: string, id: string): string[] {
  return [...tableHtml(html, id).matchAll(/<tr data-key="([^"]*)"/g)].map((match) => match[1]!);
}
