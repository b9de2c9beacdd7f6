// Every encoder and decoder of the records the host and the module share: packet and verdict
// records, the node configuration and statistics records, the maps' key and value records, Maglev
// backend records and flow records. Offsets come from the module's exported constants, generated
// into layout.generated.ts, so this file needs no module instance (the reference engine's replay
// reads and writes the same records with the module never loaded). Outside src/wasm/, code passes
// records around (a DataView and a byte offset) and reads or writes them only through here.
import type {
  AffinityMapEntry,
  BackendRecord,
  DatapathMapName,
  DatapathMaps,
} from "../engine/map-records.js";
import type { EngineConfig, EngineStats } from "../engine/engine.js";
import { prefixMask, serviceUnionWord } from "../engine/engine.js";
import type {
  CtMapEntry,
  IpcacheMapEntry,
  LocalEndpoint,
  NatMapEntry,
  RevNatMapEntry,
  ServiceAlgorithm,
  ServiceMapEntry,
} from "../engine/state.js";
import type { Cidr } from "../model/ipv4.js";
import { ServiceFlag } from "../model/service-flags.js";
import {
  CT_STATE_NAMES,
  ENCAP_NAMES,
  type CtState,
  type DatapathVerdict,
  type EncapType,
} from "../engine/verdict.js";
import { EntryPoint, type PacketRecord } from "../model/packet.js";
import { WASM_CONSTANTS as K, type WasmConstantName } from "./layout.generated.js";

/** Every constant the module exports (record layouts, VFLAG_*, OBS_*, DROP_*, ...), by name. */
export type RecordLayout = typeof K;

/** The module's constants, known without instantiating it (see layout.generated.ts). */
export const RECORD_LAYOUT: RecordLayout = K;

const LE = true;

/** Records in a buffer (a batch's own, or the module's memory): pass it with a byte offset to this file's functions. */
export type RecordView = DataView;

/**
 * Copies `length` bytes of records (a multiple of 4) from `src` at `from` to `dst` at `at`, views of
 * possibly different memories (a Wasm area and a shared ring slot). Short runs are copied word by
 * word, so no view is made for them.
 */
export function copyRecords(
  dst: RecordView,
  at: number,
  src: RecordView,
  from: number,
  length: number,
): void {
  if (length < 512) {
    for (let k = 0; k < length; k += 4) dst.setUint32(at + k, src.getUint32(from + k, true), true);
    return;
  }
  new Uint8Array(dst.buffer, dst.byteOffset + at, length).set(
    new Uint8Array(src.buffer, src.byteOffset + from, length),
  );
}

/** A view of records in `buffer` (e.g. a batch buffer that crosses threads). */
export function recordView(buffer: ArrayBuffer): RecordView {
  return new DataView(buffer);
}

// ---- packet records ------------------------------------------------------------------------------

// The per-packet records' offsets and codes, hoisted out of K into module constants: in a hot
// function, `K.X` costs a load of the imported binding, a hole check, a map check and a field load
// per field (about 30 instructions), where V8 folds a module constant into the code.
const {
  PACKET_SECONDS,
  PACKET_NANOSECONDS,
  PACKET_SADDR,
  PACKET_DADDR,
  PACKET_SPORT,
  PACKET_DPORT,
  PACKET_PROTO,
  PACKET_TCP_FLAGS,
  PACKET_ENTRY,
  PACKET_ICMP_TYPE,
  PACKET_ICMP_CODE,
  PACKET_LENGTH,
  PACKET_DSR_ADDR,
  PACKET_DSR_PORT,
  ENTRY_UNKNOWN,
  ENTRY_FROM_ENDPOINT,
  ENTRY_FROM_NETWORK,
  ENTRY_FROM_OVERLAY,
} = K;

/** Bytes of one packet record. */
export const PACKET_RECORD_SIZE: number = K.PACKET_RECORD_SIZE;

/** A PacketRecord's entry point → the module's ENTRY_* code. */
export function entryCode(entry: EntryPoint): number {
  switch (entry) {
    case EntryPoint.FromEndpoint:
      return ENTRY_FROM_ENDPOINT;
    case EntryPoint.FromNetwork:
      return ENTRY_FROM_NETWORK;
    case EntryPoint.FromOverlay:
      return ENTRY_FROM_OVERLAY;
    default:
      return ENTRY_UNKNOWN;
  }
}

/** The entry point an ENTRY_* code stands for (the inverse of entryCode). */
export function entryPointOf(code: number): EntryPoint {
  if (code === ENTRY_FROM_ENDPOINT) return EntryPoint.FromEndpoint;
  if (code === ENTRY_FROM_NETWORK) return EntryPoint.FromNetwork;
  if (code === ENTRY_FROM_OVERLAY) return EntryPoint.FromOverlay;
  return EntryPoint.Unknown;
}

