// Go's text/tabwriter as cilium-dbg configures it (minwidth 5, tabwidth 0, padding 3, spaces),
// for tables whose lines all have the same cells, which is how every cilium-dbg table is built.

export interface TableOptions {
  /** Whether the last cell of each line is tab-terminated (then it is padded like the others). */
  readonly padLastCell: boolean;
}

const MIN_WIDTH = 5;
const PADDING = 3;

/** Renders rows of cells; returns the text with a trailing newline. */
export function renderTable(rows: readonly (readonly string[])[], options: TableOptions): string {
  const columns = Math.max(0, ...rows.map((row) => row.length));
  const padded = options.padLastCell ? columns : columns - 1;
  const widths: number[] = [];
  for (let c = 0; c < padded; c++) {
    const widest = Math.max(0, ...rows.map((row) => (row[c] ?? "").length));
    widths.push(Math.max(MIN_WIDTH, widest + PADDING));
  }
  const lines = rows.map((row) =>
    row.map((cell, c) => (c < padded ? cell.padEnd(widths[c] ?? 0) : cell)).join(""),
  );
  return lines.map((line) => `${line}\n`).join("");
}
