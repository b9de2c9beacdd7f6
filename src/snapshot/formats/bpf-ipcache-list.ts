// `cilium-dbg bpf ipcache list`: TablePrinter("IP PREFIX/ADDRESS", "IDENTITY") over the BPF ipcache,
// one `<prefix>  identity=... encryptkey=... tunnelendpoint=... flags=...` row per entry, map order.
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
  type IpcacheKey,
} from "./ipcache-text.js";

const HEADER = "IP PREFIX/ADDRESS IDENTITY";

function parse(source: DumpSource, options: ParseOptions): IpcacheEntry[] {
  const entries: IpcacheEntry[] = [];
  let previousKey: IpcacheKey | undefined;
  for (const line of contentLines(source)) {
    if (isHeader(line.words, HEADER)) continue;
    // TablePrinter prints further values of the same key with an empty key cell (its indentation may
    // be lost in a paste; a row starting with `identity=` can only be such a row).
    const key = parseIpcacheKey(line.words[0] ?? "");
    const continuation = key === undefined && previousKey !== undefined;
    const valueWords = key !== undefined ? line.words.slice(1) : continuation ? line.words : [];
    const value = parseIpcacheValue(valueWords);
    const rowKey = key ?? (continuation ? previousKey : undefined);
    if (rowKey === undefined || value === undefined || value.used !== valueWords.length) {
      rejectLine(options, line.location, IPCACHE_ROW_EXPECTED, line.text);
      continue;
    }
    previousKey = rowKey;
    entries.push({ ...rowKey, ...value.value });
  }
  return entries;
}

function print(entries: readonly IpcacheEntry[]): string {
  let text = "IP PREFIX/ADDRESS\tIDENTITY\t\n";
  let previous: string | undefined;
  for (const entry of entries) {
    const key = formatIpcacheKey(entry);
    text += `${key === previous ? "" : key}\t${formatIpcacheValue(entry)}\t\n`;
    previous = key;
  }
  return tabwrite(text);
}

export const bpfIpcacheListFormat: DumpFormat<readonly IpcacheEntry[]> = {
  kind: "bpf-ipcache-list",
  command: "cilium-dbg bpf ipcache list",
  matches(lines) {
    const [first] = firstContentWords(lines, 1);
    return first !== undefined && (isHeader(first, HEADER) || isIpcacheRow(first));
  },
  parse,
  print,
};
