// The datapath's side of the Wasm boundary: record layouts read from the module's exported
// constants (defined once in assembly/datapath/records.ts), packet/verdict record conversion, and
// the Wasm-backed DatapathEngine. This file is the only host code that knows record offsets.
import type { DatapathEngine, EngineConfig, EngineStats, ServiceKey } from "../engine/engine.js";
import { prefixMask, serviceUnionWord } from "../engine/engine.js";
import { EntryPoint, type PacketRecord } from "../model/packet.js";
import type { DatapathVerdict } from "../engine/verdict.js";
import { CT_STATE_NAMES } from "../engine/verdict.js";
import type {
  BackendMapEntry,
  CtMapEntry,
  IpcacheMapEntry,
  LocalEndpoint,
  NatMapEntry,
  RevNatMapEntry,
  ServiceMapEntry,
} from "../engine/state.js";
import type { DatapathExports } from "./datapath-exports.js";
import type { DatapathMapName, DatapathMaps } from "../datapath/map-records.js";
import { readWasmMap } from "./datapath-maps.js";
import type { WasmInstance } from "./module.js";

const RECORD_CONSTANTS = [
  "PACKET_RECORD_SIZE",
  "PACKET_SECONDS",
  "PACKET_NANOSECONDS",
  "PACKET_SADDR",
  "PACKET_DADDR",
  "PACKET_SPORT",
  "PACKET_DPORT",
  "PACKET_PROTO",
  "PACKET_TCP_FLAGS",
  "PACKET_ENTRY",
  "PACKET_ICMP_TYPE",
  "PACKET_ICMP_CODE",
  "PACKET_LENGTH",
  "ENTRY_UNKNOWN",
  "ENTRY_FROM_ENDPOINT",
  "ENTRY_FROM_NETWORK",
  "ENTRY_FROM_OVERLAY",
  "VERDICT_RECORD_SIZE",
  "VERDICT_VERDICT",
  "VERDICT_DROP_REASON",
  "VERDICT_OBS_POINT",
  "VERDICT_CT_STATE",
  "VERDICT_FLAGS",
  "VERDICT_REV_NAT_ID",
  "VERDICT_BACKEND_ID",
  "VERDICT_SADDR",
  "VERDICT_DADDR",
  "VERDICT_SPORT",
  "VERDICT_DPORT",
  "VERDICT_SRC_IDENTITY",
  "VERDICT_DST_IDENTITY",
  "VERDICT_TUNNEL_ENDPOINT",
  "VERDICT_SERVICE_CT_STATE",
  "VERDICT_DST_ENDPOINT",
  "VERDICT_FORWARDED",
  "VERDICT_DROPPED",
  "OBS_TO_STACK",
  "OBS_FROM_ENDPOINT",
  "OBS_FROM_OVERLAY",
  "OBS_FROM_NETWORK",
  "OBS_TO_OVERLAY",
  "OBS_TO_NETWORK",
  "OBS_TO_ENDPOINT",
  "CT_NEW",
  "CT_ESTABLISHED",
  "CT_REPLY",
  "CT_RELATED",
  "SERVICE_CT_NONE",
  "VFLAG_SERVICE",
  "VFLAG_DNAT",
  "VFLAG_SNAT",
  "VFLAG_REV_NAT",
  "VFLAG_REV_SNAT",
  "VFLAG_LOOPBACK",
  "VFLAG_NODEPORT",
  "VFLAG_AFFINITY",
  "VFLAG_UNTRACKED",
  "VFLAG_RESELECTED",
  "VFLAG_WILDCARD",
  "VFLAG_MAGLEV",
  "VFLAG_SELECTED",
  "DROP_INVALID_SIP",
  "DROP_CT_UNKNOWN_PROTO",
  "DROP_CT_CREATE_FAILED",
  "DROP_NO_SERVICE",
  "DROP_NAT_NO_MAPPING",
  "DROP_IS_CLUSTER_IP",
  "DROP_NOT_IN_SRC_RANGE",
  "DP_STATS_SIZE",
] as const satisfies readonly (keyof DatapathExports)[];

export type RecordConstantName = (typeof RECORD_CONSTANTS)[number];

/** Every record layout constant of the module, by name (PACKET_*, VERDICT_*, VFLAG_*, DROP_*, ...). */
export type RecordLayout = Readonly<Record<RecordConstantName, number>>;

/** Reads the record layouts from a module instance. */
export function readRecordLayout(wasm: WasmInstance): RecordLayout {
  // Built in one go: an object given its ~70 properties one by one is left in V8's dictionary mode,
  // and every `layout.X` read in the per-packet loops would then be a hash lookup.
  return Object.fromEntries(RECORD_CONSTANTS.map((name) => [name, wasm.constant(name)])) as RecordLayout;
}