/** Writes one packet record at `at`. */
export function encodePacket(view: DataView, at: number, p: PacketRecord): void {
  // Every field read before the first write (V8 checks p's map again after each DataView write),
  // and narrowed as the setters would (`& 0xffff` is ToUint16 for numbers) but in integer code.
  const { seconds, nanoseconds, saddr, daddr, sport, dport, proto, tcpFlags, entry } = p;
  const { icmpType, icmpCode, ipLength, dsrAddr, dsrPort } = p;
  view.setUint32(at + PACKET_SECONDS, seconds >>> 0, LE);
  view.setUint32(at + PACKET_NANOSECONDS, nanoseconds >>> 0, LE);
  view.setUint32(at + PACKET_SADDR, saddr >>> 0, LE);
  view.setUint32(at + PACKET_DADDR, daddr >>> 0, LE);
  view.setUint16(at + PACKET_SPORT, sport & 0xffff, LE);
  view.setUint16(at + PACKET_DPORT, dport & 0xffff, LE);
  view.setUint8(at + PACKET_PROTO, proto & 0xff);
  view.setUint8(at + PACKET_TCP_FLAGS, tcpFlags & 0xff);
  view.setUint8(at + PACKET_ENTRY, entryCode(entry));
  view.setUint8(at + PACKET_ICMP_TYPE, icmpType & 0xff);
  view.setUint8(at + PACKET_ICMP_CODE, icmpCode & 0xff);
  view.setUint32(at + PACKET_LENGTH, ipLength >>> 0, LE);
  view.setUint32(at + PACKET_DSR_ADDR, dsrAddr >>> 0, LE);
  view.setUint16(at + PACKET_DSR_PORT, dsrPort & 0xffff, LE);
}

/** Reads one packet record at `at` into `p` (the fields encodePacket writes; the rest stay as they are). */
export function decodePacket(view: DataView, at: number, p: PacketRecord): void {
  p.seconds = view.getUint32(at + PACKET_SECONDS, LE);
  p.nanoseconds = view.getUint32(at + PACKET_NANOSECONDS, LE);
  p.saddr = view.getUint32(at + PACKET_SADDR, LE);
  p.daddr = view.getUint32(at + PACKET_DADDR, LE);
  p.sport = view.getUint16(at + PACKET_SPORT, LE);
  p.dport = view.getUint16(at + PACKET_DPORT, LE);
  p.proto = view.getUint8(at + PACKET_PROTO);
  p.tcpFlags = view.getUint8(at + PACKET_TCP_FLAGS);
  p.entry = entryPointOf(view.getUint8(at + PACKET_ENTRY));
  p.icmpType = view.getUint8(at + PACKET_ICMP_TYPE);
  p.icmpCode = view.getUint8(at + PACKET_ICMP_CODE);
  p.ipLength = view.getUint32(at + PACKET_LENGTH, LE);
  p.dsrAddr = view.getUint32(at + PACKET_DSR_ADDR, LE);
  p.dsrPort = view.getUint16(at + PACKET_DSR_PORT, LE);
}

/** Overwrites the entry point of the packet record at `at`. */
export function setPacketEntry(view: DataView, at: number, entry: EntryPoint): void {
  view.setUint8(at + PACKET_ENTRY, entryCode(entry));
}

/** Source address of the packet record at `at`. */
export function packetSaddr(view: DataView, at: number): number {
  return view.getUint32(at + PACKET_SADDR, LE);
}

/** Source port of the packet record at `at`. */
export function packetSport(view: DataView, at: number): number {
  return view.getUint16(at + PACKET_SPORT, LE);
}

/** Destination address of the packet record at `at`. */
export function packetDaddr(view: DataView, at: number): number {
  return view.getUint32(at + PACKET_DADDR, LE);
}

/** Destination port of the packet record at `at`. */
export function packetDport(view: DataView, at: number): number {
  return view.getUint16(at + PACKET_DPORT, LE);
}

/** Capture time of the packet record at `at`: whole seconds. */
export function packetSeconds(view: DataView, at: number): number {
  return view.getUint32(at + PACKET_SECONDS, LE);
}

/** Capture time of the packet record at `at`: nanoseconds within the second. */
export function packetNanoseconds(view: DataView, at: number): number {
  return view.getUint32(at + PACKET_NANOSECONDS, LE);
}

/** IP protocol number of the packet record at `at`. */
export function packetProto(view: DataView, at: number): number {
  return view.getUint8(at + PACKET_PROTO);
}

/** TCP flag bits (the low byte) of the packet record at `at`. */
export function packetTcpFlags(view: DataView, at: number): number {
  return view.getUint8(at + PACKET_TCP_FLAGS);
}

/** ICMP type of the packet record at `at`. */
export function packetIcmpType(view: DataView, at: number): number {
  return view.getUint8(at + PACKET_ICMP_TYPE);
}

/** ICMP code of the packet record at `at`. */
export function packetIcmpCode(view: DataView, at: number): number {
  return view.getUint8(at + PACKET_ICMP_CODE);
}

/** Rewrites the addresses, ports and entry point of the packet record at `at`. */
export function setPacketPath(
  view: DataView,
  at: number,
  saddr: number,
  sport: number,
  daddr: number,
  dport: number,
  entry: EntryPoint,
): void {
  view.setUint32(at + PACKET_SADDR, saddr, LE);
  view.setUint16(at + PACKET_SPORT, sport, LE);
  view.setUint32(at + PACKET_DADDR, daddr, LE);
  view.setUint16(at + PACKET_DPORT, dport, LE);
  view.setUint8(at + PACKET_ENTRY, entryCode(entry));
}

// ---- verdict records -----------------------------------------------------------------------------

