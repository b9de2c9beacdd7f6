// Go's text/tabwriter as cilium-dbg uses it (NewWriter(out, minwidth 5, tabwidth 0, padding 3, ' ', 0)),
// so printers can write the same `\t`-separated text the Go code writes and get the same columns;
// renderTable is the same writer fed rows of cells.
// Semantics kept: tab-terminated cells form columns; the text after a line's last tab is not part of
// a column; a column block is a run of consecutive lines that have a cell in that column; a line
// without any tab flushes, so the lines after it are aligned independently.

export interface TabwriterOptions {
  readonly minWidth: number;
  readonly padding: number;
}

export const CILIUM_TABWRITER: TabwriterOptions = { minWidth: 5, padding: 3 };

type Line = readonly string[];

/** Go counts a cell's width in runes (code points), not UTF-16 units. */
function cellWidth(text: string): number {
  return /[^\x20-\x7e]/.test(text) ? [...text].length : text.length;
}

function writeLines(
  lines: readonly Line[],
  widths: readonly number[],
  from: number,
  to: number,
  out: string[],
): void {
  for (let i = from; i < to; i++) {
    const line = lines[i] ?? [];
    let text = "";
    line.forEach((cell, column) => {
      text += cell;
      const width = widths[column];
      if (width !== undefined) text += " ".repeat(Math.max(0, width - cellWidth(cell)));
    });
    out.push(text);
  }
}

function format(
  lines: readonly Line[],
  widths: number[],
  options: TabwriterOptions,
  first: number,
  last: number,
  out: string[],
): void {
  const column = widths.length;
  let line0 = first;
  for (let current = first; current < last; current++) {
    if (column >= (lines[current]?.length ?? 0) - 1) continue;
    writeLines(lines, widths, line0, current, out);
    line0 = current;
    let width = options.minWidth;
    for (; current < last; current++) {
      const line = lines[current] ?? [];
      if (column >= line.length - 1) break;
      width = Math.max(width, cellWidth(line[column] ?? "") + options.padding);
    }
    widths.push(width);
    format(lines, widths, options, line0, current, out);
    widths.pop();
    line0 = current;
  }
  writeLines(lines, widths, line0, last, out);
}

/** Aligns `text` (lines separated by `\n`, cells terminated by `\t`) like a flushed Go tabwriter. */
export function tabwrite(text: string, options: TabwriterOptions = CILIUM_TABWRITER): string {
  const rawLines = text.split("\n");
  const trailingNewline = rawLines.length > 1 && rawLines[rawLines.length - 1] === "";
  if (trailingNewline) rawLines.pop();
  const out: string[] = [];
  let segment: Line[] = [];
  const flush = (): void => {
    format(segment, [], options, 0, segment.length, out);
    segment = [];
  };
  for (const raw of rawLines) {
    const cells = raw.split("\t");
    segment.push(cells);
    if (cells.length === 1) flush();
  }
  flush();
  return out.join("\n") + (trailingNewline ? "\n" : "");
}

/** How renderTable ends each row. */
export interface TableOptions {
  /** Whether the last cell of each line is tab-terminated (then it is padded like the others). */
  readonly padLastCell: boolean;
}

/** Renders rows of cells as cilium-dbg's tabwriter aligns them; returns the text with a trailing newline. */
export function renderTable(rows: readonly (readonly string[])[], options: TableOptions): string {
  const end = options.padLastCell ? "\t" : "";
  return tabwrite(rows.map((row) => `${row.join("\t")}${end}\n`).join(""));
}
