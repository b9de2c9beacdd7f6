// `cilium-dbg map get cilium_lb4_reverse_nat` and `cilium-dbg bpf lb list --revnat`:
// `<rev-NAT ID>  <ip>:<port>` (the --revnat header reuses the default view's second title).
import { joinHostPort } from "../../model/ip.js";
import type { RevNatEntry } from "../../model/revnat.js";
import type { DumpFormat } from "../dump-format.js";
import { ADDRESS, parseAddress, parsePort, parseUint } from "./lb-text.js";
import {
  mapTableFormat,
  STATE_SUFFIX,
  type MapTable,
  type MapTableDump,
  type RowShape,
} from "./map-table.js";

export type RevNatMapDump = MapTableDump<RevNatEntry>;

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

const REVNAT_TABLE: MapTable<RevNatEntry> = {
  listTitles: ["ID", "BACKEND ADDRESS (REVNAT_ID) (SLOT)"],
  row: revNatRow,
  cells: (e) => [String(e.id), joinHostPort(e.address, e.port)],
};

export const mapGetLb4ReverseNatFormat: DumpFormat<RevNatMapDump> = mapTableFormat(
  "map-get-lb4-reverse-nat",
  "cilium-dbg map get cilium_lb4_reverse_nat",
  ["map-get", "none"],
  REVNAT_TABLE,
);

export const bpfLbListRevNatFormat: DumpFormat<RevNatMapDump> = mapTableFormat(
  "bpf-lb-list-revnat",
  "cilium-dbg bpf lb list --revnat",
  ["bpf-lb-list"],
  REVNAT_TABLE,
);
