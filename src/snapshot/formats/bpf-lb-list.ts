// `cilium-dbg bpf lb list` (default view). Three generations are read:
// - 1.16+: one key per slot, `<ip>:<port>/<PROTO>[/i] (<slot>)`, backends `<ip>:<port>/<PROTO> (<revnat>) (<slot>)`;
// - up to 1.15: slots grouped under `<ip>:<port>[/i]`, backends `<ip>:<port> (<revnat>) (<slot>)`;
// - up to 1.7: header `BACKEND ADDRESS`, values without slot: `<ip>:<port> (<revnat>)`, `0.0.0.0:0 (<revnat>) [<type>]`.
// The master value is `0.0.0.0:0 (<revnat>) (0) [<flags>]`, plus ` (L7LB Proxy Port: <n>)` for L7 LB.
import type { IpFamily } from "../../model/ip.js";
import type { LbListRow, LbListValue } from "../../model/lb-list-row.js";
import { parseProtocol } from "../../model/protocol.js";
import type { DumpFormat } from "../dump-format.js";
import { rejectLine } from "../errors.js";
import { firstContentLines, locate, squash } from "../text/lines.js";
import { renderTable } from "../text/tabwriter.js";
import {
  ADDRESS,
  FRONTEND,
  frontendFrom,
  parseAddress,
  parsePort,
  parseUint,
  printFrontend,
} from "./lb-text.js";

export type LbListStyle = "per-slot" | "grouped" | "legacy";

export interface LbListDump {
  readonly style: LbListStyle;
  readonly header: boolean;
  readonly rows: readonly LbListRow[];
}

const TITLE = "SERVICE ADDRESS";
const SLOT_TITLE = "BACKEND ADDRESS (REVNAT_ID) (SLOT)";
const LEGACY_TITLE = "BACKEND ADDRESS";

const KEY = new RegExp(String.raw`^${FRONTEND}(?: \((\d+)\))?$`);
const MASTER = new RegExp(
  String.raw`^(?:0\.0\.0\.0|\[::\]):0 \((\d+)\)(?: \((\d+)\))? \[([^\]]*)\](?:\s*\(L7LB Proxy Port: (\d+)\))?$`,
);
const BACKEND = new RegExp(
  String.raw`^${ADDRESS}:(\d{1,5})(?:/([A-Za-z][A-Za-z0-9]*))? \((\d+)\)(?: \((\d+)\))?$`,
);
const MISSING = /^backend (\d+) not found$/;

function parseValue(text: string): LbListValue | undefined {
  let m = MASTER.exec(text);
  if (m) {
    const revNatId = parseUint(m[1] ?? "", 0xffff);
    const slot = m[2] === undefined ? undefined : parseUint(m[2], 0xffff);
    const l7 = m[4] === undefined ? undefined : parsePort(m[4]);
    const names = (m[3] ?? "")
      .split(",")
      .map((n) => n.trim())
      .filter((n) => n !== "");
    if (
      revNatId === undefined ||
      (m[2] !== undefined && slot === undefined) ||
      (m[4] !== undefined && l7 === undefined)
    ) {
      return undefined;
    }
    return { kind: "master", revNatId, slot, flagNames: names, l7ProxyPort: l7 };
  }
  m = BACKEND.exec(text);
  if (m) {
    const address = parseAddress(m[1] ?? "");
    const port = parsePort(m[2] ?? "");
    const protocol = m[3] === undefined ? undefined : parseProtocol(m[3]);
    const revNatId = parseUint(m[4] ?? "", 0xffff);
    const slot = m[5] === undefined ? undefined : parseUint(m[5], 0xffff);
    if (
      address === undefined ||
      port === undefined ||
      (m[3] !== undefined && protocol === undefined) ||
      revNatId === undefined ||
      (m[5] !== undefined && slot === undefined)
    ) {
      return undefined;
    }
    return { kind: "backend", ...address, port, protocol, revNatId, slot };
  }
  m = MISSING.exec(text);
  if (m) {
    const backendId = parseUint(m[1] ?? "", 0xffffffff);
    return backendId === undefined ? undefined : { kind: "missing-backend", backendId };
  }
  return undefined;
}

interface ParsedKey {
  readonly row: Omit<LbListRow, "value">;
  readonly protocolShown: boolean;
}

function parseKey(text: string): ParsedKey | undefined {
  const m = KEY.exec(text);
  if (!m) return undefined;
  const frontend = frontendFrom(m[1] ?? "", m[2] ?? "", m[3], m[4]);
  const keySlot = m[5] === undefined ? undefined : parseUint(m[5], 0xffff);
  if (frontend === undefined || (m[5] !== undefined && keySlot === undefined)) return undefined;
  const { family, ...key } = frontend;
  return { row: { frontend: key, family, keySlot }, protocolShown: m[3] !== undefined };
}