// Hoisted like the packet record's (see above).
const {
  VERDICT_VERDICT,
  VERDICT_DROP_REASON,
  VERDICT_OBS_POINT,
  VERDICT_CT_STATE,
  VERDICT_FLAGS,
  VERDICT_REV_NAT_ID,
  VERDICT_BACKEND_ID,
  VERDICT_SADDR,
  VERDICT_DADDR,
  VERDICT_SPORT,
  VERDICT_DPORT,
  VERDICT_SRC_IDENTITY,
  VERDICT_DST_IDENTITY,
  VERDICT_TUNNEL_ENDPOINT,
  VERDICT_SERVICE_CT_STATE,
  VERDICT_DST_ENDPOINT,
  VERDICT_ENCAP,
  VERDICT_ENCAP_DSR,
  VERDICT_ENCAP_OVERHEAD,
  VERDICT_DSR_PORT,
  VERDICT_DSR_ADDR,
  VERDICT_OUTER_SADDR,
  VERDICT_OUTER_DADDR,
  VERDICT_DROPPED,
  VERDICT_FORWARDED,
  SERVICE_CT_NONE,
  CT_NEW,
  CT_REPLY,
} = K;

/** Bytes of one verdict record. */
export const VERDICT_RECORD_SIZE: number = K.VERDICT_RECORD_SIZE;

const CT_STATE_CODES: Readonly<Record<CtState, number>> = {
  new: CT_NEW,
  established: K.CT_ESTABLISHED,
  reply: CT_REPLY,
  related: K.CT_RELATED,
};

const ENCAP_CODES: Readonly<Record<EncapType, number>> = {
  none: K.ENCAP_NONE,
  vxlan: K.ENCAP_VXLAN,
  geneve: K.ENCAP_GENEVE,
  ipip: K.ENCAP_IPIP,
};

const VFLAG_NAMES = (Object.keys(K) as WasmConstantName[]).filter((name) => name.startsWith("VFLAG_"));

/** Names of the VFLAG_* bits set in `flags` ("SERVICE", "DNAT", ...). */
export function verdictFlagNames(flags: number): string[] {
  return VFLAG_NAMES.filter((name) => (flags & K[name]) !== 0).map((name) => name.slice(6));
}

/** Writes one verdict record at `at` (what the reference engine's verdicts become in a replay). */
export function encodeVerdict(view: DataView, at: number, v: DatapathVerdict): void {
  view.setUint8(at + VERDICT_VERDICT, v.verdict === "DROPPED" ? VERDICT_DROPPED : VERDICT_FORWARDED);
  view.setUint8(at + VERDICT_DROP_REASON, v.dropReason);
  view.setUint8(at + VERDICT_OBS_POINT, v.observationPoint);
  view.setUint8(at + VERDICT_CT_STATE, CT_STATE_CODES[v.ctState] ?? CT_NEW);
  view.setUint16(at + VERDICT_FLAGS, v.flags, LE);
  view.setUint16(at + VERDICT_REV_NAT_ID, v.revNatId, LE);
  view.setUint32(at + VERDICT_BACKEND_ID, v.backendId, LE);
  view.setUint32(at + VERDICT_SADDR, v.saddr, LE);
  view.setUint32(at + VERDICT_DADDR, v.daddr, LE);
  view.setUint16(at + VERDICT_SPORT, v.sport, LE);
  view.setUint16(at + VERDICT_DPORT, v.dport, LE);
  view.setUint32(at + VERDICT_SRC_IDENTITY, v.srcIdentity, LE);
  view.setUint32(at + VERDICT_DST_IDENTITY, v.dstIdentity, LE);
  view.setUint32(at + VERDICT_TUNNEL_ENDPOINT, v.tunnelEndpoint, LE);
  view.setUint8(
    at + VERDICT_SERVICE_CT_STATE,
    v.serviceCt === null ? SERVICE_CT_NONE : v.serviceCt === "new" ? CT_NEW : CT_REPLY,
  );
  view.setUint32(at + VERDICT_DST_ENDPOINT, v.dstEndpointId, LE);
  view.setUint8(at + VERDICT_ENCAP, ENCAP_CODES[v.encap]);
  view.setUint8(at + VERDICT_ENCAP_DSR, v.dsr ? 1 : 0);
  view.setUint16(at + VERDICT_ENCAP_OVERHEAD, v.encapOverhead, LE);
  view.setUint16(at + VERDICT_DSR_PORT, v.dsrPort, LE);
  view.setUint32(at + VERDICT_DSR_ADDR, v.dsrAddr, LE);
  view.setUint32(at + VERDICT_OUTER_SADDR, v.outerSaddr, LE);
  view.setUint32(at + VERDICT_OUTER_DADDR, v.outerDaddr, LE);
}

