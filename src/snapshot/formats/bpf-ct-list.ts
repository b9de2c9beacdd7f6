// `cilium-dbg bpf ct list global`: one line per conntrack entry, no header, `<key> <value>`:
//   key   `<PROTO> <IN|OUT|SVC> <addr>:<port> -> <addr>:<port> [related]`, before v1.15 SVC entries as
//         `<PROTO> OUT <frontend> -> <client> [related] service`
//   value `expires=<n>[ (remaining: <n> sec(s))]` then the fields of one of the CtValueLayouts, with
//         `Flags=0x<hhhh> [ <names> ]`; every line ends with a blank.
// Sources: pkg/maps/ctmap/types.go (Dump, StringWithTimeDiff) across releases.
import { CT_FLAG_BITS, type CtEntry, type CtValueLayout } from "../../model/ct.js";
import type { DumpFormat } from "../dump-format.js";
import type { DumpSource } from "../dump-source.js";
import { rejectLine, type ParseOptions } from "../errors.js";
import {
  formatAddressPort,
  parseAddressPort,
  parseDecimal,
  parseHex,
  parseSignedDecimal,
  parseU64,
} from "./address-text.js";
import { contentLines, firstContentWords } from "./dump-lines.js";
import { protocolNumber } from "./ip-protocol.js";
import { withU64Json } from "../../model/u64-json.js";

// Field names after `expires=` in each layout; `Flags` stands for `Flags=0x.. [ names ]`.
const SPLIT_COUNTERS = ["RxPackets", "RxBytes", "RxFlagsSeen", "LastRxReport", "TxPackets", "TxBytes"];
const SPLIT_HEAD = [...SPLIT_COUNTERS, "TxFlagsSeen", "LastTxReport", "Flags", "RevNAT"];
const TOTAL_HEAD = [
  "Packets",
  "Bytes",
  "RxFlagsSeen",
  "LastRxReport",
  "TxFlagsSeen",
  "LastTxReport",
  "Flags",
];
const TOTAL_TAIL = ["RevNAT", "SourceSecurityID", "BackendID"];
const LAYOUT_FIELDS: Readonly<Record<CtValueLayout, readonly string[]>> = {
  slave: [...SPLIT_HEAD, "Slave", "SourceSecurityID"],
  split: [...SPLIT_HEAD, "SourceSecurityID"],
  "split-ifindex": [...SPLIT_HEAD, "SourceSecurityID", "IfIndex"],
  "backend-id": [...TOTAL_HEAD, ...TOTAL_TAIL],
  "backend-id-natport": [...TOTAL_HEAD, ...TOTAL_TAIL, "NatPort"],
};

type FieldKind = "u64" | "u32" | "u16" | "hex8";
const FIELD_KINDS: ReadonlyMap<string, FieldKind> = new Map<string, FieldKind>([
  ...["RxPackets", "RxBytes", "TxPackets", "TxBytes", "Packets", "Bytes", "BackendID"].map(
    (name) => [name, "u64"] as const,
  ),
  ...["LastRxReport", "LastTxReport", "SourceSecurityID"].map((name) => [name, "u32"] as const),
  ...["RevNAT", "Slave", "IfIndex", "NatPort"].map((name) => [name, "u16"] as const),
  ...["RxFlagsSeen", "TxFlagsSeen"].map((name) => [name, "hex8"] as const),
]);

const EXPECTED =
  "a ct entry `<PROTO> <IN|OUT|SVC> <addr>:<port> -> <addr>:<port> expires=<n> ... Flags=0x<hex> [ ... ] RevNAT=<n> SourceSecurityID=<n> ...`";

type Problem = string;

/** Flag bits named by a printed flag list, or a problem when the names are unknown or repeated. */
function flagBitsFromNames(names: readonly string[]): number | Problem {
  let bits = 0;
  for (const name of names) {
    const bit = name.startsWith("Unknown=")
      ? parseHex(name.slice("Unknown=".length), 0xffff)
      : CT_FLAG_BITS.find(([known]) => known === name)?.[1];
    if (bit === undefined) return `a known CT flag name (got ${JSON.stringify(name)})`;
    if ((bits & bit) !== 0) return `each CT flag once (got ${JSON.stringify(name)} again)`;
    bits |= bit;
  }
  return bits;
}

/** Names the newest agents print for flag bits (bits without a name go into `Unknown=0x....`). */
export function ctFlagNames(flags: number): string[] {
  const names: string[] = [];
  let known = 0;
  for (const [name, bit] of CT_FLAG_BITS) {
    if (name === "DSR" || (known & bit) !== 0) continue;
    known |= bit;
    if ((flags & bit) !== 0) names.push(name);
  }
  const unknown = flags & ~known & 0xffff;
  if (unknown !== 0) names.push(`Unknown=0x${unknown.toString(16).padStart(4, "0")}`);
  return names;
}

interface ParsedValue {
  readonly layout: CtValueLayout;
  readonly numbers: ReadonlyMap<string, number>;
  readonly counters: ReadonlyMap<string, bigint>;
  readonly flags: number;
  readonly flagNames: readonly string[] | null;
}

