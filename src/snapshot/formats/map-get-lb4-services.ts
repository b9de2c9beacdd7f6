// `cilium-dbg map get cilium_lb4_services_v2` (also `cilium_lb6_services_v2`).
import type { ServiceMapEntry } from "../../model/service-map-entry.js";
import type { DumpFormat } from "../dump-format.js";
import { matchesTable, parseTable, printTable, type MapTableHeader } from "./map-table.js";
import { keyWithoutProtocol, servicesMapKey, servicesMapRow, servicesMapValue } from "./services-map-rows.js";

export interface ServicesMapDump {
  readonly header: MapTableHeader;
  /** Keys printed without `/ANY` (releases up to 1.15). */
  readonly omitAnyProtocol: boolean;
  readonly entries: readonly ServiceMapEntry[];
}

export const FRONTENDS_LIST_TITLES = ["SERVICE ADDRESS", "BACKEND ID"] as const;
const FRONTENDS_LIST_HEADER = FRONTENDS_LIST_TITLES.join(" ");

export const mapGetLb4ServicesFormat: DumpFormat<ServicesMapDump> = {
  kind: "map-get-lb4-services",
  command: "cilium-dbg map get cilium_lb4_services_v2",
  matches: (lines) => matchesTable(lines, ["map-get", "none"], FRONTENDS_LIST_HEADER, servicesMapRow),
  parse(source, options) {
    const { header, entries } = parseTable(source, options, FRONTENDS_LIST_HEADER, servicesMapRow);
    return {
      header,
      entries,
      omitAnyProtocol: source.lines.some((l) => servicesMapRow.parseRow(l.trim()) && keyWithoutProtocol(l)),
    };
  },
  print: (dump) => printServicesMap(dump),
};

/** `cilium-dbg bpf lb list --frontends`: the same rows under the TablePrinter header. */
export const bpfLbListFrontendsFormat: DumpFormat<ServicesMapDump> = {
  kind: "bpf-lb-list-frontends",
  command: "cilium-dbg bpf lb list --frontends",
  matches: (lines) => matchesTable(lines, ["bpf-lb-list"], FRONTENDS_LIST_HEADER, servicesMapRow),
  parse: (source, options) => mapGetLb4ServicesFormat.parse(source, options),
  print: (dump) => printServicesMap(dump),
};

function printServicesMap(dump: ServicesMapDump): string {
  return printTable(
    dump.header,
    FRONTENDS_LIST_TITLES,
    dump.entries.map((e) => [servicesMapKey(e, dump.omitAnyProtocol), servicesMapValue(e)]),
  );
}