/** A PacketRecord's entry point → the module's ENTRY_* value. */
export function entryCode(layout: RecordLayout, entry: EntryPoint): number {
  switch (entry) {
    case EntryPoint.FromEndpoint:
      return layout.ENTRY_FROM_ENDPOINT;
    case EntryPoint.FromNetwork:
      return layout.ENTRY_FROM_NETWORK;
    case EntryPoint.FromOverlay:
      return layout.ENTRY_FROM_OVERLAY;
    default:
      return layout.ENTRY_UNKNOWN;
  }
}

/** Names of the VFLAG_* bits set in `flags` ("SERVICE", "DNAT", ...). */
export function verdictFlagNames(layout: RecordLayout, flags: number): string[] {
  const names: string[] = [];
  for (const name of RECORD_CONSTANTS) {
    if (name.startsWith("VFLAG_") && (flags & layout[name]) !== 0) names.push(name.slice(6));
  }
  return names;
}

/** Writes one packet record at `at`. */
export function encodePacket(view: DataView, at: number, layout: RecordLayout, p: PacketRecord): void {
  view.setUint32(at + layout.PACKET_SECONDS, p.seconds >>> 0, true);
  view.setUint32(at + layout.PACKET_NANOSECONDS, p.nanoseconds >>> 0, true);
  view.setUint32(at + layout.PACKET_SADDR, p.saddr >>> 0, true);
  view.setUint32(at + layout.PACKET_DADDR, p.daddr >>> 0, true);
  view.setUint16(at + layout.PACKET_SPORT, p.sport, true);
  view.setUint16(at + layout.PACKET_DPORT, p.dport, true);
  view.setUint8(at + layout.PACKET_PROTO, p.proto);
  view.setUint8(at + layout.PACKET_TCP_FLAGS, p.tcpFlags & 0xff);
  view.setUint8(at + layout.PACKET_ENTRY, entryCode(layout, p.entry));
  view.setUint8(at + layout.PACKET_ICMP_TYPE, p.icmpType);
  view.setUint8(at + layout.PACKET_ICMP_CODE, p.icmpCode);
  view.setUint32(at + layout.PACKET_LENGTH, p.ipLength >>> 0, true);
}

/** The entry point a record's entry code stands for (the inverse of entryCode). */
export function entryPointOf(layout: RecordLayout, code: number): EntryPoint {
  if (code === layout.ENTRY_FROM_ENDPOINT) return EntryPoint.FromEndpoint;
  if (code === layout.ENTRY_FROM_NETWORK) return EntryPoint.FromNetwork;
  if (code === layout.ENTRY_FROM_OVERLAY) return EntryPoint.FromOverlay;
  return EntryPoint.Unknown;
}

/** Reads one packet record at `at` into `p` (the fields encodePacket writes; the rest stay as they are). */
export function decodePacket(view: DataView, at: number, layout: RecordLayout, p: PacketRecord): void {
  p.seconds = view.getUint32(at + layout.PACKET_SECONDS, true);
  p.nanoseconds = view.getUint32(at + layout.PACKET_NANOSECONDS, true);
  p.saddr = view.getUint32(at + layout.PACKET_SADDR, true);
  p.daddr = view.getUint32(at + layout.PACKET_DADDR, true);
  p.sport = view.getUint16(at + layout.PACKET_SPORT, true);
  p.dport = view.getUint16(at + layout.PACKET_DPORT, true);
  p.proto = view.getUint8(at + layout.PACKET_PROTO);
  p.tcpFlags = view.getUint8(at + layout.PACKET_TCP_FLAGS);
  p.entry = entryPointOf(layout, view.getUint8(at + layout.PACKET_ENTRY));
  p.icmpType = view.getUint8(at + layout.PACKET_ICMP_TYPE);
  p.icmpCode = view.getUint8(at + layout.PACKET_ICMP_CODE);
  p.ipLength = view.getUint32(at + layout.PACKET_LENGTH, true);
}