/** The fields after expires: `Name=value` words and the bracketed flag-name list after Flags=. */
function parseValueFields(words: readonly string[]): ParsedValue | Problem {
  const names: string[] = [];
  const numbers = new Map<string, number>();
  const counters = new Map<string, bigint>();
  let flags: number | undefined;
  let flagNames: string[] | null = null;
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? "";
    const eq = word.indexOf("=");
    if (eq <= 0) return `a Name=value field (got ${JSON.stringify(word)})`;
    const name = word.slice(0, eq);
    const text = word.slice(eq + 1);
    names.push(name);
    if (name === "Flags") {
      flags = parseHex(text, 0xffff);
      if (flags === undefined) return `Flags=0x<hex u16> (got ${JSON.stringify(word)})`;
      if (words[i + 1] === "[") {
        const close = words.indexOf("]", i + 2);
        if (close < 0) return "a flag list closed by `]`";
        flagNames = words.slice(i + 2, close);
        i = close;
      }
      continue;
    }
    const kind = FIELD_KINDS.get(name);
    if (kind === undefined) return `a known ct value field (got ${JSON.stringify(word)})`;
    if (kind === "u64") {
      const value = parseU64(text);
      if (value === undefined) return `${name}=<u64> (got ${JSON.stringify(word)})`;
      counters.set(name, value);
      continue;
    }
    const value =
      kind === "hex8" ? parseHex(text, 0xff) : parseDecimal(text, kind === "u32" ? 0xffffffff : 0xffff);
    if (value === undefined) return `${name}=<${kind}> (got ${JSON.stringify(word)})`;
    numbers.set(name, value);
  }
  const layout = (Object.keys(LAYOUT_FIELDS) as CtValueLayout[]).find((candidate) => {
    const fields = LAYOUT_FIELDS[candidate];
    return fields.length === names.length && fields.every((field, index) => field === names[index]);
  });
  if (layout === undefined) return `the fields of a known ct value layout (got ${names.join(" ")})`;
  if (flags === undefined || (layout === "slave") !== (flagNames === null)) {
    return layout === "slave" ? "no flag list in this layout" : "a flag list `[ ... ]` after Flags=";
  }
  if (flagNames !== null) {
    const bits = flagBitsFromNames(flagNames);
    if (typeof bits === "string") return bits;
    if (bits !== flags) return `flag names that agree with Flags=0x${flags.toString(16).padStart(4, "0")}`;
  }
  return { layout, numbers, counters, flags, flagNames };
}

/** Parses one ct line; a string says what was expected instead. */
export function parseCtLine(words: readonly string[]): CtEntry | Problem {
  const [protocol = "", direction = "", first = "", arrow = "", second = ""] = words;
  const nexthdr = protocolNumber(protocol);
  const a = parseAddressPort(first);
  const b = parseAddressPort(second);
  if (nexthdr === undefined || !["IN", "OUT", "SVC"].includes(direction) || arrow !== "->") return EXPECTED;
  if (a === undefined || b === undefined)
    return `valid <addr>:<port> endpoints (got ${JSON.stringify(`${first} -> ${second}`)})`;
  if (a.family !== b.family || a.bracketed !== b.bracketed) return "two endpoints of the same address family";
  let i = 5;
  const related = words[i] === "related";
  if (related) i++;
  const legacyServiceKey = words[i] === "service";
  if (legacyServiceKey) {
    if (direction !== "OUT") return "`service` only after an OUT tuple";
    i++;
  }
  const expiresWord = words[i] ?? "";
  const expires = expiresWord.startsWith("expires=")
    ? parseDecimal(expiresWord.slice("expires=".length), 0xffffffff)
    : undefined;
  if (expires === undefined) return `expires=<n> after the tuple (got ${JSON.stringify(expiresWord)})`;
  i++;
  let remainingSeconds: number | null = null;
  if (words[i] === "(remaining:") {
    const remaining = parseSignedDecimal(words[i + 1] ?? "", -(2 ** 40), 2 ** 40);
    if (remaining === undefined || words[i + 2] !== "sec(s))") return "`(remaining: <n> sec(s))`";
    remainingSeconds = remaining;
    i += 3;
  }
  const value = parseValueFields(words.slice(i));
  if (typeof value === "string") return value;
  const number = (name: string): number => value.numbers.get(name) ?? 0;
  const counter = (name: string): bigint => value.counters.get(name) ?? 0n;
  const svc = direction === "SVC" || legacyServiceKey;
  const split = value.layout === "slave" || value.layout === "split" || value.layout === "split-ifindex";
  return withU64Json<CtEntry>({
    protocol,
    nexthdr,
    family: a.family,
    direction: svc ? "SVC" : (direction as "IN" | "OUT"),
    related,
    // Old agents printed SVC entries reversed: frontend first, client second.
    source: legacyServiceKey ? { address: b.address, port: b.port } : { address: a.address, port: a.port },
    destination: legacyServiceKey
      ? { address: a.address, port: a.port }
      : { address: b.address, port: b.port },
    expires,
    remainingSeconds,
    layout: value.layout,
    rxPackets: counter("RxPackets"),
    rxBytes: counter("RxBytes"),
    txPackets: counter("TxPackets"),
    txBytes: counter("TxBytes"),
    packets: counter("Packets"),
    bytes: counter("Bytes"),
    rxFlagsSeen: number("RxFlagsSeen"),
    txFlagsSeen: number("TxFlagsSeen"),
    lastRxReport: number("LastRxReport"),
    lastTxReport: number("LastTxReport"),
    flags: value.flags,
    flagNames: value.flagNames,
    revNat: number("RevNAT"),
    sourceSecurityId: number("SourceSecurityID"),
    ifIndex: number(value.layout === "slave" ? "Slave" : "IfIndex"),
    backendId: split ? (svc ? counter("RxBytes") : 0n) : counter("BackendID"),
    natPort: number("NatPort"),
    legacyServiceKey,
    ipv6Brackets: a.bracketed,
  });
}

