// `cilium-dbg map list`: Go tabwriter table `Name  Num entries  Num errors  Cache enabled`, one row per
// map the agent has open. Newer agents print `unknown` entries for maps without a userspace cache.
import type { MapListEntry } from "../../model/map-list.js";
import type { DumpFormat } from "../dump-format.js";
import type { DumpSource } from "../dump-source.js";
import { rejectLine, type ParseOptions } from "../errors.js";
import { parseDecimal } from "./address-text.js";
import { contentLines, firstContentWords, isHeader } from "./dump-lines.js";
import { tabwrite } from "../text/tabwriter.js";

const HEADER = "Name Num entries Num errors Cache enabled";
const MAX_COUNT = Number.MAX_SAFE_INTEGER;

/** A map name as the agent pins it (path.Base of the pin path). */
export function isMapName(text: string): boolean {
  return /^[A-Za-z0-9_.-]+$/.test(text);
}

function parse(source: DumpSource, options: ParseOptions): MapListEntry[] {
  const entries: MapListEntry[] = [];
  for (const line of contentLines(source)) {
    if (isHeader(line.words, HEADER)) continue;
    const [name = "", entriesText = "", errorsText = "", cacheText = ""] = line.words;
    const count = entriesText === "unknown" ? null : parseDecimal(entriesText, MAX_COUNT);
    const errors = parseDecimal(errorsText, MAX_COUNT);
    if (
      line.words.length !== 4 ||
      !isMapName(name) ||
      count === undefined ||
      errors === undefined ||
      (cacheText !== "true" && cacheText !== "false")
    ) {
      rejectLine(
        options,
        line.location,
        "a map row `<name> <entries|unknown> <errors> <true|false>`",
        line.text,
      );
      continue;
    }
    entries.push({ name, entries: count, errors, cacheEnabled: cacheText === "true" });
  }
  return entries;
}

function print(entries: readonly MapListEntry[]): string {
  let text = "Name\tNum entries\tNum errors\tCache enabled\n";
  for (const entry of entries) {
    text += `${entry.name}\t${entry.entries ?? "unknown"}\t${entry.errors}\t${entry.cacheEnabled}\n`;
  }
  return tabwrite(text);
}

export const mapListFormat: DumpFormat<readonly MapListEntry[]> = {
  kind: "map-list",
  command: "cilium-dbg map list",
  matches(lines) {
    const [first] = firstContentWords(lines, 1);
    return first !== undefined && isHeader(first, HEADER);
  },
  parse,
  print,
};
