// What a snapshot's dumps hold for one map that the emulated node does not (or holds that no dump
// showed): one line each, with counts, for `dpemu maps dump` to report on stderr. Nothing the
// emulator leaves out goes unmentioned.
import type { NodeView, Snapshot } from "../model/snapshot.js";
import type { DatapathState } from "../engine/state.js";

const IPPROTO_TCP = 6;

/** Which CT map an entry of protocol `nexthdr` lives in. */
const ctMapOf = (nexthdr: number): string =>
  nexthdr === IPPROTO_TCP ? "cilium_ct4_global" : "cilium_ct_any4_global";

/** The node a borrowed dump of `kind` was taken on (the node that has it as its own), if borrowed. */
function borrowedFrom(view: NodeView, kind: string, snapshot: Snapshot | undefined): string | undefined {
  const dump = view.borrowed.find((b) => b.kind === kind);
  if (dump === undefined) return undefined;
  const owner = snapshot?.nodes.find(
    (n) => n.name !== view.name && n.dumps.some((d) => d.kind === kind && d.file === dump.file),
  );
  return owner?.name ?? "another node";
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function ctNotes(map: string, view: NodeView, snapshot: Snapshot | undefined): string[] {
  const entries = view.ct.filter((e) => ctMapOf(e.nexthdr) === map);
  const v6 = entries.filter((e) => e.family === "ipv6").length;
  const v4 = entries.filter((e) => e.family === "ipv4");
  const notes: string[] = [];
  if (v6 > 0) notes.push(`${plural(v6, "IPv6 CT entry", "IPv6 CT entries")} not emulated`);
  const owner = borrowedFrom(view, "bpf-ct-list", snapshot);
  if (owner !== undefined && v4.length > 0) {
    notes.push(
      `${plural(v4.length, "CT entry", "CT entries")} dumped on ${owner} not loaded: conntrack state belongs to the node it was dumped on`,
    );
  } else {
    const wide = v4.filter((e) => e.backendId > 0xffffffffn).length;
    if (wide > 0) {
      notes.push(
        `${plural(wide, "CT entry", "CT entries")} with a BackendID beyond 32 bits (the DSR NAT address of newer agents, not emulated) loaded with BackendID 0`,
      );
    }
  }
  return notes;
}

function natNotes(view: NodeView, snapshot: Snapshot | undefined): string[] {
  const v6 = view.nat.filter((e) => e.family === "ipv6").length;
  const v4 = view.nat.length - v6;
  const notes: string[] = [];
  if (v6 > 0) notes.push(`${plural(v6, "IPv6 NAT entry", "IPv6 NAT entries")} not emulated`);
  const owner = borrowedFrom(view, "bpf-nat-list", snapshot);
  if (owner !== undefined && v4 > 0) {
    notes.push(
      `${plural(v4, "NAT entry", "NAT entries")} dumped on ${owner} not loaded: SNAT state belongs to the node it was dumped on`,
    );
  }
  return notes;
}

function usesMaglev(state: DatapathState): boolean {
  return state.node.lbAlgorithm === "maglev" || state.services.some((s) => s.slot === 0 && s.algorithm === 2);
}

function maglevNotes(view: NodeView, state: DatapathState): string[] {
  const notes: string[] = [];
  const v6 = view.maglevTables.filter((t) => t.family === 6).length;
  if (v6 > 0) notes.push(`${plural(v6, "IPv6 Maglev table")} not emulated`);
  if (!usesMaglev(state)) {
    notes.push(
      "no Maglev tables: backend selection is random (tables are built when the agent or a service uses Maglev)",
    );
  } else {
    notes.push(
      `Maglev tables are computed by dpemu from each service's backends (${state.node.maglevTableSize} entries, hash seed ${state.node.clusterSeed})`,
    );
  }
  const loaded = new Set(state.services.filter((s) => s.slot === 0).map((s) => s.revNatId));
  const orphans = view.maglevTables.filter((t) => t.family !== 6 && !loaded.has(t.revNatId)).length;
  if (orphans > 0) {
    notes.push(
      `${plural(orphans, "dumped Maglev table")} of rev-NAT IDs without a service in the snapshot not loaded`,
    );
  }
  return notes;
}

function revNatNotes(view: NodeView, state: DatapathState): string[] {
  const notes: string[] = [];
  const v6 = view.revNat.filter((r) => r.family === 6).length;
  if (v6 > 0) notes.push(`${plural(v6, "IPv6 reverse-NAT entry", "IPv6 reverse-NAT entries")} not emulated`);
  const dumped = new Set(view.revNat.filter((r) => r.family === 4).map((r) => r.id));
  const derived = state.revNat.filter((r) => !dumped.has(r.id)).length;
  if (derived > 0) {
    notes.push(
      `${plural(derived, "reverse-NAT entry", "reverse-NAT entries")} written from service frontends: no dump shows them`,
    );
  }
  return notes;
}

function ipcacheNotes(view: NodeView): string[] {
  const notes: string[] = [];
  const v6 = view.ipcache.filter((e) => e.prefix.family === "ipv6").length;
  const remote = view.ipcache.filter((e) => e.prefix.family === "ipv4" && e.clusterId !== 0).length;
  if (v6 > 0) notes.push(`${plural(v6, "IPv6 ipcache entry", "IPv6 ipcache entries")} not emulated`);
  if (remote > 0)
    notes.push(`${plural(remote, "ipcache entry", "ipcache entries")} of other clusters not emulated`);
  const world = view.ipcache.some(
    (e) => e.prefix.family === "ipv4" && e.clusterId === 0 && e.prefix.length === 0,
  );
  if (!world) notes.push("0.0.0.0/0 (world, identity 2) added, as the agent always has it");
  return notes;
}

function ipmasqNotes(view: NodeView, state: DatapathState): string[] {
  const notes: string[] = [];
  const v6 = view.ipmasq.filter((e) => e.prefix.family === "ipv6").length;
  const v4 = view.ipmasq.length - v6;
  if (v6 > 0) notes.push(`${plural(v6, "IPv6 ip-masq CIDR")} not emulated`);
  if (v4 > 0 && !state.node.ipMasqAgent) {
    notes.push(`${plural(v4, "ip-masq CIDR")} not loaded: the configuration has ip-masq-agent off`);
  }
  return notes;
}

/**
 * Notes on one map (by its Cilium name) of the node `state` was loaded from `view` (of `snapshot`):
 * entries the dumps hold that the emulator does not, and entries it holds that no dump showed.
 */
export function notLoadedNotes(
  map: string,
  view: NodeView,
  state: DatapathState,
  snapshot?: Snapshot,
): string[] {
  switch (map) {
    case "cilium_lb4_services_v2": {
      const v6 = view.services.filter((s) => s.family === 6).length;
      return v6 > 0 ? [`${plural(v6, "IPv6 service frontend")} not emulated`] : [];
    }
    case "cilium_lb4_backends_v3":
    case "cilium_lb4_backends_v2": {
      const v6 = view.backends.filter((b) => b.family === 6).length;
      return v6 > 0 ? [`${plural(v6, "IPv6 backend")} not emulated`] : [];
    }
    case "cilium_lb4_reverse_nat":
      return revNatNotes(view, state);
    case "cilium_lb4_maglev":
      return maglevNotes(view, state);
    case "cilium_ipcache_v2":
    case "cilium_ipcache":
      return ipcacheNotes(view);
    case "cilium_ct4_global":
    case "cilium_ct_any4_global":
      return ctNotes(map, view, snapshot);
    case "cilium_snat_v4_external":
      return natNotes(view, snapshot);
    case "cilium_ipmasq_v4":
      return ipmasqNotes(view, state);
    default:
      return [];
  }
}