/** Reads one verdict record at `at`. */
export function decodeVerdict(view: DataView, at: number): DatapathVerdict {
  const serviceCt = view.getUint8(at + VERDICT_SERVICE_CT_STATE);
  return {
    verdict: view.getUint8(at + VERDICT_VERDICT) === VERDICT_DROPPED ? "DROPPED" : "FORWARDED",
    dropReason: view.getUint8(at + VERDICT_DROP_REASON),
    observationPoint: view.getUint8(at + VERDICT_OBS_POINT),
    ctState: CT_STATE_NAMES[view.getUint8(at + VERDICT_CT_STATE)] ?? "new",
    flags: view.getUint16(at + VERDICT_FLAGS, LE),
    revNatId: view.getUint16(at + VERDICT_REV_NAT_ID, LE),
    backendId: view.getUint32(at + VERDICT_BACKEND_ID, LE),
    saddr: view.getUint32(at + VERDICT_SADDR, LE),
    daddr: view.getUint32(at + VERDICT_DADDR, LE),
    sport: view.getUint16(at + VERDICT_SPORT, LE),
    dport: view.getUint16(at + VERDICT_DPORT, LE),
    srcIdentity: view.getUint32(at + VERDICT_SRC_IDENTITY, LE),
    dstIdentity: view.getUint32(at + VERDICT_DST_IDENTITY, LE),
    tunnelEndpoint: view.getUint32(at + VERDICT_TUNNEL_ENDPOINT, LE),
    serviceCt: serviceCt === SERVICE_CT_NONE ? null : serviceCt === CT_NEW ? "new" : "existing",
    dstEndpointId: view.getUint32(at + VERDICT_DST_ENDPOINT, LE),
    encap: ENCAP_NAMES[view.getUint8(at + VERDICT_ENCAP)] ?? "none",
    outerSaddr: view.getUint32(at + VERDICT_OUTER_SADDR, LE),
    outerDaddr: view.getUint32(at + VERDICT_OUTER_DADDR, LE),
    encapOverhead: view.getUint16(at + VERDICT_ENCAP_OVERHEAD, LE),
    dsr: view.getUint8(at + VERDICT_ENCAP_DSR) !== 0,
    dsrAddr: view.getUint32(at + VERDICT_DSR_ADDR, LE),
    dsrPort: view.getUint16(at + VERDICT_DSR_PORT, LE),
  };
}

// Single fields of a verdict record, for the replay's per-packet counting (no verdict object).

/** Whether the verdict record at `at` is a drop. */
export function verdictDropped(view: DataView, at: number): boolean {
  return view.getUint8(at + VERDICT_VERDICT) === VERDICT_DROPPED;
}

export function verdictDropReason(view: DataView, at: number): number {
  return view.getUint8(at + VERDICT_DROP_REASON);
}

export function verdictObservationPoint(view: DataView, at: number): number {
  return view.getUint8(at + VERDICT_OBS_POINT);
}

/** CT state as its index in CT_STATE_NAMES (0 new, 1 established, 2 reply, 3 related). */
export function verdictCtState(view: DataView, at: number): number {
  return view.getUint8(at + VERDICT_CT_STATE);
}

export function verdictFlags(view: DataView, at: number): number {
  return view.getUint16(at + VERDICT_FLAGS, LE);
}

export function verdictRevNatId(view: DataView, at: number): number {
  return view.getUint16(at + VERDICT_REV_NAT_ID, LE);
}

/** Whether the verdict record at `at` made a new service flow (service CT lookup: new). */
export function verdictNewServiceFlow(view: DataView, at: number): boolean {
  return view.getUint8(at + VERDICT_SERVICE_CT_STATE) === CT_NEW;
}

export function verdictSaddr(view: DataView, at: number): number {
  return view.getUint32(at + VERDICT_SADDR, LE);
}

export function verdictDaddr(view: DataView, at: number): number {
  return view.getUint32(at + VERDICT_DADDR, LE);
}

export function verdictSport(view: DataView, at: number): number {
  return view.getUint16(at + VERDICT_SPORT, LE);
}

export function verdictDport(view: DataView, at: number): number {
  return view.getUint16(at + VERDICT_DPORT, LE);
}

export function verdictBackendId(view: DataView, at: number): number {
  return view.getUint32(at + VERDICT_BACKEND_ID, LE);
}

export function verdictSrcIdentity(view: DataView, at: number): number {
  return view.getUint32(at + VERDICT_SRC_IDENTITY, LE);
}

export function verdictDstIdentity(view: DataView, at: number): number {
  return view.getUint32(at + VERDICT_DST_IDENTITY, LE);
}

export function verdictTunnelEndpoint(view: DataView, at: number): number {
  return view.getUint32(at + VERDICT_TUNNEL_ENDPOINT, LE);
}

// ---- node configuration and statistics -----------------------------------------------------------

/** Bytes of the node configuration record (dpCreate's input). */
export const NODE_CONFIG_SIZE: number = K.NODE_CONFIG_SIZE;

