// Reference twin of assembly/datapath/node.ts and layout.ts: the emulated node's maps (the
// reference BPF map twins, so capacity and LRU behaviour are the Wasm maps' own) and its
// configuration. Keys and values are byte records in the same layouts as the Wasm side.
import { ReferenceHashMap } from "../maps/hash-map.js";
import { ReferenceLpmMap } from "../maps/lpm-trie.js";
import { Xoshiro128 } from "../../model/prng.js";
import type { EngineConfig } from "../../engine/engine.js";
import { prefixMask } from "../../engine/engine.js";

export const TUPLE_SIZE = 14;
export const CT_VALUE_SIZE = 32;
export const NAT_VALUE_SIZE = 16;
export const SVC_KEY_SIZE = 12;
export const SVC_VALUE_SIZE = 12;

export const TUPLE_F_OUT = 0;
export const TUPLE_F_IN = 1;
export const TUPLE_F_RELATED = 2;
export const TUPLE_F_SERVICE = 4;

export const CTF_RX_CLOSING = 0x001;
export const CTF_TX_CLOSING = 0x002;
export const CTF_LB_LOOPBACK = 0x008;
export const CTF_SEEN_NON_SYN = 0x010;
export const CTF_NODE_PORT = 0x020;
/** dsr_internal: the flow reached this node's backend by DSR; its replies leave with the service address. */
export const CTF_DSR_INTERNAL = 0x080;

export const SVC_F_AFFINITY = 0x10;
export const SVC_F_ROUTABLE = 0x40;
export const SVC_F_SOURCE_RANGE = 0x80;
export const SVC_F2_TWO_SCOPES = 0x20;
export const SVC_F2_SOURCE_RANGE_DENY = 0x40;

export const IPCACHE_F_SKIP_TUNNEL = 0x1;
export const IPCACHE_F_HAS_TUNNEL = 0x2;

export const ID_WORLD = 2;
export const ID_REMOTE_NODE = 6;
export const ID_KUBE_APISERVER = 7;

export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const ICMP_ECHOREPLY = 0;
export const ICMP_DEST_UNREACH = 3;
export const ICMP_ECHO = 8;
export const ICMP_TIME_EXCEEDED = 11;
export const ICMP_PARAMETERPROB = 12;
/** Trace report interval (CT_REPORT_INTERVAL) in seconds. */
export const CT_REPORT_INTERVAL = 5;

export const AFFINITY_TIMEOUT_MASK = 0xffffff;
export const LB_ALGORITHM_SHIFT = 24;
export const LB_ALG_RANDOM = 1;
export const LB_ALG_MAGLEV = 2;
export const BE_STATE_ACTIVE = 0;

/** A CT tuple / SNAT key as fields. */
export interface Tuple {
  daddr: number;
  saddr: number;
  dport: number;
  sport: number;
  nexthdr: number;
  flags: number;
}

export function encodeTuple(t: Tuple): Uint8Array {
  const bytes = new Uint8Array(TUPLE_SIZE);
  const v = new DataView(bytes.buffer);
  v.setUint32(0, t.daddr, true);
  v.setUint32(4, t.saddr, true);
  v.setUint16(8, t.dport, true);
  v.setUint16(10, t.sport, true);
  v.setUint8(12, t.nexthdr);
  v.setUint8(13, t.flags);
  return bytes;
}

export function decodeTuple(bytes: Uint8Array): Tuple {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    daddr: v.getUint32(0, true),
    saddr: v.getUint32(4, true),
    dport: v.getUint16(8, true),
    sport: v.getUint16(10, true),
    nexthdr: v.getUint8(12),
    flags: v.getUint8(13),
  };
}

/** A CT entry as fields (the Wasm CT value layout). */
export interface CtEntry {
  lifetime: number;
  flags: number;
  revNat: number;
  backendId: number;
  srcSecId: number;
  txFlagsSeen: number;
  rxFlagsSeen: number;
  lastTxReport: number;
  lastRxReport: number;
}

export const emptyCtEntry = (): CtEntry => ({
  lifetime: 0,
  flags: 0,
  revNat: 0,
  backendId: 0,
  srcSecId: 0,
  txFlagsSeen: 0,
  rxFlagsSeen: 0,
  lastTxReport: 0,
  lastRxReport: 0,
});

