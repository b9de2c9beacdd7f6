// The emulated node's maps read back as map-level entries (the DatapathState shapes). Both engines
// store every key and value in the same byte layouts (assembly/datapath/layout.ts; its twin
// src/reference/datapath/node.ts), so one set of decoders (src/wasm/codec.ts) reads both, and a
// difference between their read-backs is a difference in what they stored.
import type {
  BackendMapEntry,
  CtMapEntry,
  IpcacheMapEntry,
  LocalEndpoint,
  NatMapEntry,
  RevNatMapEntry,
  ServiceMapEntry,
} from "./state.js";
import type { Cidr } from "../model/ipv4.js";

/** A `cilium_lb4_backends_v3` record as stored: the Maglev weight lives in the agent, not the map. */
export type BackendRecord = Omit<BackendMapEntry, "weight">;

/** One session-affinity entry (`cilium_lb4_affinity`): the backend a client was last sent to. */
export interface AffinityMapEntry {
  client: number;
  revNatId: number;
  /** Datapath seconds of the last selection. */
  lastUsed: number;
  backendId: number;
}

/** One Maglev lookup table (`cilium_lb4_maglev`): M backend IDs for a rev-NAT ID. */
export interface MaglevMapEntry {
  revNatId: number;
  backendIds: number[];
}

/** Every map of an emulated node, as read back. */
export interface DatapathMaps {
  /** `cilium_lb4_services_v2`: masters (slot 0) and backend slots. */
  services: ServiceMapEntry[];
  backends: BackendRecord[];
  revNat: RevNatMapEntry[];
  /** `cilium_ipcache_v2` (IPv4, cluster 0). */
  ipcache: IpcacheMapEntry[];
  /** `cilium_ipmasq_v4`: the ip-masq-agent's non-masquerade CIDRs. */
  ipMasq: Cidr[];
  /** `cilium_ct4_global` (TCP). */
  ctTcp: CtMapEntry[];
  /** `cilium_ct_any4_global` (every other protocol). */
  ctAny: CtMapEntry[];
  /** `cilium_snat_v4_external`. */
  nat: NatMapEntry[];
  maglev: MaglevMapEntry[];
  /** `cilium_lxc`: local endpoints. */
  endpoints: LocalEndpoint[];
  affinity: AffinityMapEntry[];
}

/** The name of an emulated map that Datapath.readMap reads back. */
export type DatapathMapName = keyof DatapathMaps;

/** Every map Datapath.readMap can read, in dump order. */
export const DATAPATH_MAP_NAMES: readonly DatapathMapName[] = [
  "services",
  "backends",
  "revNat",
  "ipcache",
  "ipMasq",
  "ctTcp",
  "ctAny",
  "nat",
  "maglev",
  "endpoints",
  "affinity",
];

/** Reads an engine's maps without side effects (no LRU refresh), in the map's key byte order. */
export interface MapReader {
  readMap<K extends DatapathMapName>(name: K): DatapathMaps[K];
}