function parse(source: DumpSource, options: ParseOptions): CtEntry[] {
  const entries: CtEntry[] = [];
  for (const line of contentLines(source)) {
    const entry = parseCtLine(line.words);
    if (typeof entry === "string") {
      rejectLine(options, line.location, entry, line.text);
      continue;
    }
    entries.push(entry);
  }
  return entries;
}

const hex2 = (value: number): string => `0x${value.toString(16).padStart(2, "0")}`;
const hex4 = (value: number): string => `0x${value.toString(16).padStart(4, "0")}`;

function formatKey(entry: CtEntry): string {
  const source = formatAddressPort(entry.source, entry.family, entry.ipv6Brackets);
  const destination = formatAddressPort(entry.destination, entry.family, entry.ipv6Brackets);
  const related = entry.related ? "related " : "";
  if (entry.direction === "SVC" && entry.legacyServiceKey) {
    return `${entry.protocol} OUT ${destination} -> ${source} ${related}service `;
  }
  return `${entry.protocol} ${entry.direction} ${source} -> ${destination} ${related}`;
}

function formatValue(entry: CtEntry): string {
  const remaining = entry.remainingSeconds === null ? "" : ` (remaining: ${entry.remainingSeconds} sec(s))`;
  const names = entry.flagNames ?? ctFlagNames(entry.flags);
  const flags =
    entry.layout === "slave"
      ? `Flags=${hex4(entry.flags)}`
      : `Flags=${hex4(entry.flags)} [ ${names.map((n) => `${n} `).join("")}]`;
  const rx = `RxFlagsSeen=${hex2(entry.rxFlagsSeen)} LastRxReport=${entry.lastRxReport}`;
  const tx = `TxFlagsSeen=${hex2(entry.txFlagsSeen)} LastTxReport=${entry.lastTxReport}`;
  const head = `expires=${entry.expires}${remaining}`;
  switch (entry.layout) {
    case "slave":
      return (
        `${head} RxPackets=${entry.rxPackets} RxBytes=${entry.rxBytes} ${rx} TxPackets=${entry.txPackets} ` +
        `TxBytes=${entry.txBytes} ${tx} ${flags} RevNAT=${entry.revNat} Slave=${entry.ifIndex} ` +
        `SourceSecurityID=${entry.sourceSecurityId} `
      );
    case "split":
    case "split-ifindex":
      return (
        `${head} RxPackets=${entry.rxPackets} RxBytes=${entry.rxBytes} ${rx} TxPackets=${entry.txPackets} ` +
        `TxBytes=${entry.txBytes} ${tx} ${flags} RevNAT=${entry.revNat} SourceSecurityID=${entry.sourceSecurityId} ` +
        (entry.layout === "split-ifindex" ? `IfIndex=${entry.ifIndex} ` : "")
      );
    case "backend-id":
    case "backend-id-natport":
      return (
        `${head} Packets=${entry.packets} Bytes=${entry.bytes} ${rx} ${tx} ${flags} RevNAT=${entry.revNat} ` +
        `SourceSecurityID=${entry.sourceSecurityId} BackendID=${entry.backendId} ` +
        (entry.layout === "backend-id-natport" ? `NatPort=${entry.natPort} ` : "")
      );
  }
}

function print(entries: readonly CtEntry[]): string {
  return entries.map((entry) => `${formatKey(entry)}${formatValue(entry)}\n`).join("");
}

export const bpfCtListFormat: DumpFormat<readonly CtEntry[]> = {
  kind: "bpf-ct-list",
  command: "cilium-dbg bpf ct list global",
  matches(lines) {
    // By shape, so that a damaged first entry still selects this parser and gets a precise error.
    const [first] = firstContentWords(lines, 1);
    return (
      first !== undefined &&
      ["IN", "OUT", "SVC"].includes(first[1] ?? "") &&
      first[3] === "->" &&
      first.some((word) => word.startsWith("expires=")) &&
      !first.some((word) => word.startsWith("XLATE_"))
    );
  },
  parse,
  print,
};
