// `cilium-dbg bpf ipmasq list`: TablePrinter("IP PREFIX/ADDRESS", "") over the ip-masq-agent map, one
// CIDR per line (IPv4 and, on newer agents, IPv6).
import type { IpmasqEntry } from "../../model/ipmasq.js";
import { formatPrefix } from "../../model/ip-prefix.js";
import type { DumpFormat } from "../dump-format.js";
import type { DumpSource } from "../dump-source.js";
import { rejectLine, type ParseOptions } from "../errors.js";
import { parsePrefix } from "./address-text.js";
import { contentLines, firstContentWords, isHeader } from "./dump-lines.js";
import { tabwrite } from "../text/tabwriter.js";

const HEADER = "IP PREFIX/ADDRESS";

function parse(source: DumpSource, options: ParseOptions): IpmasqEntry[] {
  const entries: IpmasqEntry[] = [];
  for (const line of contentLines(source)) {
    if (isHeader(line.words, HEADER)) continue;
    const prefix = line.words.length === 1 ? parsePrefix(line.words[0] ?? "") : undefined;
    if (prefix === undefined) {
      rejectLine(options, line.location, "one CIDR `<address>/<length>` per line", line.text);
      continue;
    }
    entries.push({ prefix });
  }
  return entries;
}

function print(entries: readonly IpmasqEntry[]): string {
  return tabwrite(`${HEADER}\t\t\n${entries.map((entry) => `${formatPrefix(entry.prefix)}\t\t\n`).join("")}`);
}

export const bpfIpmasqListFormat: DumpFormat<readonly IpmasqEntry[]> = {
  kind: "bpf-ipmasq-list",
  command: "cilium-dbg bpf ipmasq list",
  matches(lines) {
    const [header, row] = firstContentWords(lines, 2);
    return (
      header !== undefined &&
      isHeader(header, HEADER) &&
      (row === undefined || (row.length === 1 && parsePrefix(row[0] ?? "") !== undefined))
    );
  },
  parse,
  print,
};