type ParsedLine = { key?: ParsedKey; value: LbListValue };

/** Reads one row: `<key> <value>`, or a value alone (continuation of the previous key). */
function parseLine(line: string): ParsedLine | undefined {
  const text = line.trim();
  if (!/^\s/.test(line)) {
    // The key is one token, optionally followed by ` (<slot>)`; try the longer split first.
    const withSlot = /^(\S+ \(\d+\))\s+(.+)$/.exec(text);
    const plain = /^(\S+)\s+(.+)$/.exec(text);
    for (const split of [withSlot, plain]) {
      if (!split) continue;
      const key = parseKey(split[1] ?? "");
      const value = key && parseValue(split[2] ?? "");
      if (key && value) return { key, value };
    }
  }
  const value = parseValue(text);
  return value ? { value } : undefined;
}

function headerKind(line: string): "slot" | "legacy" | undefined {
  const text = squash(line);
  if (text === `${TITLE} ${SLOT_TITLE}`) return "slot";
  if (text === `${TITLE} ${LEGACY_TITLE}`) return "legacy";
  return undefined;
}

export const bpfLbListFormat: DumpFormat<LbListDump> = {
  kind: "bpf-lb-list",
  command: "cilium-dbg bpf lb list",
  matches(lines) {
    const content = firstContentLines(lines, 6);
    const first = content[0];
    if (first === undefined) return false;
    if (headerKind(first) !== undefined) return true;
    const parsed = content.map(parseLine);
    return parsed[0]?.key !== undefined && parsed.every((p) => p !== undefined);
  },
  parse(source, options) {
    let header: "slot" | "legacy" | undefined;
    let seenContent = false;
    let current: ParsedKey | undefined;
    let protocolShown = false;
    const rows: LbListRow[] = [];
    source.lines.forEach((line, index) => {
      if (line.trim() === "") return;
      if (!seenContent) {
        seenContent = true;
        header = headerKind(line);
        if (header !== undefined) return;
      }
      const parsed = parseLine(line);
      if (parsed?.key) current = parsed.key;
      if (!parsed || current === undefined) {
        rejectLine(
          options,
          locate(source, index),
          "a `bpf lb list` row `<frontend>  <backend> (<revnat>) (<slot>)`",
          line,
        );
        return;
      }
      protocolShown ||= current.protocolShown;
      rows.push({ ...current.row, value: parsed.value });
    });
    const legacy =
      header === "legacy" ||
      rows.some((r) => r.value.kind !== "missing-backend" && r.value.slot === undefined);
    const perSlot = rows.some((r) => r.keySlot !== undefined);
    const style: LbListStyle = legacy ? "legacy" : perSlot || protocolShown ? "per-slot" : "grouped";
    return { style, header: header !== undefined, rows };
  },
  print(dump) {
    const table: string[][] = [];
    if (dump.header) table.push([TITLE, dump.style === "legacy" ? LEGACY_TITLE : SLOT_TITLE]);
    let previous: string | undefined;
    for (const row of dump.rows) {
      const slot = row.keySlot === undefined ? "" : ` (${row.keySlot})`;
      // Older releases show no protocol in keys, unless the key had one (it reads back as ANY).
      const withProtocol = dump.style === "per-slot" || row.frontend.protocol !== "ANY";
      const key = `${printFrontend(row.frontend, withProtocol)}${slot}`;
      const grouped = dump.style !== "per-slot" && key === previous;
      table.push([grouped ? "" : key, valueText(row.value, row.family)]);
      previous = key;
    }
    return renderTable(table, { padLastCell: true });
  },
};

function valueText(value: LbListValue, family: IpFamily): string {
  const slot = (s: number | undefined) => (s === undefined ? "" : ` (${s})`);
  switch (value.kind) {
    case "master": {
      const l7 = value.l7ProxyPort === undefined ? "" : `(L7LB Proxy Port: ${value.l7ProxyPort})`;
      const text = `${family === 6 ? "[::]" : "0.0.0.0"}:0 (${value.revNatId})${slot(value.slot)} [${value.flagNames.join(", ")}]`;
      // Cilium always prints a space before the optional suffix (trailing blanks are trimmed on read).
      return value.slot === undefined && l7 === "" ? text : `${text} ${l7}`;
    }
    case "backend": {
      const host = value.family === 6 ? `[${value.address}]` : value.address;
      const protocol = value.protocol === undefined ? "" : `/${value.protocol}`;
      return `${host}:${value.port}${protocol} (${value.revNatId})${slot(value.slot)}`;
    }
    case "missing-backend":
      return `backend ${value.backendId} not found`;
  }
}