/** Writes the node configuration record at `at`. */
export function encodeNodeConfig(view: DataView, at: number, config: EngineConfig): void {
  const u32 = (offset: number, value: number) => view.setUint32(at + offset, value >>> 0, LE);
  const flag = (offset: number, value: boolean | undefined) => view.setUint8(at + offset, value ? 1 : 0);
  const c = config.capacities;
  const t = config.timeouts;
  const cidr = config.nativeCidr;
  u32(K.NODE_CONFIG_CT_TCP_MAX, c.ctTcp);
  u32(K.NODE_CONFIG_CT_ANY_MAX, c.ctAny);
  u32(K.NODE_CONFIG_NAT_MAX, c.nat);
  u32(K.NODE_CONFIG_AFFINITY_MAX, c.affinity);
  u32(K.NODE_CONFIG_SERVICES_MAX, c.services);
  u32(K.NODE_CONFIG_BACKENDS_MAX, c.backends);
  u32(K.NODE_CONFIG_IPCACHE_MAX, c.ipcache);
  u32(K.NODE_CONFIG_ENDPOINTS_MAX, c.endpoints);
  u32(K.NODE_CONFIG_SEED, config.seed);
  u32(K.NODE_CONFIG_MASQUERADE_ADDRESS, config.masqueradeAddress);
  u32(K.NODE_CONFIG_DIRECT_ROUTING_ADDRESS, config.directRoutingAddress);
  u32(K.NODE_CONFIG_ROUTER_ADDRESS, config.routerAddress);
  u32(K.NODE_CONFIG_LOOPBACK_ADDRESS, config.loopbackAddress);
  u32(K.NODE_CONFIG_NATIVE_CIDR_PREFIX, cidr?.prefix ?? 0);
  u32(K.NODE_CONFIG_NATIVE_CIDR_MASK, cidr ? prefixMask(cidr.prefixLen) : 0);
  u32(K.NODE_CONFIG_NAT_PORT_MIN, config.natPortMin);
  u32(K.NODE_CONFIG_NAT_PORT_MAX, config.natPortMax);
  u32(K.NODE_CONFIG_SNAT_RETRIES, config.snatRetries);
  u32(K.NODE_CONFIG_NODE_ALGORITHM, config.nodeAlgorithm);
  u32(K.NODE_CONFIG_ALGORITHM_OVERRIDE, config.algorithmOverride);
  u32(K.NODE_CONFIG_JHASH_SEED, config.jhashSeed);
  u32(K.NODE_CONFIG_FLOW_HASH_PACKING, config.flowHashPacking);
  u32(K.NODE_CONFIG_GC_INTERVAL, config.gcIntervalSec);
  u32(K.NODE_CONFIG_TIMEOUT_REGULAR_TCP, t.regularTcp);
  u32(K.NODE_CONFIG_TIMEOUT_REGULAR_ANY, t.regularAny);
  u32(K.NODE_CONFIG_TIMEOUT_SERVICE_TCP, t.serviceTcp);
  u32(K.NODE_CONFIG_TIMEOUT_SERVICE_ANY, t.serviceAny);
  u32(K.NODE_CONFIG_TIMEOUT_TCP_SYN, t.tcpSyn);
  u32(K.NODE_CONFIG_TIMEOUT_TCP_CLOSE, t.tcpClose);
  u32(K.NODE_CONFIG_TIMEOUT_SERVICE_CLOSE_REBALANCE, t.serviceCloseRebalance);
  flag(K.NODE_CONFIG_HAS_NATIVE_CIDR, cidr !== null);
  flag(K.NODE_CONFIG_TUNNEL_MODE, config.tunnelMode);
  flag(K.NODE_CONFIG_BPF_HOST_ROUTING, config.bpfHostRouting);
  flag(K.NODE_CONFIG_MASQUERADE, config.masquerade);
  flag(K.NODE_CONFIG_IP_MASQ_AGENT, config.ipMasqAgent);
  flag(K.NODE_CONFIG_SERVICE_PROTOCOLS, config.serviceProtocols);
  flag(K.NODE_CONFIG_RANDOM_PER_FLOW, config.randomPerFlow);
  view.setUint8(at + K.NODE_CONFIG_NODEPORT_MODE, config.nodePortMode);
  view.setUint8(at + K.NODE_CONFIG_DSR_DISPATCH, config.dsrDispatch);
  view.setUint8(at + K.NODE_CONFIG_TUNNEL_PROTOCOL, config.tunnelProtocol);
}

/** Bytes of the statistics record (dpStats's output). */
export const STATS_RECORD_SIZE: number = K.DP_STATS_SIZE;

/** Reads the statistics record at `at`. */
export function decodeStats(view: DataView, at: number): EngineStats {
  const u32 = (offset: number) => view.getUint32(at + offset, LE);
  const u64 = (offset: number) => Number(view.getBigUint64(at + offset, LE));
  return {
    ct: {
      tcp: u32(K.DP_STATS_CT_TCP),
      tcpMax: u32(K.DP_STATS_CT_TCP_MAX),
      any: u32(K.DP_STATS_CT_ANY),
      anyMax: u32(K.DP_STATS_CT_ANY_MAX),
      evictions: u64(K.DP_STATS_CT_EVICTIONS),
    },
    nat: {
      entries: u32(K.DP_STATS_NAT),
      max: u32(K.DP_STATS_NAT_MAX),
      evictions: u64(K.DP_STATS_NAT_EVICTIONS),
    },
    affinity: { entries: u32(K.DP_STATS_AFFINITY), max: u32(K.DP_STATS_AFFINITY_MAX) },
    packets: u64(K.DP_STATS_PACKETS),
    forwarded: u64(K.DP_STATS_FORWARDED),
    dropped: u64(K.DP_STATS_DROPPED),
    gc: {
      runs: u32(K.DP_STATS_GC_RUNS),
      ctDeleted: u64(K.DP_STATS_GC_CT_DELETED),
      natDeleted: u64(K.DP_STATS_GC_NAT_DELETED),
    },
  };
}

// ---- map records (assembly/datapath/layout.ts) ---------------------------------------------------
// Encoders write a key or value record zero-padded at `at` (what dp*Update copies into the map);
// decoders read the records the maps hold, which both engines store in these layouts.

const U32_SIZE = 4;

