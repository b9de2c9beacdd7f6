// `cilium-dbg map get cilium_lb4_reverse_nat` and `cilium-dbg bpf lb list --revnat`:
// `<rev-NAT ID>  <ip>:<port>` (the --revnat header reuses the default view's second title).
import { joinHostPort } from "../../model/ip.js";
import type { RevNatEntry } from "../../model/revnat.js";
import type { DumpFormat } from "../dump-format.js";
import { ADDRESS, parseAddress, parsePort, parseUint } from "./lb-text.js";
import {
  matchesTable,
  parseTable,
  printTable,
  STATE_SUFFIX,
  type MapTableHeader,
  type RowShape,
} from "./map-table.js";

export interface RevNatMapDump {
  readonly header: MapTableHeader;
  readonly entries: readonly RevNatEntry[];
}

const ROW = new RegExp(String.raw`^(\d+)\s+${ADDRESS}:(\d{1,5})${STATE_SUFFIX}$`);

const revNatRow: RowShape<RevNatEntry> = {
  expected: "a reverse-NAT row `<id>  <ip>:<port>`",
  parseRow(row) {
    const m = ROW.exec(row);
    if (!m) return undefined;
    const id = parseUint(m[1] ?? "", 0xffff);
    const address = parseAddress(m[2] ?? "");
    const port = parsePort(m[3] ?? "");
    if (id === undefined || address === undefined || port === undefined) return undefined;
    return { id, ...address, port };
  },
};

const REVNAT_LIST_TITLES = ["ID", "BACKEND ADDRESS (REVNAT_ID) (SLOT)"] as const;
const REVNAT_LIST_HEADER = REVNAT_LIST_TITLES.join(" ");

function printRevNat(dump: RevNatMapDump): string {
  return printTable(
    dump.header,
    REVNAT_LIST_TITLES,
    dump.entries.map((e) => [String(e.id), joinHostPort(e.address, e.port)]),
  );
}

export const mapGetLb4ReverseNatFormat: DumpFormat<RevNatMapDump> = {
  kind: "map-get-lb4-reverse-nat",
  command: "cilium-dbg map get cilium_lb4_reverse_nat",
  matches: (lines) => matchesTable(lines, ["map-get", "none"], REVNAT_LIST_HEADER, revNatRow),
  parse: (source, options) => parseTable(source, options, REVNAT_LIST_HEADER, revNatRow),
  print: printRevNat,
};

export const bpfLbListRevNatFormat: DumpFormat<RevNatMapDump> = {
  kind: "bpf-lb-list-revnat",
  command: "cilium-dbg bpf lb list --revnat",
  matches: (lines) => matchesTable(lines, ["bpf-lb-list"], REVNAT_LIST_HEADER, revNatRow),
  parse: (source, options) => parseTable(source, options, REVNAT_LIST_HEADER, revNatRow),
  print: printRevNat,
};