/** Reads one verdict record at `at`. */
export function decodeVerdict(view: DataView, at: number, layout: RecordLayout): DatapathVerdict {
  const serviceCt = view.getUint8(at + layout.VERDICT_SERVICE_CT_STATE);
  return {
    verdict: view.getUint8(at + layout.VERDICT_VERDICT) === layout.VERDICT_DROPPED ? "DROPPED" : "FORWARDED",
    dropReason: view.getUint8(at + layout.VERDICT_DROP_REASON),
    observationPoint: view.getUint8(at + layout.VERDICT_OBS_POINT),
    ctState: CT_STATE_NAMES[view.getUint8(at + layout.VERDICT_CT_STATE)] ?? "new",
    flags: view.getUint16(at + layout.VERDICT_FLAGS, true),
    revNatId: view.getUint16(at + layout.VERDICT_REV_NAT_ID, true),
    backendId: view.getUint32(at + layout.VERDICT_BACKEND_ID, true),
    saddr: view.getUint32(at + layout.VERDICT_SADDR, true),
    daddr: view.getUint32(at + layout.VERDICT_DADDR, true),
    sport: view.getUint16(at + layout.VERDICT_SPORT, true),
    dport: view.getUint16(at + layout.VERDICT_DPORT, true),
    srcIdentity: view.getUint32(at + layout.VERDICT_SRC_IDENTITY, true),
    dstIdentity: view.getUint32(at + layout.VERDICT_DST_IDENTITY, true),
    tunnelEndpoint: view.getUint32(at + layout.VERDICT_TUNNEL_ENDPOINT, true),
    serviceCt: serviceCt === layout.SERVICE_CT_NONE ? null : serviceCt === layout.CT_NEW ? "new" : "existing",
    dstEndpointId: view.getUint32(at + layout.VERDICT_DST_ENDPOINT, true),
  };
}

function check(what: string, rc: number): void {
  if (rc < 0) throw new Error(`dpemu datapath: ${what} failed (errno ${-rc})`);
}

const b = (value: boolean): number => (value ? 1 : 0);

/** The Wasm pipeline of one emulated node, in its own module instance. */
export class WasmDatapathEngine implements DatapathEngine {
  readonly kind = "wasm" as const;
  readonly layout: RecordLayout;
  private readonly x: DatapathExports;
  private readonly handle: number;
  private disposed = false;

  constructor(
    readonly wasm: WasmInstance,
    config: EngineConfig,
  ) {
    this.x = wasm.exports;
    this.layout = readRecordLayout(wasm);
    const c = config.capacities;
    this.handle = this.x.dpCreate(
      c.ctTcp,
      c.ctAny,
      c.nat,
      c.affinity,
      c.services,
      c.backends,
      c.ipcache,
      c.endpoints,
      config.seed >>> 0,
    );
    const cidr = config.nativeCidr;
    this.x.dpConfigure(
      this.handle,
      config.masqueradeAddress,
      config.directRoutingAddress,
      config.routerAddress,
      config.loopbackAddress,
      cidr?.prefix ?? 0,
      cidr ? prefixMask(cidr.prefixLen) : 0,
      b(cidr !== null),
      b(config.tunnelMode),
      b(config.bpfHostRouting),
      b(config.masquerade),
      b(config.ipMasqAgent),
      b(config.serviceProtocols),
    );
    this.x.dpConfigureLb(
      this.handle,
      config.natPortMin,
      config.natPortMax,
      config.snatRetries,
      config.nodeAlgorithm,
      config.algorithmOverride,
      config.jhashSeed >>> 0,
      config.flowHashPacking,
      config.gcIntervalSec,
    );
    const t = config.timeouts;
    this.x.dpConfigureTimeouts(
      this.handle,
      t.regularTcp,
      t.regularAny,
      t.serviceTcp,
      t.serviceAny,
      t.tcpSyn,
      t.tcpClose,
      t.serviceCloseRebalance,
    );
    if (config.randomPerFlow) this.x.dpSetRandomPerFlow(this.handle, 1);
  }

  upsertService(e: ServiceMapEntry): void {
    check(
      "service update",
      this.x.dpServiceUpdate(
        this.handle,
        e.address,
        e.port,
        e.proto,
        e.scope,
        e.slot,
        serviceUnionWord(e),
        e.count,
        e.qcount,
        e.revNatId,
        e.flags,
        e.flags2,
      ),
    );
  }

  deleteService(k: ServiceKey): void {
    this.x.dpServiceDelete(this.handle, k.address, k.port, k.proto, k.scope, k.slot);
  }

  upsertBackend(be: BackendMapEntry): void {
    check(
      "backend update",
      this.x.dpBackendUpdate(this.handle, be.id, be.address, be.port, be.proto, be.state),
    );
  }

  deleteBackend(id: number): void {
    this.x.dpBackendDelete(this.handle, id);
  }

  upsertRevNat(r: RevNatMapEntry): void {
    check("reverse NAT update", this.x.dpRevNatUpdate(this.handle, r.id, r.address, r.port));
  }

  upsertEndpoint(ep: LocalEndpoint): void {
    check(
      "endpoint update",
      this.x.dpEndpointUpdate(this.handle, ep.address, ep.endpointId, ep.identity, b(ep.isHost)),
    );
  }