/** Bytes of each map's key record and value record. */
export const MAP_RECORD_SIZES: Readonly<Record<Exclude<DatapathMapName, "maglev">, [number, number]>> = {
  services: [K.SVC_KEY_SIZE, K.SVC_VALUE_SIZE],
  backends: [U32_SIZE, K.BACKEND_VALUE_SIZE],
  revNat: [U32_SIZE, K.REVNAT_VALUE_SIZE],
  ipcache: [K.DP_LPM_KEY_SIZE, K.IPCACHE_VALUE_SIZE],
  ipMasq: [K.DP_LPM_KEY_SIZE, U32_SIZE],
  ctTcp: [K.TUPLE_SIZE, K.CT_VALUE_SIZE],
  ctAny: [K.TUPLE_SIZE, K.CT_VALUE_SIZE],
  nat: [K.TUPLE_SIZE, K.NAT_VALUE_SIZE],
  endpoints: [U32_SIZE, K.EP_VALUE_SIZE],
  affinity: [K.AFFINITY_KEY_SIZE, K.AFFINITY_VALUE_SIZE],
};

/** Room for the largest key record followed by the largest value record. */
export const MAP_RECORD_MAX = 2 * Math.max(...Object.values(MAP_RECORD_SIZES).flat());

function zero(view: DataView, at: number, size: number): void {
  for (let i = 0; i < size; i++) view.setUint8(at + i, 0);
}

/** A u32 key record (backend ID, rev-NAT ID, endpoint address). */
export function encodeU32Key(view: DataView, at: number, value: number): void {
  view.setUint32(at, value >>> 0, LE);
}

/** An LPM key record: address and prefix length. */
export function encodeLpmKey(view: DataView, at: number, prefix: number, prefixLen: number): void {
  view.setUint32(at + K.DP_LPM_KEY_ADDR, prefix >>> 0, LE);
  view.setUint32(at + K.DP_LPM_KEY_PREFIX_LEN, prefixLen, LE);
}

/** An lb4 service key. */
export function encodeServiceKey(
  view: DataView,
  at: number,
  k: { address: number; port: number; proto: number; scope: number; slot: number },
): void {
  zero(view, at, K.SVC_KEY_SIZE);
  view.setUint32(at + K.SVC_KEY_ADDR, k.address >>> 0, LE);
  view.setUint16(at + K.SVC_KEY_PORT, k.port, LE);
  view.setUint16(at + K.SVC_KEY_SLOT, k.slot, LE);
  view.setUint8(at + K.SVC_KEY_PROTO, k.proto);
  view.setUint8(at + K.SVC_KEY_SCOPE, k.scope);
}

/** An lb4 service value. */
export function encodeServiceValue(view: DataView, at: number, e: ServiceMapEntry): void {
  zero(view, at, K.SVC_VALUE_SIZE);
  view.setUint32(at + K.SVC_UNION, serviceUnionWord(e), LE);
  view.setUint16(at + K.SVC_COUNT, e.count, LE);
  view.setUint16(at + K.SVC_REV_NAT, e.revNatId, LE);
  view.setUint8(at + K.SVC_FLAGS, e.flags);
  view.setUint8(at + K.SVC_FLAGS2, e.flags2);
  view.setUint16(at + K.SVC_QCOUNT, e.qcount, LE);
}

/** An lb4 backend value. */
export function encodeBackendValue(view: DataView, at: number, b: BackendRecord): void {
  zero(view, at, K.BACKEND_VALUE_SIZE);
  view.setUint32(at + K.BACKEND_ADDR, b.address >>> 0, LE);
  view.setUint16(at + K.BACKEND_PORT, b.port, LE);
  view.setUint8(at + K.BACKEND_PROTO, b.proto);
  view.setUint8(at + K.BACKEND_STATE, b.state);
}

/** A reverse-NAT value. */
export function encodeRevNatValue(view: DataView, at: number, r: RevNatMapEntry): void {
  view.setUint32(at + K.REVNAT_ADDR, r.address >>> 0, LE);
  view.setUint32(at + K.REVNAT_PORT, r.port >>> 0, LE);
}

/** A local endpoint value. */
export function encodeEndpointValue(view: DataView, at: number, ep: LocalEndpoint): void {
  zero(view, at, K.EP_VALUE_SIZE);
  view.setUint32(at + K.EP_ID, ep.endpointId >>> 0, LE);
  view.setUint32(at + K.EP_IDENTITY, ep.identity >>> 0, LE);
  view.setUint32(at + K.EP_IS_HOST, ep.isHost ? 1 : 0, LE);
}

/** An ipcache value. */
export function encodeIpcacheValue(view: DataView, at: number, e: IpcacheMapEntry): void {
  zero(view, at, K.IPCACHE_VALUE_SIZE);
  view.setUint32(at + K.IPCACHE_IDENTITY, e.identity >>> 0, LE);
  view.setUint32(at + K.IPCACHE_TUNNEL, e.tunnelEndpoint >>> 0, LE);
  view.setUint8(at + K.IPCACHE_FLAGS, e.flags);
  view.setUint8(at + K.IPCACHE_ENCRYPT_KEY, e.encryptKey);
}

/** A CT tuple (also the SNAT key, there in packet layout). */
export function encodeTuple(view: DataView, at: number, t: CtMapEntry["tuple"]): void {
  zero(view, at, K.TUPLE_SIZE);
  view.setUint32(at + K.TUPLE_DADDR, t.daddr >>> 0, LE);
  view.setUint32(at + K.TUPLE_SADDR, t.saddr >>> 0, LE);
  view.setUint16(at + K.TUPLE_DPORT, t.dport, LE);
  view.setUint16(at + K.TUPLE_SPORT, t.sport, LE);
  view.setUint8(at + K.TUPLE_NEXTHDR, t.nexthdr);
  view.setUint8(at + K.TUPLE_FLAGS, t.flags);
}

