// `cilium-dbg map get cilium_ipcache_v2` (and the older `cilium_ipcache`): the agent's view of the
// ipcache map through its REST API. Go tabwriter table `Key  Value  State  Error`; Key and Value are
// the same Go String() forms `bpf ipcache list` prints; State is the cache sync state (empty when the
// agent dumped the map directly), Error the last sync error.
import type { IpcacheEntry } from "../../model/ipcache.js";
import type { DumpFormat } from "../dump-format.js";
import type { DumpSource } from "../dump-source.js";
import { rejectLine, type ParseOptions } from "../errors.js";
import { contentLines, firstContentWords, isHeader } from "./dump-lines.js";
import { tabwrite } from "../text/tabwriter.js";
import {
  IPCACHE_ROW_EXPECTED,
  formatIpcacheKey,
  formatIpcacheValue,
  isIpcacheRow,
  parseIpcacheKey,
  parseIpcacheValue,
} from "./ipcache-text.js";

export const MAP_GET_HEADER = "Key Value State Error";

/** Cache states the agent prints (bpf.DesiredAction.String()). */
export const MAP_CACHE_STATES: ReadonlySet<string> = new Set([
  "sync",
  "to-be-inserted",
  "to-be-deleted",
  "unknown",
]);

/**
 * One `map get` row of an ipcache map, from its words: key, value, then optional state and error.
 * Undefined when the row is not an ipcache row.
 */
export function parseIpcacheMapRow(words: readonly string[]): IpcacheEntry | undefined {
  const key = parseIpcacheKey(words[0] ?? "");
  const value = parseIpcacheValue(words.slice(1));
  if (key === undefined || value === undefined) return undefined;
  const rest = words.slice(1 + value.used);
  const state = rest[0] !== undefined && MAP_CACHE_STATES.has(rest[0]) ? rest[0] : "";
  const error = rest.slice(state === "" ? 0 : 1).join(" ");
  return { ...key, ...value.value, cache: { state, error } };
}

/** `Cache is empty` / `Cache is disabled`. */
export function isCacheNotice(words: readonly string[]): boolean {
  return isHeader(words, "Cache is empty") || isHeader(words, "Cache is disabled");
}

function parse(source: DumpSource, options: ParseOptions): IpcacheEntry[] {
  const entries: IpcacheEntry[] = [];
  for (const line of contentLines(source)) {
    // The agent prints these instead of a table when the map has no (cached) entries.
    if (isHeader(line.words, MAP_GET_HEADER) || isCacheNotice(line.words)) continue;
    const entry = parseIpcacheMapRow(line.words);
    if (entry === undefined) {
      rejectLine(options, line.location, `${IPCACHE_ROW_EXPECTED} followed by State and Error`, line.text);
      continue;
    }
    entries.push(entry);
  }
  return entries;
}

function print(entries: readonly IpcacheEntry[]): string {
  if (entries.length === 0) return "Cache is empty\n\n";
  let text = "Key\tValue\tState\tError\n";
  for (const entry of entries) {
    const state = entry.cache?.state ?? "";
    const error = entry.cache?.error ?? "";
    text += `${formatIpcacheKey(entry)}\t${formatIpcacheValue(entry)}\t${state}\t${error}\n`;
  }
  return tabwrite(text);
}

export const mapGetIpcacheFormat: DumpFormat<readonly IpcacheEntry[]> = {
  kind: "map-get-ipcache",
  command: "cilium-dbg map get cilium_ipcache_v2 (or cilium_ipcache)",
  matches(lines) {
    const [header, row] = firstContentWords(lines, 2);
    return header !== undefined && row !== undefined && isHeader(header, MAP_GET_HEADER) && isIpcacheRow(row);
  },
  parse,
  print,
};