  upsertIpcache(e: IpcacheMapEntry): void {
    check(
      "ipcache update",
      this.x.dpIpcacheUpdate(
        this.handle,
        e.prefix,
        e.prefixLen,
        e.identity,
        e.tunnelEndpoint,
        e.flags,
        e.encryptKey,
      ),
    );
  }

  addIpMasqCidr(prefix: number, prefixLen: number): void {
    check("ip-masq update", this.x.dpIpMasqAdd(this.handle, prefix, prefixLen));
  }

  addSourceRange(revNatId: number, prefix: number, prefixLen: number): void {
    check("source range update", this.x.dpSourceRangeAdd(this.handle, revNatId, prefix, prefixLen));
  }

  setMaglevTable(revNatId: number, table: Uint32Array | null): void {
    if (table === null) {
      this.x.dpMaglevSet(this.handle, revNatId, 0, 0);
      return;
    }
    const at = this.wasm.scratch(table.byteLength);
    new Uint32Array(this.wasm.bytes.buffer, at, table.length).set(table);
    check("Maglev table update", this.x.dpMaglevSet(this.handle, revNatId, at, table.length));
  }

  insertCt(e: CtMapEntry): void {
    const t = e.tuple;
    check(
      "CT insert",
      this.x.dpCtInsert(
        this.handle,
        t.daddr,
        t.saddr,
        t.dport,
        t.sport,
        t.nexthdr,
        t.flags,
        e.lifetime >>> 0,
        e.flags,
        e.revNatId,
        e.backendId,
        e.srcSecId,
        e.txFlagsSeen,
        e.rxFlagsSeen,
        e.lastTxReport >>> 0,
        e.lastRxReport >>> 0,
      ),
    );
  }

  insertNat(e: NatMapEntry): void {
    const t = e.tuple;
    check(
      "NAT insert",
      this.x.dpNatInsert(
        this.handle,
        t.saddr,
        t.daddr,
        t.sport,
        t.dport,
        t.nexthdr,
        t.flags,
        e.created >>> 0,
        b(e.needsCt),
        e.address,
        e.port,
      ),
    );
  }

  /** Address of room for `n` packet records followed by `n` verdict records (valid until the next allocation). */
  batchArea(n: number): { packets: number; verdicts: number } {
    const inBytes = n * this.layout.PACKET_RECORD_SIZE;
    const at = this.wasm.scratch(inBytes + n * this.layout.VERDICT_RECORD_SIZE);
    return { packets: at, verdicts: at + inBytes };
  }

  /** Runs the pipeline over records already in memory (the benchmarks' path). */
  processRecords(packets: number, n: number, verdicts: number): void {
    this.x.dpProcess(this.handle, packets, n, verdicts);
  }

  processBatch(packets: readonly PacketRecord[]): DatapathVerdict[] {
    const n = packets.length;
    if (n === 0) return [];
    const area = this.batchArea(n);
    const layout = this.layout;
    let view = this.wasm.view;
    for (let i = 0; i < n; i++) {
      encodePacket(view, area.packets + i * layout.PACKET_RECORD_SIZE, layout, packets[i]!);
    }
    this.processRecords(area.packets, n, area.verdicts);
    view = this.wasm.view;
    const out: DatapathVerdict[] = new Array<DatapathVerdict>(n);
    for (let i = 0; i < n; i++)
      out[i] = decodeVerdict(view, area.verdicts + i * layout.VERDICT_RECORD_SIZE, layout);
    return out;
  }

  gc(now: number): void {
    this.x.dpGc(this.handle, now >>> 0);
  }

  stats(): EngineStats {
    const at = this.wasm.scratch(this.layout.DP_STATS_SIZE);
    this.x.dpStats(this.handle, at);
    const v = this.wasm.view;
    const u32 = (o: number) => v.getUint32(at + o, true);
    const u64 = (o: number) => Number(v.getBigUint64(at + o, true));
    return {
      ct: { tcp: u32(0), tcpMax: u32(4), any: u32(8), anyMax: u32(12), evictions: u64(80) },
      nat: { entries: u32(16), max: u32(20), evictions: u64(88) },
      affinity: { entries: u32(24), max: u32(28) },
      packets: u64(40),
      forwarded: u64(48),
      dropped: u64(56),
      gc: { runs: u32(32), ctDeleted: u64(64), natDeleted: u64(72) },
    };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.x.dpDestroy(this.handle);
  }

  readMap<K extends DatapathMapName>(name: K): DatapathMaps[K] {
    return readWasmMap(this.wasm, this.handle, name);
  }
}
