// The emulated node's maps read back as map-level entries (the DatapathState shapes), and the
// decoders from their stored bytes. Both engines store every key and value in the same byte
// layouts (assembly/datapath/layout.ts; its twin src/reference/datapath/node.ts), so one decoder
// reads both, and a difference between their read-backs is a difference in what they stored.
import type {
  BackendMapEntry,
  Cidr,
  CtMapEntry,
  IpcacheMapEntry,
  LocalEndpoint,
  NatMapEntry,
  RevNatMapEntry,
  ServiceAlgorithm,
  ServiceMapEntry,
} from "../engine/state.js";
import { SvcFlag2 } from "../engine/state.js";

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

export type DatapathMapName = keyof DatapathMaps;

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

/** One stored entry: its key and value bytes. LPM maps give {u32 address, u32 prefix length}. */
export interface RawRecord {
  key: Uint8Array;
  value: Uint8Array;
}

/** Key and value sizes of each map's records (what the decoders below read). */
export const RECORD_SIZES: Readonly<Record<Exclude<DatapathMapName, "maglev">, [number, number]>> = {
  services: [12, 12],
  backends: [4, 12],
  revNat: [4, 8],
  ipcache: [8, 12],
  ipMasq: [8, 4],
  ctTcp: [14, 32],
  ctAny: [14, 32],
  nat: [14, 16],
  endpoints: [4, 12],
  affinity: [8, 8],
};

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

function decodeService({ key, value }: RawRecord): ServiceMapEntry {
  const k = view(key);
  const v = view(value);
  const slot = k.getUint16(6, true);
  const union = v.getUint32(0, true);
  const flags2 = v.getUint8(9);
  const entry: ServiceMapEntry = {
    address: k.getUint32(0, true),
    port: k.getUint16(4, true),
    proto: k.getUint8(8),
    scope: k.getUint8(9) === 1 ? 1 : 0,
    slot,
    backendId: slot === 0 ? 0 : union,
    count: v.getUint16(4, true),
    qcount: v.getUint16(10, true),
    revNatId: v.getUint16(6, true),
    flags: v.getUint8(8),
    flags2,
    affinityTimeoutSec: 0,
    algorithm: 0,
  };
  if (slot !== 0) return entry;
  // The master's union word: an L7 load balancer's proxy port, else algorithm and affinity timeout.
  if ((flags2 & SvcFlag2.L7_LOADBALANCER) !== 0) return { ...entry, l7ProxyPort: union };
  return { ...entry, algorithm: (union >>> 24) as ServiceAlgorithm, affinityTimeoutSec: union & 0xffffff };
}

function decodeBackend({ key, value }: RawRecord): BackendRecord {
  const v = view(value);
  return {
    id: view(key).getUint32(0, true),
    address: v.getUint32(0, true),
    port: v.getUint16(4, true),
    proto: v.getUint8(6),
    state: v.getUint8(7) as BackendRecord["state"],
  };
}

function decodeRevNat({ key, value }: RawRecord): RevNatMapEntry {
  const v = view(value);
  return { id: view(key).getUint32(0, true), address: v.getUint32(0, true), port: v.getUint32(4, true) };
}

function decodeIpcache({ key, value }: RawRecord): IpcacheMapEntry {
  const k = view(key);
  const v = view(value);
  return {
    prefix: k.getUint32(0, true),
    prefixLen: k.getUint32(4, true),
    identity: v.getUint32(0, true),
    tunnelEndpoint: v.getUint32(4, true),
    encryptKey: v.getUint8(9),
    flags: v.getUint8(8),
  };
}

function decodeCidr({ key }: RawRecord): Cidr {
  const k = view(key);
  return { prefix: k.getUint32(0, true), prefixLen: k.getUint32(4, true) };
}

function decodeTuple(key: Uint8Array): CtMapEntry["tuple"] {
  const k = view(key);
  return {
    daddr: k.getUint32(0, true),
    saddr: k.getUint32(4, true),
    dport: k.getUint16(8, true),
    sport: k.getUint16(10, true),
    nexthdr: k.getUint8(12),
    flags: k.getUint8(13),
  };
}

function decodeCt({ key, value }: RawRecord): CtMapEntry {
  const v = view(value);
  return {
    tuple: decodeTuple(key),
    lifetime: v.getUint32(0, true),
    flags: v.getUint16(4, true),
    revNatId: v.getUint16(6, true),
    backendId: v.getUint32(8, true),
    srcSecId: v.getUint32(12, true),
    txFlagsSeen: v.getUint8(16),
    rxFlagsSeen: v.getUint8(17),
    lastTxReport: v.getUint32(20, true),
    lastRxReport: v.getUint32(24, true),
  };
}

function decodeNat({ key, value }: RawRecord): NatMapEntry {
  const v = view(value);
  return {
    tuple: decodeTuple(key),
    created: v.getUint32(0, true),
    needsCt: v.getUint8(4) !== 0,
    address: v.getUint32(8, true),
    port: v.getUint16(12, true),
  };
}

function decodeEndpoint({ key, value }: RawRecord): LocalEndpoint {
  const v = view(value);
  return {
    address: view(key).getUint32(0, true),
    endpointId: v.getUint32(0, true),
    identity: v.getUint32(4, true),
    isHost: v.getUint32(8, true) !== 0,
  };
}

function decodeAffinity({ key, value }: RawRecord): AffinityMapEntry {
  const k = view(key);
  const v = view(value);
  return {
    client: k.getUint32(0, true),
    revNatId: k.getUint32(4, true),
    lastUsed: v.getUint32(0, true),
    backendId: v.getUint32(4, true),
  };
}

const DECODERS: {
  readonly [K in Exclude<DatapathMapName, "maglev">]: (record: RawRecord) => DatapathMaps[K][number];
} = {
  services: decodeService,
  backends: decodeBackend,
  revNat: decodeRevNat,
  ipcache: decodeIpcache,
  ipMasq: decodeCidr,
  ctTcp: decodeCt,
  ctAny: decodeCt,
  nat: decodeNat,
  endpoints: decodeEndpoint,
  affinity: decodeAffinity,
};

/** Decodes the stored records of one map (every map but Maglev, whose tables are not records). */
export function decodeRecords<K extends Exclude<DatapathMapName, "maglev">>(
  name: K,
  records: readonly RawRecord[],
): DatapathMaps[K] {
  const [keySize, valueSize] = RECORD_SIZES[name];
  const decode = DECODERS[name] as (record: RawRecord) => DatapathMaps[K][number];
  return records.map((record) => {
    if (record.key.length !== keySize || record.value.length !== valueSize) {
      throw new Error(
        `dpemu: ${name} record of ${record.key.length}+${record.value.length} bytes, expected ${keySize}+${valueSize} (engine and host layouts differ)`,
      );
    }
    return decode(record);
  }) as DatapathMaps[K];
}
