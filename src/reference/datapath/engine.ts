// The pure-TypeScript DatapathEngine: the reference twin of the Wasm pipeline, used as the oracle
// of the differential tests and as the baseline of the benchmarks.
import type { DatapathEngine, EngineConfig, EngineStats, ServiceKey } from "../../engine/engine.js";
import { prefixMask, serviceUnionWord } from "../../engine/engine.js";
import type { PacketRecord } from "../../model/packet.js";
import type { DatapathVerdict } from "../../engine/verdict.js";
import type {
  BackendMapEntry,
  CtMapEntry,
  IpcacheMapEntry,
  LocalEndpoint,
  NatMapEntry,
  RevNatMapEntry,
  ServiceMapEntry,
} from "../../engine/state.js";
import { BPF_ANY } from "../../maps/types.js";
import type { RecordLayout } from "../../wasm/codec.js";
import { RefNode, encodeCtEntry, encodeSvcKey, encodeSvcValue, encodeTuple, u32Key } from "./node.js";
import { natInsert } from "./nat.js";
import { processPacket } from "./pipeline.js";
import { gcRun } from "./gc.js";
import { flowSeed } from "./flow-seed.js";
import { Xoshiro128 } from "../../model/prng.js";
import { readReferenceMap } from "./read-maps.js";
import type { DatapathMapName, DatapathMaps } from "../../engine/map-records.js";

function check(what: string, rc: number): void {
  if (rc < 0) throw new Error(`dpemu reference datapath: ${what} failed (errno ${-rc})`);
}

/** The datapath engine on the plain-TypeScript reference pipeline (the oracle of the differential tests). */
export class ReferenceDatapathEngine implements DatapathEngine {
  readonly kind = "reference" as const;
  private readonly node: RefNode;

  constructor(
    readonly layout: RecordLayout,
    config: EngineConfig,
  ) {
    this.node = new RefNode(config);
  }

  upsertService(e: ServiceMapEntry): void {
    const key = encodeSvcKey({
      address: e.address,
      port: e.port,
      slot: e.slot,
      proto: e.proto,
      scope: e.scope,
    });
    const value = encodeSvcValue({
      union: serviceUnionWord(e),
      count: e.count,
      revNat: e.revNatId,
      flags: e.flags,
      flags2: e.flags2,
      qcount: e.qcount,
    });
    check("service update", this.node.services.update(key, value, BPF_ANY));
  }

  deleteService(k: ServiceKey): void {
    this.node.services.delete(
      encodeSvcKey({ address: k.address, port: k.port, slot: k.slot, proto: k.proto, scope: k.scope }),
    );
  }

  upsertBackend(b: BackendMapEntry): void {
    const value = new Uint8Array(12);
    const v = new DataView(value.buffer);
    v.setUint32(0, b.address >>> 0, true);
    v.setUint16(4, b.port, true);
    v.setUint8(6, b.proto);
    v.setUint8(7, b.state);
    check("backend update", this.node.backends.update(u32Key(b.id), value, BPF_ANY));
  }

  deleteBackend(id: number): void {
    this.node.backends.delete(u32Key(id));
  }

  upsertRevNat(r: RevNatMapEntry): void {
    const value = new Uint8Array(8);
    const v = new DataView(value.buffer);
    v.setUint32(0, r.address >>> 0, true);
    v.setUint32(4, r.port >>> 0, true);
    check("reverse NAT update", this.node.revNat.update(u32Key(r.id), value, BPF_ANY));
  }

  upsertEndpoint(ep: LocalEndpoint): void {
    const value = new Uint8Array(12);
    const v = new DataView(value.buffer);
    v.setUint32(0, ep.endpointId >>> 0, true);
    v.setUint32(4, ep.identity >>> 0, true);
    v.setUint32(8, ep.isHost ? 1 : 0, true);
    check("endpoint update", this.node.endpoints.update(u32Key(ep.address), value, BPF_ANY));
  }

  upsertIpcache(e: IpcacheMapEntry): void {
    const value = new Uint8Array(12);
    const v = new DataView(value.buffer);
    v.setUint32(0, e.identity >>> 0, true);
    v.setUint32(4, e.tunnelEndpoint >>> 0, true);
    v.setUint8(8, e.flags);
    v.setUint8(9, e.encryptKey);
    check(
      "ipcache update",
      this.node.ipcache.update({ address: e.prefix, length: e.prefixLen }, value, BPF_ANY),
    );
  }

  addIpMasqCidr(prefix: number, prefixLen: number): void {
    check(
      "ip-masq update",
      this.node.ipMasq.update({ address: prefix, length: prefixLen }, u32Key(1), BPF_ANY),
    );
  }

  addSourceRange(revNatId: number, prefix: number, prefixLen: number): void {
    if (this.node.sourceRanges.length === this.node.sourceRangeMax) check("source range update", -28);
    const mask = prefixMask(prefixLen);
    this.node.sourceRanges.push({ revNat: revNatId, prefix: (prefix & mask) >>> 0, mask });
  }

  setMaglevTable(revNatId: number, table: Uint32Array | null): void {
    if (table === null) this.node.maglev.delete(revNatId);
    else this.node.maglev.set(revNatId, Uint32Array.from(table));
  }

  insertCt(e: CtMapEntry): void {
    const value = encodeCtEntry({
      lifetime: e.lifetime,
      flags: e.flags,
      revNat: e.revNatId,
      backendId: e.backendId,
      srcSecId: e.srcSecId,
      txFlagsSeen: e.txFlagsSeen,
      rxFlagsSeen: e.rxFlagsSeen,
      lastTxReport: e.lastTxReport,
      lastRxReport: e.lastRxReport,
    });
    check("CT insert", this.node.ctMapFor(e.tuple.nexthdr).update(encodeTuple(e.tuple), value, BPF_ANY));
  }

  insertNat(e: NatMapEntry): void {
    const t = e.tuple;
    check(
      "NAT insert",
      natInsert(
        this.node,
        {
          daddr: t.daddr,
          saddr: t.saddr,
          dport: t.dport,
          sport: t.sport,
          nexthdr: t.nexthdr,
          flags: t.flags,
        },
        { created: e.created, needsCt: e.needsCt, addr: e.address, port: e.port },
      ),
    );
  }

  processBatch(packets: readonly PacketRecord[]): DatapathVerdict[] {
    const seed = this.node.config.seed;
    const perFlow = this.node.config.randomPerFlow === true;
    return packets.map((p) => {
      if (perFlow) this.node.prng = new Xoshiro128(flowSeed(seed, p));
      return processPacket(this.node, this.layout, p);
    });
  }

  gc(now: number): void {
    gcRun(this.node, now >>> 0);
  }

  stats(): EngineStats {
    const n = this.node;
    return {
      ct: {
        tcp: n.ctTcp.count,
        tcpMax: n.ctTcp.maxEntries,
        any: n.ctAny.count,
        anyMax: n.ctAny.maxEntries,
        evictions: n.ctEvictions,
      },
      nat: { entries: n.nat.count, max: n.nat.maxEntries, evictions: n.natEvictions },
      affinity: { entries: n.affinity.count, max: n.affinity.maxEntries },
      packets: n.packets,
      forwarded: n.forwarded,
      dropped: n.dropped,
      gc: { runs: n.gcRuns, ctDeleted: n.gcCtDeleted, natDeleted: n.gcNatDeleted },
    };
  }

  dispose(): void {}

  readMap<K extends DatapathMapName>(name: K): DatapathMaps[K] {
    return readReferenceMap(this.node, name);
  }
}
