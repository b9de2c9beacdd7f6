// What `dpemu inspect` prints: the JSON document (shape fixed by the CLI contract) and a readable
// text summary with tables. Names, paths and config values in the text come from the input (archive
// entry names, node names): they are escaped, table cells before their widths are measured.
import type { NodeView, Snapshot } from "../model/snapshot.js";
import { backendText } from "../model/backend.js";
import { escapeForTerminal } from "../model/escape.js";
import { frontendText } from "../model/service.js";
import { formatIpcacheKey } from "../snapshot/formats/ipcache-text.js";
import { formatOfKind, type DumpFamily } from "../snapshot/registry.js";
import type { StateTables } from "../model/snapshot.js";
import { ipv6Entries } from "../snapshot/state-tables.js";
import { renderTable } from "../snapshot/text/tabwriter.js";

export interface InspectJson {
  readonly services: readonly {
    readonly id: number;
    readonly frontend: string;
    readonly type: string;
    readonly flags: readonly string[];
    readonly revNatId: number;
    readonly backends: readonly { readonly id: number; readonly address: string; readonly state: string }[];
  }[];
  readonly ipcache: { readonly entries: number };
  readonly ct: { readonly entries: number };
  readonly nat: { readonly entries: number };
  readonly ipmasq: { readonly entries: number };
  readonly config: NodeView["config"];
  readonly nodes: readonly {
    readonly name: string;
    readonly selected: boolean;
    readonly dumps: number;
    readonly files: readonly string[];
  }[];
  readonly warnings: Snapshot["warnings"];
}

/** Entry counts of the node-state tables the JSON document reports (IPv6 entries included). */
export type TableCounts = Readonly<Record<"ipcache" | "ct" | "nat" | "ipmasq", number>>;

export function tableCounts(view: NodeView): TableCounts {
  return {
    ipcache: view.ipcache.length,
    ct: view.ct.length,
    nat: view.nat.length,
    ipmasq: view.ipmasq.length,
  };
}

/** The node-state tables `inspect` lists, the dump family that fills each, and its emulated maps. */
export const STATE_TABLES: readonly {
  readonly table: keyof StateTables;
  readonly family: DumpFamily;
  readonly maps: readonly string[];
  /** Row name when it differs from the table's field name. */
  readonly label?: string;
}[] = [
  { table: "ipcache", family: "ipcache", maps: ["cilium_ipcache_v2"] },
  { table: "identities", family: "identities", maps: [] },
  { table: "ct", family: "ct", maps: ["cilium_ct4_global", "cilium_ct_any4_global"] },
  { table: "nat", family: "nat", maps: ["cilium_snat_v4_external"] },
  { table: "ipmasq", family: "ipmasq", maps: ["cilium_ipmasq_v4"] },
  { table: "socknat", family: "socknat", maps: ["cilium_lb4_reverse_sk"] },
  { table: "endpoints", family: "endpoints", maps: [] },
  { table: "mapList", family: "maps", maps: [], label: "maps" },
];

/** How many ipcache rows the text summary shows before pointing at `maps dump`. */
const IPCACHE_ROWS_SHOWN = 30;

export function inspectJson(snapshot: Snapshot): InspectJson {
  const view = snapshot.selected;
  const backends = new Map(view.backends.map((b) => [b.id, b]));
  const counts = tableCounts(view);
  return {
    services: view.services.map((s) => ({
      id: s.id,
      frontend: frontendText(s.frontend),
      type: s.type,
      flags: s.flagNames,
      revNatId: s.revNatId,
      backends: s.backendSlots.flatMap((id) => {
        const b = backends.get(id);
        return b ? [{ id, address: backendText(b), state: b.state }] : [];
      }),
    })),
    ipcache: { entries: counts.ipcache },
    ct: { entries: counts.ct },
    nat: { entries: counts.nat },
    ipmasq: { entries: counts.ipmasq },
    config: view.config,
    nodes: snapshot.nodes.map((n) => ({
      name: n.name,
      selected: n === view,
      dumps: n.dumps.length,
      files: [...new Set([...n.dumps, ...n.borrowed].map((d) => d.file))],
    })),
    warnings: snapshot.warnings,
  };
}

function configLine(view: NodeView): string {
  const c = view.config;
  const parts: string[] = [];
  if (c.ciliumVersion) parts.push(`Cilium ${c.ciliumVersion}`);
  if (c.kubeProxyReplacement)
    parts.push(`KPR ${c.kubeProxyReplacement}${c.kprMode ? ` (${c.kprMode})` : ""}`);
  if (c.backendSelection)
    parts.push(
      `backend selection ${c.backendSelection}${c.maglevTableSize ? ` M=${c.maglevTableSize}` : ""}`,
    );
  if (c.sessionAffinity !== undefined) parts.push(`session affinity ${c.sessionAffinity ? "on" : "off"}`);
  if (c.routingMode)
    parts.push(`routing ${c.routingMode}${c.tunnelProtocol ? ` (${c.tunnelProtocol})` : ""}`);
  if (c.ipv4NativeRoutingCidr) parts.push(`native-routing CIDR ${c.ipv4NativeRoutingCidr}`);
  if (c.bpfMasquerade !== undefined) parts.push(`masquerading ${c.bpfMasquerade ? "BPF" : "iptables/off"}`);
  return parts.length > 0 ? parts.join(", ") : "no status --verbose or config dump (defaults apply)";
}

