// The node-state tables of a view (ipcache, identities, conntrack, NAT, ip-masq, socket rev-NAT,
// endpoints, open maps), each merged from the node's dumps of it by the map's own key.
import type { CtEntry } from "../model/ct.js";
import type { EndpointEntry } from "../model/endpoint.js";
import type { IdentityEntry } from "../model/ip-list.js";
import { formatPrefix, type IpFamily, type IpPrefix, type L4Address } from "../model/ip-prefix.js";
import { ipcacheFlagBits, type IpcacheEntry } from "../model/ipcache.js";
import type { IpmasqEntry } from "../model/ipmasq.js";
import type { MapListEntry } from "../model/map-list.js";
import type { NatEntry } from "../model/nat.js";
import type { DumpRecord, StateTables } from "../model/snapshot.js";
import type { SocknatEntry } from "../model/socknat.js";
import type { SnapshotWarning } from "./errors.js";
import { mergeTables, type TableKeying } from "./merge-tables.js";
import type { Located, NodeDumps } from "./node-dumps.js";

const l4 = (a: L4Address): string => `${a.address}:${a.port}`;

const IPCACHE: TableKeying<IpcacheEntry> = {
  entryName: "ipcache entry",
  key: (e) => (e.clusterId === 0 ? formatPrefix(e.prefix) : `${formatPrefix(e.prefix)}@${e.clusterId}`),
  // `map get` adds the agent's cache state, which `bpf ipcache list` does not show.
  comparable: (e) => `${e.identity} ${e.encryptKey} ${e.tunnelEndpoint} ${ipcacheFlagBits(e.flags)}`,
  combine: (earlier, later) =>
    later.cache === undefined && earlier.cache !== undefined ? { ...later, cache: earlier.cache } : later,
};

const IDENTITIES: TableKeying<IdentityEntry> = {
  entryName: "ip list entry",
  key: (e) => formatPrefix(e.prefix),
};

// The BPF CT key is the tuple with its direction flags. Counters, lifetimes and TCP flags change
// with every packet; what the entry was created with must not.
const CT: TableKeying<CtEntry> = {
  entryName: "ct entry",
  key: (e) =>
    `${e.protocol} ${e.direction} ${l4(e.source)} -> ${l4(e.destination)}${e.related ? " related" : ""}`,
  comparable: (e) => `${e.revNat} ${e.backendId} ${e.sourceSecurityId}`,
};

const NAT: TableKeying<NatEntry> = {
  entryName: "nat entry",
  key: (e) =>
    `${e.protocol} ${e.direction} ${l4(e.source)} -> ${l4(e.destination)}${e.related ? " related" : ""}`,
  comparable: (e) => `${l4(e.translated)} ${e.needsCt}`,
};

const IPMASQ: TableKeying<IpmasqEntry> = {
  entryName: "ipmasq CIDR",
  key: (e) => formatPrefix(e.prefix),
};

// cilium_lb4_reverse_sk is keyed by (cookie, backend address, backend port).
const SOCKNAT: TableKeying<SocknatEntry> = {
  entryName: "socknat entry",
  key: (e) => `${e.cookie} ${l4(e.backend)}`,
  comparable: (e) => `${l4(e.frontend)} ${e.revNatId}`,
};

const ENDPOINTS: TableKeying<EndpointEntry> = {
  entryName: "endpoint",
  key: (e) => String(e.id),
};

// `map list` counts and `map list --verbose` rows of the same map complement each other; counts
// taken at different times differ without anything being wrong.
const MAP_LIST: TableKeying<MapListEntry> = {
  entryName: "map",
  key: (e) => e.name,
  combine: (earlier, later) =>
    later.rows === undefined && earlier.rows !== undefined ? { ...later, rows: earlier.rows } : later,
  quietConflicts: true,
};

export function stateTables(dumps: NodeDumps, warn: (warning: SnapshotWarning) => void): StateTables {
  return {
    ipcache: mergeTables(dumps.ipcache, IPCACHE, warn),
    identities: mergeTables(dumps.identities, IDENTITIES, warn),
    ct: mergeTables(dumps.ct, CT, warn),
    nat: mergeTables(dumps.nat, NAT, warn),
    ipmasq: mergeTables(dumps.ipmasq, IPMASQ, warn),
    socknat: mergeTables(dumps.socknat, SOCKNAT, warn),
    endpoints: mergeTables(dumps.endpoints, ENDPOINTS, warn),
    mapList: mergeTables(dumps.mapList, MAP_LIST, warn),
  };
}

/** A node-state table's IPv6 entries: kept in the model, not emulated. */
export interface Ipv6Kept {
  readonly table: keyof StateTables;
  readonly count: number;
  /** One of them, as printed. */
  readonly example: string;
  /** The first dump holding one. */
  readonly where: DumpRecord | undefined;
}

type Ipv6Text<T> = (entry: T) => string | undefined;

const prefixV6 = (e: { readonly prefix: IpPrefix }): string | undefined =>
  e.prefix.family === "ipv6" ? formatPrefix(e.prefix) : undefined;

const flowV6 = (e: {
  readonly family: IpFamily;
  readonly source: L4Address;
  readonly destination: L4Address;
}): string | undefined =>
  e.family === "ipv6"
    ? `[${e.source.address}]:${e.source.port} -> [${e.destination.address}]:${e.destination.port}`
    : undefined;

/** Per table, the IPv6 entries of a view (endpoints: those with an IPv6 address only). */
export function ipv6Entries(tables: StateTables, dumps?: NodeDumps): Ipv6Kept[] {
  const found: Ipv6Kept[] = [];
  const add = <T>(
    table: keyof StateTables,
    entries: readonly T[],
    located: readonly Located<readonly T[]>[] | undefined,
    text: Ipv6Text<T>,
  ) => {
    let count = 0;
    let example: string | undefined;
    for (const entry of entries) {
      const t = text(entry);
      if (t === undefined) continue;
      count++;
      example ??= t;
    }
    if (example === undefined) return;
    const where = located?.find((d) => d.value.some((e) => text(e) !== undefined))?.where;
    found.push({ table, count, example, where });
  };
  add("ipcache", tables.ipcache, dumps?.ipcache, prefixV6);
  add("identities", tables.identities, dumps?.identities, prefixV6);
  add("ct", tables.ct, dumps?.ct, flowV6);
  add("nat", tables.nat, dumps?.nat, flowV6);
  add("ipmasq", tables.ipmasq, dumps?.ipmasq, prefixV6);
  add("socknat", tables.socknat, dumps?.socknat, (e) =>
    e.family === "ipv6" ? `[${e.frontend.address}]:${e.frontend.port}` : undefined,
  );
  add("endpoints", tables.endpoints, dumps?.endpoints, (e) =>
    e.ipv4 === null && e.ipv6 !== null ? `endpoint ${e.id} (${e.ipv6})` : undefined,
  );
  return found;
}