/** A CT value. */
export function encodeCtValue(view: DataView, at: number, e: CtMapEntry): void {
  zero(view, at, K.CT_VALUE_SIZE);
  view.setUint32(at + K.CT_LIFETIME, e.lifetime >>> 0, LE);
  view.setUint16(at + K.CT_FLAGS, e.flags, LE);
  view.setUint16(at + K.CT_REV_NAT, e.revNatId, LE);
  view.setUint32(at + K.CT_BACKEND, e.backendId >>> 0, LE);
  view.setUint32(at + K.CT_SRC_SEC_ID, e.srcSecId >>> 0, LE);
  view.setUint8(at + K.CT_TX_FLAGS_SEEN, e.txFlagsSeen);
  view.setUint8(at + K.CT_RX_FLAGS_SEEN, e.rxFlagsSeen);
  view.setUint32(at + K.CT_LAST_TX_REPORT, e.lastTxReport >>> 0, LE);
  view.setUint32(at + K.CT_LAST_RX_REPORT, e.lastRxReport >>> 0, LE);
}

/** A SNAT value. */
export function encodeNatValue(view: DataView, at: number, e: NatMapEntry): void {
  zero(view, at, K.NAT_VALUE_SIZE);
  view.setUint32(at + K.NAT_CREATED, e.created >>> 0, LE);
  view.setUint8(at + K.NAT_NEEDS_CT, e.needsCt ? 1 : 0);
  view.setUint32(at + K.NAT_ADDR, e.address >>> 0, LE);
  view.setUint16(at + K.NAT_PORT, e.port, LE);
}

/** One stored entry: its key and value bytes. LPM maps give {u32 address, u32 prefix length}. */
export interface RawRecord {
  key: Uint8Array;
  value: Uint8Array;
}

const viewOf = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

function decodeService({ key, value }: RawRecord): ServiceMapEntry {
  const k = viewOf(key);
  const v = viewOf(value);
  const slot = k.getUint16(K.SVC_KEY_SLOT, LE);
  const union = v.getUint32(K.SVC_UNION, LE);
  const flags2 = v.getUint8(K.SVC_FLAGS2);
  const entry: ServiceMapEntry = {
    address: k.getUint32(K.SVC_KEY_ADDR, LE),
    port: k.getUint16(K.SVC_KEY_PORT, LE),
    proto: k.getUint8(K.SVC_KEY_PROTO),
    scope: k.getUint8(K.SVC_KEY_SCOPE) === 1 ? 1 : 0,
    slot,
    backendId: slot === 0 ? 0 : union,
    count: v.getUint16(K.SVC_COUNT, LE),
    qcount: v.getUint16(K.SVC_QCOUNT, LE),
    revNatId: v.getUint16(K.SVC_REV_NAT, LE),
    flags: v.getUint8(K.SVC_FLAGS),
    flags2,
    affinityTimeoutSec: 0,
    algorithm: 0,
  };
  if (slot !== 0) return entry;
  // The master's union word: an L7 load balancer's proxy port, else algorithm and affinity timeout.
  if ((flags2 & (ServiceFlag.L7LoadBalancer >> 8)) !== 0) return { ...entry, l7ProxyPort: union };
  return {
    ...entry,
    algorithm: (union >>> K.LB_ALGORITHM_SHIFT) as ServiceAlgorithm,
    affinityTimeoutSec: union & K.AFFINITY_TIMEOUT_MASK,
  };
}

function decodeBackend({ key, value }: RawRecord): BackendRecord {
  const v = viewOf(value);
  return {
    id: viewOf(key).getUint32(0, LE),
    address: v.getUint32(K.BACKEND_ADDR, LE),
    port: v.getUint16(K.BACKEND_PORT, LE),
    proto: v.getUint8(K.BACKEND_PROTO),
    state: v.getUint8(K.BACKEND_STATE) as BackendRecord["state"],
  };
}

function decodeRevNat({ key, value }: RawRecord): RevNatMapEntry {
  const v = viewOf(value);
  return {
    id: viewOf(key).getUint32(0, LE),
    address: v.getUint32(K.REVNAT_ADDR, LE),
    port: v.getUint32(K.REVNAT_PORT, LE),
  };
}

function decodeIpcache({ key, value }: RawRecord): IpcacheMapEntry {
  const v = viewOf(value);
  return {
    ...decodeCidr({ key, value }),
    identity: v.getUint32(K.IPCACHE_IDENTITY, LE),
    tunnelEndpoint: v.getUint32(K.IPCACHE_TUNNEL, LE),
    encryptKey: v.getUint8(K.IPCACHE_ENCRYPT_KEY),
    flags: v.getUint8(K.IPCACHE_FLAGS),
  };
}

function decodeCidr({ key }: RawRecord): Cidr {
  const k = viewOf(key);
  return { prefix: k.getUint32(K.DP_LPM_KEY_ADDR, LE), prefixLen: k.getUint32(K.DP_LPM_KEY_PREFIX_LEN, LE) };
}

function decodeTuple(key: Uint8Array): CtMapEntry["tuple"] {
  const k = viewOf(key);
  return {
    daddr: k.getUint32(K.TUPLE_DADDR, LE),
    saddr: k.getUint32(K.TUPLE_SADDR, LE),
    dport: k.getUint16(K.TUPLE_DPORT, LE),
    sport: k.getUint16(K.TUPLE_SPORT, LE),
    nexthdr: k.getUint8(K.TUPLE_NEXTHDR),
    flags: k.getUint8(K.TUPLE_FLAGS),
  };
}