export function encodeCtEntry(e: CtEntry): Uint8Array {
  const bytes = new Uint8Array(CT_VALUE_SIZE);
  const v = new DataView(bytes.buffer);
  v.setUint32(0, e.lifetime >>> 0, true);
  v.setUint16(4, e.flags, true);
  v.setUint16(6, e.revNat, true);
  v.setUint32(8, e.backendId >>> 0, true);
  v.setUint32(12, e.srcSecId >>> 0, true);
  v.setUint8(16, e.txFlagsSeen);
  v.setUint8(17, e.rxFlagsSeen);
  v.setUint32(20, e.lastTxReport >>> 0, true);
  v.setUint32(24, e.lastRxReport >>> 0, true);
  return bytes;
}

export function decodeCtEntry(bytes: Uint8Array): CtEntry {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    lifetime: v.getUint32(0, true),
    flags: v.getUint16(4, true),
    revNat: v.getUint16(6, true),
    backendId: v.getUint32(8, true),
    srcSecId: v.getUint32(12, true),
    txFlagsSeen: v.getUint8(16),
    rxFlagsSeen: v.getUint8(17),
    lastTxReport: v.getUint32(20, true),
    lastRxReport: v.getUint32(24, true),
  };
}

/** A SNAT entry as fields. */
export interface NatEntry {
  created: number;
  needsCt: boolean;
  addr: number;
  port: number;
}

export function encodeNatEntry(e: NatEntry): Uint8Array {
  const bytes = new Uint8Array(NAT_VALUE_SIZE);
  const v = new DataView(bytes.buffer);
  v.setUint32(0, e.created >>> 0, true);
  v.setUint8(4, e.needsCt ? 1 : 0);
  v.setUint32(8, e.addr >>> 0, true);
  v.setUint16(12, e.port, true);
  return bytes;
}

export function decodeNatEntry(bytes: Uint8Array): NatEntry {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    created: v.getUint32(0, true),
    needsCt: v.getUint8(4) !== 0,
    addr: v.getUint32(8, true),
    port: v.getUint16(12, true),
  };
}

/** lb4 service key / value as fields. */
export interface SvcKey {
  address: number;
  port: number;
  slot: number;
  proto: number;
  scope: number;
}

export interface SvcValue {
  union: number;
  count: number;
  revNat: number;
  flags: number;
  flags2: number;
  qcount: number;
}

export function encodeSvcKey(k: SvcKey): Uint8Array {
  const bytes = new Uint8Array(SVC_KEY_SIZE);
  const v = new DataView(bytes.buffer);
  v.setUint32(0, k.address, true);
  v.setUint16(4, k.port, true);
  v.setUint16(6, k.slot, true);
  v.setUint8(8, k.proto);
  v.setUint8(9, k.scope);
  return bytes;
}

export function encodeSvcValue(s: SvcValue): Uint8Array {
  const bytes = new Uint8Array(SVC_VALUE_SIZE);
  const v = new DataView(bytes.buffer);
  v.setUint32(0, s.union >>> 0, true);
  v.setUint16(4, s.count, true);
  v.setUint16(6, s.revNat, true);
  v.setUint8(8, s.flags);
  v.setUint8(9, s.flags2);
  v.setUint16(10, s.qcount, true);
  return bytes;
}

export function decodeSvcValue(bytes: Uint8Array): SvcValue {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    union: v.getUint32(0, true),
    count: v.getUint16(4, true),
    revNat: v.getUint16(6, true),
    flags: v.getUint8(8),
    flags2: v.getUint8(9),
    qcount: v.getUint16(10, true),
  };
}

export function u32Key(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value >>> 0, true);
  return bytes;
}

export const u32At = (bytes: Uint8Array, offset: number): number =>
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(offset, true);
export const u16At = (bytes: Uint8Array, offset: number): number =>
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint16(offset, true);

/** Backend, local endpoint and ipcache values as fields. */
export interface BackendValue {
  address: number;
  port: number;
  proto: number;
  state: number;
}

export function decodeBackend(bytes: Uint8Array): BackendValue {
  return { address: u32At(bytes, 0), port: u16At(bytes, 4), proto: bytes[6]!, state: bytes[7]! };
}

