// `cilium-dbg map list --verbose`: for every open map `## Map: <name>`, then the map's cache as
// `map get` prints it (a `Key  Value  State  Error` table, `Cache is empty` or `Cache is disabled`),
// then a blank line. Keys and values are Go String() forms that may contain single blanks
// (`10.96.0.10:53/UDP (0)`), so cells are cut at the header's column positions; when a paste collapsed
// the whitespace that is impossible in general, and only ipcache rows (whose grammar is known) are
// still read.
import type { MapCacheRow, MapListEntry } from "../../model/map-list.js";
import type { DumpFormat } from "../dump-format.js";
import type { DumpSource } from "../dump-source.js";
import { rejectLine, type ParseOptions } from "../errors.js";
import { contentLines, firstContentWords, isHeader, type ContentLine } from "./dump-lines.js";
import { tabwrite } from "../text/tabwriter.js";
import { formatIpcacheKey, formatIpcacheValue } from "./ipcache-text.js";
import { MAP_GET_HEADER, isCacheNotice, parseIpcacheMapRow } from "./map-get-ipcache.js";
import { isMapName } from "./map-list.js";

const MAP_LINE = /^## Map: (\S+)$/;

interface Columns {
  readonly value: number;
  readonly state: number;
  readonly error: number;
}

function headerColumns(text: string): Columns | undefined {
  const match = /^Key(\s+)Value(\s+)State(\s+)Error$/.exec(text);
  if (match === null) return undefined;
  const value = 3 + (match[1]?.length ?? 0);
  const state = value + 5 + (match[2]?.length ?? 0);
  return { value, state, error: state + 5 + (match[3]?.length ?? 0) };
}

/**
 * Cuts a row at the header's columns. Tabwriter pads every cell by at least 3 blanks, so a row that
 * lacks those blanks before a column start had its whitespace collapsed and cannot be cut.
 */
function cutRow(text: string, columns: Columns | undefined): MapCacheRow | undefined {
  if (columns === undefined) return undefined;
  const starts = [0, columns.value, columns.state, columns.error];
  for (const start of starts.slice(1)) {
    if (text.length > start && text.slice(start - 3, start) !== "   ") return undefined;
  }
  const [key = "", value = "", state = "", error = ""] = starts.map((start, index) =>
    text.slice(start, starts[index + 1] ?? text.length).trim(),
  );
  return key === "" ? undefined : { key, value, state, error };
}

/** A row of a map whose whitespace was collapsed; only ipcache rows can still be split. */
function typedRow(mapName: string, line: ContentLine): MapCacheRow | undefined {
  if (!mapName.startsWith("cilium_ipcache")) return undefined;
  const entry = parseIpcacheMapRow(line.words);
  if (entry === undefined) return undefined;
  return {
    key: formatIpcacheKey(entry),
    value: formatIpcacheValue(entry),
    state: entry.cache?.state ?? "",
    error: entry.cache?.error ?? "",
  };
}

interface Section {
  name: string;
  rows: MapCacheRow[];
  cache: "rows" | "empty" | "disabled";
  columns: Columns | undefined;
}

function parse(source: DumpSource, options: ParseOptions): MapListEntry[] {
  const sections: Section[] = [];
  for (const line of contentLines(source)) {
    const map = MAP_LINE.exec(line.text.trim());
    if (map !== null && isMapName(map[1] ?? "")) {
      sections.push({ name: map[1] ?? "", rows: [], cache: "rows", columns: undefined });
      continue;
    }
    const section = sections[sections.length - 1];
    if (section === undefined) {
      rejectLine(options, line.location, "`## Map: <name>` before the map's entries", line.text);
      continue;
    }
    if (isCacheNotice(line.words)) {
      section.cache = line.words[2] === "empty" ? "empty" : "disabled";
      continue;
    }
    if (isHeader(line.words, MAP_GET_HEADER)) {
      section.columns = headerColumns(line.text.trim());
      continue;
    }
    const row = cutRow(line.text, section.columns) ?? typedRow(section.name, line);
    if (row === undefined || section.cache !== "rows") {
      rejectLine(
        options,
        line.location,
        `a \`Key  Value  State  Error\` row of ${section.name} with columns separated by blanks as the header's`,
        line.text,
      );
      continue;
    }
    section.rows.push(row);
  }
  return sections.map((section) => ({
    name: section.name,
    entries: section.cache === "disabled" ? null : section.rows.length,
    errors: section.rows.filter((row) => row.error !== "").length,
    cacheEnabled: section.cache !== "disabled",
    rows: section.rows,
  }));
}

function printSection(entry: MapListEntry): string {
  const rows = entry.rows ?? [];
  if (!entry.cacheEnabled) return "Cache is disabled\n\n";
  if (rows.length === 0) return "Cache is empty\n\n";
  const table = rows.map((row) => `${row.key}\t${row.value}\t${row.state}\t${row.error}\n`).join("");
  return tabwrite(`Key\tValue\tState\tError\n${table}`);
}

function print(entries: readonly MapListEntry[]): string {
  return entries.map((entry) => `## Map: ${entry.name}\n${printSection(entry)}\n`).join("");
}

export const mapListVerboseFormat: DumpFormat<readonly MapListEntry[]> = {
  kind: "map-list-verbose",
  command: "cilium-dbg map list --verbose",
  matches(lines) {
    const [first] = firstContentWords(lines, 1);
    return first !== undefined && first[0] === "##" && first[1] === "Map:" && first.length === 3;
  },
  parse,
  print,
};
