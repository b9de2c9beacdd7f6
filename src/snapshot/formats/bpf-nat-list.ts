// `cilium-dbg bpf nat list`: one line per SNAT entry, no header. The key is the tuple in packet layout,
// the value the translation (pkg/maps/nat NatEntry4/6.Dump):
//   `<PROTO> <OUT|IN> <saddr>:<sport> -> <daddr>:<dport> [related] XLATE_<SRC|DST> <addr>:<port> Created=<n>sec[ ago] NeedsCT=<n>`
// v1.8-era agents printed `Created=<n>sec HostLocal=<n>`.
import type { NatEntry, NatValueLayout } from "../../model/nat.js";
import type { DumpFormat } from "../dump-format.js";
import type { DumpSource } from "../dump-source.js";
import { rejectLine, type ParseOptions } from "../errors.js";
import { formatAddressPort, parseAddressPort, parseDecimal } from "./address-text.js";
import { contentLines, firstContentWords } from "./dump-lines.js";
import { protocolNumber } from "./ip-protocol.js";

const EXPECTED =
  "a nat entry `<PROTO> <OUT|IN> <addr>:<port> -> <addr>:<port> XLATE_<SRC|DST> <addr>:<port> Created=<n>sec [ago] NeedsCT=<n>`";

/** Parses one nat line; a string says what was expected instead. */
export function parseNatLine(words: readonly string[]): NatEntry | string {
  const [protocol = "", direction = "", first = "", arrow = "", second = ""] = words;
  const nexthdr = protocolNumber(protocol);
  if (nexthdr === undefined || (direction !== "IN" && direction !== "OUT") || arrow !== "->") return EXPECTED;
  const source = parseAddressPort(first);
  const destination = parseAddressPort(second);
  if (source === undefined || destination === undefined) {
    return `valid <addr>:<port> endpoints (got ${JSON.stringify(`${first} -> ${second}`)})`;
  }
  let i = 5;
  const related = words[i] === "related";
  if (related) i++;
  // The value's XLATE kind follows from the tuple direction (TUPLE_F_IN -> DST), so they must agree.
  const xlate = direction === "OUT" ? "XLATE_SRC" : "XLATE_DST";
  if (words[i] !== xlate)
    return `${xlate} after an ${direction} tuple (got ${JSON.stringify(words[i] ?? "")})`;
  const translated = parseAddressPort(words[i + 1] ?? "");
  if (translated === undefined) return `the translated <addr>:<port> after ${xlate}`;
  const families = new Set([source.family, destination.family, translated.family]);
  const brackets = new Set([source.bracketed, destination.bracketed, translated.bracketed]);
  if (families.size !== 1 || brackets.size !== 1) return "addresses of one family, printed alike";
  i += 2;
  const created = /^Created=(\d+)sec$/.exec(words[i] ?? "");
  const createdSecondsAgo =
    created === null ? undefined : parseDecimal(created[1] ?? "", Number.MAX_SAFE_INTEGER);
  if (createdSecondsAgo === undefined) return `Created=<n>sec (got ${JSON.stringify(words[i] ?? "")})`;
  i++;
  const ago = words[i] === "ago";
  if (ago) i++;
  const last = /^(NeedsCT|HostLocal)=(\d+)$/.exec(words[i] ?? "");
  const needsCt = last === null ? undefined : parseDecimal(last[2] ?? "", Number.MAX_SAFE_INTEGER);
  if (last === null || needsCt === undefined || i !== words.length - 1) {
    return `NeedsCT=<n> (or HostLocal=<n>) ending the entry (got ${JSON.stringify(words.slice(i).join(" "))})`;
  }
  let layout: NatValueLayout;
  if (last[1] === "HostLocal") {
    if (ago) return "`Created=<n>sec HostLocal=<n>` (no `ago` in this format)";
    layout = "host-local";
  } else layout = ago ? "needs-ct-ago" : "needs-ct";
  return {
    protocol,
    nexthdr,
    family: source.family,
    direction,
    related,
    source: { address: source.address, port: source.port },
    destination: { address: destination.address, port: destination.port },
    translated: { address: translated.address, port: translated.port },
    createdSecondsAgo,
    needsCt,
    layout,
    ipv6Brackets: source.bracketed,
  };
}

function parse(source: DumpSource, options: ParseOptions): NatEntry[] {
  const entries: NatEntry[] = [];
  for (const line of contentLines(source)) {
    const entry = parseNatLine(line.words);
    if (typeof entry === "string") {
      rejectLine(options, line.location, entry, line.text);
      continue;
    }
    entries.push(entry);
  }
  return entries;
}

function formatEntry(entry: NatEntry): string {
  const address = (value: NatEntry["source"]): string =>
    formatAddressPort(value, entry.family, entry.ipv6Brackets);
  const xlate = entry.direction === "OUT" ? "XLATE_SRC" : "XLATE_DST";
  const key = `${entry.protocol} ${entry.direction} ${address(entry.source)} -> ${address(entry.destination)} ${entry.related ? "related " : ""}`;
  const created = `Created=${entry.createdSecondsAgo}sec${entry.layout === "needs-ct-ago" ? " ago" : ""}`;
  const last = entry.layout === "host-local" ? `HostLocal=${entry.needsCt}` : `NeedsCT=${entry.needsCt}`;
  return `${key}${xlate} ${address(entry.translated)} ${created} ${last}`;
}

function print(entries: readonly NatEntry[]): string {
  return entries.map((entry) => `${formatEntry(entry)}\n`).join("");
}

export const bpfNatListFormat: DumpFormat<readonly NatEntry[]> = {
  kind: "bpf-nat-list",
  command: "cilium-dbg bpf nat list",
  matches(lines) {
    // By shape, so that a damaged first entry still selects this parser and gets a precise error.
    const [first] = firstContentWords(lines, 1);
    return (
      first !== undefined &&
      (first[1] === "IN" || first[1] === "OUT") &&
      first[3] === "->" &&
      first.some((word) => word === "XLATE_SRC" || word === "XLATE_DST")
    );
  },
  parse,
  print,
};