function decodeCt({ key, value }: RawRecord): CtMapEntry {
  const v = viewOf(value);
  return {
    tuple: decodeTuple(key),
    lifetime: v.getUint32(K.CT_LIFETIME, LE),
    flags: v.getUint16(K.CT_FLAGS, LE),
    revNatId: v.getUint16(K.CT_REV_NAT, LE),
    backendId: v.getUint32(K.CT_BACKEND, LE),
    srcSecId: v.getUint32(K.CT_SRC_SEC_ID, LE),
    txFlagsSeen: v.getUint8(K.CT_TX_FLAGS_SEEN),
    rxFlagsSeen: v.getUint8(K.CT_RX_FLAGS_SEEN),
    lastTxReport: v.getUint32(K.CT_LAST_TX_REPORT, LE),
    lastRxReport: v.getUint32(K.CT_LAST_RX_REPORT, LE),
  };
}

function decodeNat({ key, value }: RawRecord): NatMapEntry {
  const v = viewOf(value);
  return {
    tuple: decodeTuple(key),
    created: v.getUint32(K.NAT_CREATED, LE),
    needsCt: v.getUint8(K.NAT_NEEDS_CT) !== 0,
    address: v.getUint32(K.NAT_ADDR, LE),
    port: v.getUint16(K.NAT_PORT, LE),
  };
}

function decodeEndpoint({ key, value }: RawRecord): LocalEndpoint {
  const v = viewOf(value);
  return {
    address: viewOf(key).getUint32(0, LE),
    endpointId: v.getUint32(K.EP_ID, LE),
    identity: v.getUint32(K.EP_IDENTITY, LE),
    isHost: v.getUint32(K.EP_IS_HOST, LE) !== 0,
  };
}

function decodeAffinity({ key, value }: RawRecord): AffinityMapEntry {
  const k = viewOf(key);
  const v = viewOf(value);
  return {
    client: k.getUint32(K.AFFINITY_KEY_CLIENT, LE),
    revNatId: k.getUint32(K.AFFINITY_KEY_REV_NAT, LE),
    lastUsed: v.getUint32(K.AFFINITY_LAST_USED, LE),
    backendId: v.getUint32(K.AFFINITY_BACKEND, LE),
  };
}

const DECODERS: {
  readonly [N in Exclude<DatapathMapName, "maglev">]: (record: RawRecord) => DatapathMaps[N][number];
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
export function decodeRecords<N extends Exclude<DatapathMapName, "maglev">>(
  name: N,
  records: readonly RawRecord[],
): DatapathMaps[N] {
  const [keySize, valueSize] = MAP_RECORD_SIZES[name];
  const decode = DECODERS[name] as (record: RawRecord) => DatapathMaps[N][number];
  return records.map((record) => {
    if (record.key.length !== keySize || record.value.length !== valueSize) {
      throw new Error(
        `dpemu: ${name} record of ${record.key.length}+${record.value.length} bytes, expected ${keySize}+${valueSize} (engine and host layouts differ)`,
      );
    }
    return decode(record);
  }) as DatapathMaps[N];
}

/** The key of a Maglev map record (rev-NAT ID) and its value (the table's length). */
export function decodeMaglevRecord({ key, value }: RawRecord): { revNatId: number; m: number } {
  return { revNatId: viewOf(key).getUint32(0, LE), m: viewOf(value).getUint32(0, LE) };
}

// ---- Maglev backend records and flow records (assembly/lb) ---------------------------------------

/** Bytes of one Maglev backend record (MAGLEV_BACKEND_*). */
export const MAGLEV_BACKEND_SIZE: number = K.MAGLEV_BACKEND_SIZE;

/** Writes a Maglev backend record: ID, weight, and where its hash string sits in the names block. */
export function encodeMaglevBackend(
  view: DataView,
  at: number,
  id: number,
  weight: number,
  nameOffset: number,
  nameLength: number,
): void {
  view.setUint32(at + K.MAGLEV_BACKEND_ID, id >>> 0, LE);
  view.setUint32(at + K.MAGLEV_BACKEND_WEIGHT, weight >>> 0, LE);
  view.setUint32(at + K.MAGLEV_BACKEND_NAME_OFFSET, nameOffset, LE);
  view.setUint32(at + K.MAGLEV_BACKEND_NAME_LENGTH, nameLength, LE);
}

/** Bytes of one flow record (FLOW_RECORD_*), the input of the batch selections. */
export const FLOW_RECORD_SIZE: number = K.FLOW_RECORD_SIZE;

/** Writes one flow record. */
export function encodeFlowRecord(
  view: DataView,
  at: number,
  clientAddress: number,
  clientPort: number,
  servicePort: number,
  protocol: number,
): void {
  view.setUint32(at + K.FLOW_RECORD_CLIENT_ADDRESS, clientAddress >>> 0, LE);
  view.setUint16(at + K.FLOW_RECORD_CLIENT_PORT, clientPort, LE);
  view.setUint16(at + K.FLOW_RECORD_SERVICE_PORT, servicePort, LE);
  view.setUint8(at + K.FLOW_RECORD_PROTOCOL, protocol);
}
