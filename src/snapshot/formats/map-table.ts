// The two tables raw LB maps are printed in: `map get <name>` (agent cache, columns Key, Value,
// State, Error) and `bpf lb list --frontends|--backends|--revnat` (TablePrinter, two columns).
// Rows are `<key> <value> [state] [error]`; parsing works on whole lines so any column padding,
// including collapsed single spaces, reads the same.
import type { DumpFormat } from "../dump-format.js";
import type { DumpSource } from "../dump-source.js";
import { rejectLine, type ParseOptions } from "../errors.js";
import { renderTable } from "../text/tabwriter.js";
import { firstContentLines, locate, squash } from "../text/lines.js";

export type MapTableHeader = "map-get" | "bpf-lb-list" | "none";

export const MAP_GET_HEADER = "Key Value State Error";

export interface RowShape<Entry> {
  /** Parses one row's text (trimmed); undefined when it is not this map's row. */
  readonly parseRow: (row: string) => Entry | undefined;
  readonly expected: string;
}

/** The header kind of a table, from its (squashed) first line. */
export function headerOf(first: string, listHeader: string): MapTableHeader {
  const line = squash(first);
  if (line === MAP_GET_HEADER) return "map-get";
  if (line === listHeader) return "bpf-lb-list";
  return "none";
}

/**
 * True when the dump's rows are all rows of this map (a header alone, or "Cache is empty", does not
 * say which map it is, so at least one row must be present).
 */
export function matchesTable<Entry>(
  lines: readonly string[],
  accepted: readonly MapTableHeader[],
  listHeader: string,
  shape: RowShape<Entry>,
): boolean {
  const content = firstContentLines(lines, 6);
  const first = content[0];
  if (first === undefined) return false;
  const header = headerOf(first, listHeader);
  if (!accepted.includes(header)) return false;
  const rows = header === "none" ? content : content.slice(1);
  return rows.length > 0 && rows.every((row) => shape.parseRow(row.trim()) !== undefined);
}

export function parseTable<Entry>(
  source: DumpSource,
  options: ParseOptions,
  listHeader: string,
  shape: RowShape<Entry>,
): { header: MapTableHeader; entries: Entry[] } {
  let header: MapTableHeader | undefined;
  const entries: Entry[] = [];
  source.lines.forEach((line, index) => {
    const text = line.trim();
    if (text === "") return;
    // Only `map get` says so (and prints no header then).
    if (header === undefined && /^Cache is (empty|disabled)$/.test(text)) {
      header = "map-get";
      return;
    }
    if (header === undefined) {
      header = headerOf(text, listHeader);
      if (header !== "none") return;
    }
    if (/^Cache is (empty|disabled)$/.test(text)) return;
    const entry = shape.parseRow(text);
    if (entry === undefined) rejectLine(options, locate(source, index), shape.expected, line);
    else entries.push(entry);
  });
  return { header: header ?? "none", entries };
}

/** Prints rows under the header the dump came with. */
export function printTable(
  header: MapTableHeader,
  listTitles: readonly [string, string],
  rows: readonly (readonly [string, string])[],
): string {
  if (header === "map-get") {
    if (rows.length === 0) return "Cache is empty\n\n";
    return renderTable(
      [["Key", "Value", "State", "Error"], ...rows.map(([key, value]) => [key, value, "", ""])],
      { padLastCell: false },
    );
  }
  const table = rows.map(([key, value]) => [key, value]);
  return renderTable(header === "bpf-lb-list" ? [[...listTitles], ...table] : table, {
    padLastCell: true,
  });
}

/** One dump of a raw LB map: its rows, and the header it came with (printed back the same way). */
export interface MapTableDump<Entry> {
  readonly header: MapTableHeader;
  readonly entries: readonly Entry[];
}

/** What every command printing one raw LB map shares: its rows, and how an entry prints. */
export interface MapTable<Entry> {
  /** The TablePrinter titles of the `bpf lb list` view. */
  readonly listTitles: readonly [string, string];
  readonly row: RowShape<Entry>;
  /** The key and value cells an entry prints as. */
  readonly cells: (entry: Entry) => [string, string];
}

/**
 * The format of one command that prints a raw LB map as `<key> <value>` rows: `map get <name>`
 * (headers `["map-get", "none"]`) or `bpf lb list --<view>` (`["bpf-lb-list"]`).
 */
export function mapTableFormat<Entry>(
  kind: string,
  command: string,
  headers: readonly MapTableHeader[],
  table: MapTable<Entry>,
): DumpFormat<MapTableDump<Entry>> {
  const listHeader = table.listTitles.join(" ");
  return {
    kind,
    command,
    matches: (lines) => matchesTable(lines, headers, listHeader, table.row),
    parse: (source, options) => parseTable(source, options, listHeader, table.row),
    print: (dump) => printTable(dump.header, table.listTitles, dump.entries.map(table.cells)),
  };
}

/** What may follow a `map get` value: the State column (one word) and the Error text. */
export const STATE_SUFFIX = String.raw`(?:\s+[a-z][a-z-]*(?:\s+.*)?)?`;