export interface IpcacheValue {
  identity: number;
  tunnel: number;
  flags: number;
}

export function decodeIpcache(bytes: Uint8Array): IpcacheValue {
  return { identity: u32At(bytes, 0), tunnel: u32At(bytes, 4), flags: bytes[8]! };
}

export interface EndpointValue {
  id: number;
  identity: number;
  isHost: boolean;
}

export function decodeEndpoint(bytes: Uint8Array): EndpointValue {
  return { id: u32At(bytes, 0), identity: u32At(bytes, 4), isHost: u32At(bytes, 8) !== 0 };
}

export interface SourceRange {
  revNat: number;
  prefix: number;
  mask: number;
}

/** The emulated node: maps, configuration, PRNG and counters. */
export class RefNode {
  readonly services: ReferenceHashMap;
  readonly backends: ReferenceHashMap;
  readonly revNat: ReferenceHashMap;
  readonly endpoints: ReferenceHashMap;
  readonly maglev = new Map<number, Uint32Array>();
  readonly ipcache: ReferenceLpmMap;
  readonly ipMasq: ReferenceLpmMap;
  readonly ctTcp: ReferenceHashMap;
  readonly ctAny: ReferenceHashMap;
  readonly nat: ReferenceHashMap;
  readonly affinity: ReferenceHashMap;
  readonly sourceRanges: SourceRange[] = [];
  readonly sourceRangeMax = 1024;
  readonly config: EngineConfig;
  readonly nativeCidrMask: number;
  readonly nativeCidrPrefix: number;
  prng: Xoshiro128;
  nextGc = 0;
  gcStarted = false;
  packets = 0;
  forwarded = 0;
  dropped = 0;
  gcRuns = 0;
  gcCtDeleted = 0;
  gcNatDeleted = 0;
  ctEvictions = 0;
  natEvictions = 0;

  constructor(config: EngineConfig) {
    const c = config.capacities;
    this.config = config;
    this.services = new ReferenceHashMap({
      kind: "hash",
      keySize: SVC_KEY_SIZE,
      valueSize: SVC_VALUE_SIZE,
      maxEntries: c.services,
    });
    this.backends = new ReferenceHashMap({ kind: "hash", keySize: 4, valueSize: 12, maxEntries: c.backends });
    const revNatMax = Math.max(c.backends, c.services);
    this.revNat = new ReferenceHashMap({ kind: "hash", keySize: 4, valueSize: 8, maxEntries: revNatMax });
    this.endpoints = new ReferenceHashMap({
      kind: "hash",
      keySize: 4,
      valueSize: 12,
      maxEntries: c.endpoints,
    });
    this.ipcache = new ReferenceLpmMap({ valueSize: 12, maxEntries: c.ipcache });
    this.ipMasq = new ReferenceLpmMap({ valueSize: 4, maxEntries: 16384 });
    this.ctTcp = new ReferenceHashMap({
      kind: "lru_hash",
      keySize: TUPLE_SIZE,
      valueSize: CT_VALUE_SIZE,
      maxEntries: c.ctTcp,
    });
    this.ctAny = new ReferenceHashMap({
      kind: "lru_hash",
      keySize: TUPLE_SIZE,
      valueSize: CT_VALUE_SIZE,
      maxEntries: c.ctAny,
    });
    this.nat = new ReferenceHashMap({
      kind: "lru_hash",
      keySize: TUPLE_SIZE,
      valueSize: NAT_VALUE_SIZE,
      maxEntries: c.nat,
    });
    this.affinity = new ReferenceHashMap({
      kind: "lru_hash",
      keySize: 8,
      valueSize: 8,
      maxEntries: c.affinity,
    });
    this.prng = new Xoshiro128(config.seed);
    this.nativeCidrMask = config.nativeCidr ? prefixMask(config.nativeCidr.prefixLen) : 0;
    this.nativeCidrPrefix = config.nativeCidr ? (config.nativeCidr.prefix & this.nativeCidrMask) >>> 0 : 0;
  }

  /** TCP entries live in ct4_global, everything else in ct_any4_global. */
  ctMapFor(nexthdr: number): ReferenceHashMap {
    return nexthdr === IPPROTO_TCP ? this.ctTcp : this.ctAny;
  }
}
