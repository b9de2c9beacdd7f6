// What `dpemu inspect` prints: the JSON document (shape fixed by the CLI contract) and a readable
// text summary with tables.
import type { NodeView, Snapshot } from "../model/snapshot.js";
import { backendText } from "../model/backend.js";
import { frontendText } from "../model/service.js";
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

/**
 * Entry counts of the tables other formats fill (ipcache, CT, NAT, ip-masq). Those formats join
 * the registry separately; until then a view has no such entries.
 */
export type TableCounts = Readonly<Record<"ipcache" | "ct" | "nat" | "ipmasq", number>>;

export function tableCounts(_view: NodeView): TableCounts {
  return { ipcache: 0, ct: 0, nat: 0, ipmasq: 0 };
}

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

export function inspectText(snapshot: Snapshot): string {
  const view = snapshot.selected;
  const backends = new Map(view.backends.map((b) => [b.id, b]));
  const out: string[] = [];
  const nodeList = snapshot.nodes.map((n) => (n === view ? `${n.name} (selected)` : n.name)).join(", ");
  out.push(`Snapshot ${snapshot.source}`);
  out.push(`Nodes: ${nodeList}`);
  out.push(`Config: ${configLine(view)}`);
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
  out.push(renderTable(rows, { padLastCell: false }).trimEnd());
  out.push("");
  out.push(
    `Backends (${view.backends.length}), reverse NAT entries (${view.revNat.length}), dumped Maglev tables (${view.maglevTables.length})`,
  );
  if (snapshot.warnings.length > 0) {
    out.push("");
    out.push(`Warnings (${snapshot.warnings.length})`);
    for (const w of snapshot.warnings)
      out.push(`  ${w.line > 0 ? `${w.file}:${w.line}` : w.file}: ${w.message}`);
  }
  return `${out.join("\n")}\n`;
}
