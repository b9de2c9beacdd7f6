// `cilium-dbg map get cilium_lb4_backends_v3` (and the older cilium_lb4_backends_v2 /
// cilium_lb4_backends), and `cilium-dbg bpf lb list --backends`, which prints the same values.
// Value: `<PROTO>://<addr>[@<cluster>][:<port>][[<zone>]]`; the _v3 printer has no port.
import type { BackendMapEntry } from "../../model/backend-map-entry.js";
import { parseProtocol } from "../../model/protocol.js";
import type { DumpFormat } from "../dump-format.js";
import { parseAddress, parsePort, parseUint } from "./lb-text.js";
import {
  mapTableFormat,
  STATE_SUFFIX,
  type MapTable,
  type MapTableDump,
  type RowShape,
} from "./map-table.js";

export type BackendsMapDump = MapTableDump<BackendMapEntry>;

const ROW = new RegExp(
  String.raw`^(\d+)\s+([A-Za-z][A-Za-z0-9]*):\/\/(\[[0-9a-fA-F:.]+\]|\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]*)(?:@(\d+))?(?::(\d{1,5}))?(?:\[([^\]]*)\])?${STATE_SUFFIX}$`,
);

const backendRow: RowShape<BackendMapEntry> = {
  expected: "a backends-map row `<id>  <PROTO>://<ip>[:<port>]`",
  parseRow(row) {
    const m = ROW.exec(row);
    if (!m) return undefined;
    const id = parseUint(m[1] ?? "", 0xffffffff);
    const protocol = parseProtocol(m[2] ?? "");
    const address = parseAddress(m[3] ?? "");
    const clusterId = m[4] === undefined ? 0 : parseUint(m[4], 0xffff);
    const port = m[5] === undefined ? undefined : parsePort(m[5]);
    if (
      id === undefined ||
      protocol === undefined ||
      address === undefined ||
      clusterId === undefined ||
      (m[5] !== undefined && port === undefined)
    ) {
      return undefined;
    }
    // A bare (unbracketed) IPv6 address cannot carry a port: its last group would read as one.
    if (address.family === 6 && !(m[3] ?? "").startsWith("[") && port !== undefined) return undefined;
    return { id, ...address, protocol, port, clusterId, zone: m[6] };
  },
};

export function backendMapValue(entry: BackendMapEntry): string {
  const cluster = entry.clusterId === 0 ? "" : `@${entry.clusterId}`;
  const zone = entry.zone === undefined ? "" : `[${entry.zone}]`;
  if (entry.port === undefined) return `${entry.protocol}://${entry.address}${cluster}${zone}`;
  const host = entry.family === 6 ? `[${entry.address}]` : entry.address;
  return `${entry.protocol}://${host}${cluster}:${entry.port}${zone}`;
}

/** Both commands print the same rows; `bpf lb list --backends` titles them like the default view. */
const BACKENDS_TABLE: MapTable<BackendMapEntry> = {
  listTitles: ["ID", "BACKEND ADDRESS (REVNAT_ID) (SLOT)"],
  row: backendRow,
  cells: (e) => [String(e.id), backendMapValue(e)],
};

export const mapGetLb4BackendsFormat: DumpFormat<BackendsMapDump> = mapTableFormat(
  "map-get-lb4-backends",
  "cilium-dbg map get cilium_lb4_backends_v3",
  ["map-get", "none"],
  BACKENDS_TABLE,
);

export const bpfLbListBackendsFormat: DumpFormat<BackendsMapDump> = mapTableFormat(
  "bpf-lb-list-backends",
  "cilium-dbg bpf lb list --backends",
  ["bpf-lb-list"],
  BACKENDS_TABLE,
);
