// What the parsed dumps of one node contribute, before they are merged into a NodeView.
// Each registered format appends its model here (see registry.ts).
import type { AgentConfig } from "../model/agent-config.js";
import type { BackendMapEntry } from "../model/backend-map-entry.js";
import type { CtEntry } from "../model/ct.js";
import type { EndpointEntry } from "../model/endpoint.js";
import type { IdentityEntry } from "../model/ip-list.js";
import type { IpcacheEntry } from "../model/ipcache.js";
import type { IpmasqEntry } from "../model/ipmasq.js";
import type { LbListRow } from "../model/lb-list-row.js";
import type { MaglevTable } from "../model/maglev-table.js";
import type { MapListEntry } from "../model/map-list.js";
import type { NatEntry } from "../model/nat.js";
import type { RevNatEntry } from "../model/revnat.js";
import type { ServiceListEntry } from "../model/service-list-entry.js";
import type { ServiceMapEntry } from "../model/service-map-entry.js";
import type { DumpRecord } from "../model/snapshot.js";
import type { SocknatEntry } from "../model/socknat.js";

export interface Located<T> {
  readonly value: T;
  readonly where: DumpRecord;
}

export class NodeDumps {
  readonly servicesMap: Located<readonly ServiceMapEntry[]>[] = [];
  readonly lbList: Located<readonly LbListRow[]>[] = [];
  readonly serviceList: Located<readonly ServiceListEntry[]>[] = [];
  readonly backendsMap: Located<readonly BackendMapEntry[]>[] = [];
  readonly revNatMap: Located<readonly RevNatEntry[]>[] = [];
  readonly maglev: Located<readonly MaglevTable[]>[] = [];
  readonly ipcache: Located<readonly IpcacheEntry[]>[] = [];
  readonly identities: Located<readonly IdentityEntry[]>[] = [];
  readonly ct: Located<readonly CtEntry[]>[] = [];
  readonly nat: Located<readonly NatEntry[]>[] = [];
  readonly ipmasq: Located<readonly IpmasqEntry[]>[] = [];
  readonly socknat: Located<readonly SocknatEntry[]>[] = [];
  readonly endpoints: Located<readonly EndpointEntry[]>[] = [];
  readonly mapList: Located<readonly MapListEntry[]>[] = [];
  /** In dump order; later dumps win field by field. */
  readonly config: Located<AgentConfig>[] = [];
  /** Addresses the dumps show as this node's own (node-IP frontends, host ipcache entries). */
  readonly hostAddresses = new Set<string>();
}