function maglevNote(view: NodeView): string {
  const { compared, identical } = view.maglevComparison;
  if (compared === 0) return "";
  return `; ${compared} compared with the computed tables: ${identical === compared ? "all identical" : `${compared - identical} differ (see warnings)`}`;
}

/** A table whose cells may hold input text. */
function table(rows: readonly (readonly string[])[]): string {
  return renderTable(
    rows.map((row) => row.map(escapeForTerminal)),
    { padLastCell: false },
  ).trimEnd();
}

export function inspectText(snapshot: Snapshot): string {
  const view = snapshot.selected;
  const backends = new Map(view.backends.map((b) => [b.id, b]));
  const out: string[] = [];
  const nodeList = snapshot.nodes.map((n) => (n === view ? `${n.name} (selected)` : n.name)).join(", ");
  out.push(`Snapshot ${escapeForTerminal(snapshot.source)}`);
  out.push(`Nodes: ${escapeForTerminal(nodeList)}`);
  out.push(`Config: ${escapeForTerminal(configLine(view))}`);
  if (view.derivedIds) out.push("Note: some backend/service IDs were derived (no services-map dump)");
  out.push("");
  out.push(`Services (${view.services.length})`);
  const rows: string[][] = [["ID", "FRONTEND", "TYPE", "FLAGS", "BACKENDS"]];
  for (const s of view.services) {
    const flags = s.flagNames.slice(1).join(", ");
    const list = s.backendSlots.map((id, i) => {
      const b = backends.get(id);
      const mark = i >= s.count ? "*" : "";
      return b ? `${id}:${backendText(b)}${mark}` : `${id}:?`;
    });
    rows.push([
      String(s.id),
      frontendText(s.frontend),
      s.type,
      flags || "-",
      list.length > 0 ? list.join(" ") : "(none)",
    ]);
  }
  out.push(table(rows));
  out.push("");
  out.push(
    `Backends (${view.backends.length}), reverse NAT entries (${view.revNat.length}), dumped Maglev tables (${view.maglevTables.length}${maglevNote(view)})`,
  );
  out.push("");
  out.push(...stateSummary(snapshot));
  if (snapshot.warnings.length > 0) {
    out.push("");
    out.push(`Warnings (${snapshot.warnings.length})`);
    for (const w of snapshot.warnings)
      out.push(`  ${escapeForTerminal(w.line > 0 ? `${w.file}:${w.line}` : w.file)}: ${w.message}`);
  }
  return `${out.join("\n")}\n`;
}

/** A dump's file relative to the snapshot, for the tables' DUMPS column. */
function shortName(snapshot: Snapshot, file: string): string {
  return file.startsWith(`${snapshot.source}/`) ? file.slice(snapshot.source.length + 1) : file;
}

/** The node-state tables of the selected view: counts, sources, and the ipcache itself. */
function stateSummary(snapshot: Snapshot): string[] {
  const view = snapshot.selected;
  const v6 = new Map(ipv6Entries(view).map((k) => [k.table, k.count]));
  const out = [`Node state of ${escapeForTerminal(view.name)}`];
  const rows: string[][] = [["TABLE", "ENTRIES", "IPV6", "MAPS DUMP", "FROM"]];
  for (const { table, family, maps, label } of STATE_TABLES) {
    const from = [
      ...view.dumps.map((d) => ({ d, borrowed: false })),
      ...view.borrowed.map((d) => ({ d, borrowed: true })),
    ]
      .filter(({ d }) => formatOfKind(d.kind)?.family === family)
      .map(({ d, borrowed }) => `${shortName(snapshot, d.file)}${borrowed ? " (other node)" : ""}`);
    rows.push([
      label ?? table,
      String(view[table].length),
      String(v6.get(table) ?? 0),
      maps.join(", ") || "-",
      from.join(", ") || "(no dump)",
    ]);
  }
  out.push(table(rows));
  if (view.ipcache.length > 0) {
    const shown = view.ipcache.slice(0, IPCACHE_ROWS_SHOWN);
    out.push("");
    out.push(
      `ipcache of ${escapeForTerminal(view.name)}${shown.length < view.ipcache.length ? ` (first ${shown.length} of ${view.ipcache.length}; all with \`dpemu maps dump cilium_ipcache_v2\`)` : ""}`,
    );
    const ipcacheRows = [["PREFIX", "IDENTITY", "TUNNEL ENDPOINT"]];
    for (const e of shown) {
      ipcacheRows.push([
        formatIpcacheKey(e),
        String(e.identity),
        e.tunnelEndpoint === "0.0.0.0" || e.tunnelEndpoint === "::" ? "-" : e.tunnelEndpoint,
      ]);
    }
    out.push(table(ipcacheRows));
  }
  return out;
}
