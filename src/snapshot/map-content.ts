// What one node's BPF maps hold, in the dump models cilium-dbg's output parses into: the content
// `dpemu maps dump` prints. It comes from the emulated maps (src/readback/to-model.ts) or, for
// comparison, from what the snapshot's dumps say (mapContentOfView).
import type { BackendMapEntry } from "../model/backend-map-entry.js";
import type { CtEntry } from "../model/ct.js";
import type { IpcacheEntry } from "../model/ipcache.js";
import type { IpmasqEntry } from "../model/ipmasq.js";
import type { MaglevTable } from "../model/maglev-table.js";
import type { NatEntry } from "../model/nat.js";
import type { RevNatEntry } from "../model/revnat.js";
import type { ServiceMapEntry } from "../model/service-map-entry.js";
import type { NodeView } from "../model/snapshot.js";
import type { SocknatEntry } from "../model/socknat.js";
import { backendsMapEntries, servicesMapEntries } from "./lb-maps.js";

/** Every map a node's dumps show, as the entries `dpemu maps dump` prints. */
export interface MapDumpContent {
  /** cilium_lb4_services_v2. */
  readonly services: readonly ServiceMapEntry[];
  /** cilium_lb4_backends_v3 / _v2, with ports (the _v3 form does not print them). */
  readonly backends: readonly BackendMapEntry[];
  readonly revNat: readonly RevNatEntry[];
  readonly maglev: readonly MaglevTable[];
  readonly ipcache: readonly IpcacheEntry[];
  /** cilium_ct4_global and cilium_ct_any4_global. */
  readonly ct: readonly CtEntry[];
  readonly nat: readonly NatEntry[];
  readonly ipmasq: readonly IpmasqEntry[];
  /** cilium_lb4_reverse_sk: socket-LB state, which the emulated datapath does not have. */
  readonly socknat: readonly SocknatEntry[];
}

/** A node whose dumps show no map entries. */
export const EMPTY_MAP_CONTENT: MapDumpContent = {
  services: [],
  backends: [],
  revNat: [],
  maglev: [],
  ipcache: [],
  ct: [],
  nat: [],
  ipmasq: [],
  socknat: [],
};

const v4 = <T extends { readonly family: number | string | undefined }>(xs: readonly T[]): T[] =>
  xs.filter((x) => x.family === 4 || x.family === "ipv4");

const v4Prefixes = <T extends { readonly prefix: { readonly family: string } }>(xs: readonly T[]): T[] =>
  xs.filter((x) => x.prefix.family === "ipv4");

/** The IPv4 content the snapshot's dumps describe for a node (the emulated family). */
export function mapContentOfView(view: NodeView): MapDumpContent {
  const quarantined = new Set(view.backends.filter((b) => b.state === "quarantined").map((b) => b.id));
  return {
    services: servicesMapEntries(v4(view.services), (id) => quarantined.has(id)),
    backends: backendsMapEntries(v4(view.backends), true),
    revNat: v4(view.revNat),
    maglev: view.maglevTables.filter((t) => t.family !== 6),
    ipcache: v4Prefixes(view.ipcache),
    ct: v4(view.ct),
    nat: v4(view.nat),
    ipmasq: v4Prefixes(view.ipmasq),
    socknat: v4(view.socknat),
  };
}
