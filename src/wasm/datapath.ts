// The Wasm-backed DatapathEngine: one emulated node in its own module instance. Records cross the
// boundary through codec.ts (map entries written as key and value records, batches of packet
// records in, verdict records out); this file only moves them in and out of the module's memory.
import type { DatapathEngine, EngineConfig, EngineStats, ServiceKey } from "../engine/engine.js";
import type { PacketRecord } from "../model/packet.js";
import type { DatapathVerdict } from "../engine/verdict.js";
import type {
  BackendMapEntry,
  CtMapEntry,
  IpcacheMapEntry,
  LocalEndpoint,
  NatMapEntry,
  RevNatMapEntry,
  ServiceMapEntry,
} from "../engine/state.js";
import type { DatapathMapName, DatapathMaps } from "../engine/map-records.js";
import {
  MAP_RECORD_MAX,
  NODE_CONFIG_SIZE,
  PACKET_RECORD_SIZE,
  STATS_RECORD_SIZE,
  VERDICT_RECORD_SIZE,
  decodeStats,
  decodeVerdict,
  encodeBackendValue,
  encodeCtValue,
  encodeEndpointValue,
  encodeIpcacheValue,
  encodeLpmKey,
  encodeNatValue,
  encodeNodeConfig,
  encodePacket,
  encodeRevNatValue,
  encodeServiceKey,
  encodeServiceValue,
  encodeTuple,
  encodeU32Key,
  MAP_RECORD_SIZES,
  type RecordView,
} from "./codec.js";
import type { WasmExports } from "./exports.generated.js";
import { readWasmMap } from "./datapath-maps.js";
import type { WasmInstance } from "./module.js";

/** Packet and verdict records of a batch in the module's memory. */
export interface BatchArea {
  view: RecordView;
  packets: number;
  verdicts: number;
}

/** Where a key record and its value record sit in the scratch area. */
interface RecordArea {
  view: DataView;
  key: number;
  value: number;
}

function check(what: string, rc: number): void {
  if (rc < 0) throw new Error(`dpemu datapath: ${what} failed (errno ${-rc})`);
}

/** The Wasm pipeline of one emulated node, in its own module instance. */
export class WasmDatapathEngine implements DatapathEngine {
  readonly kind = "wasm" as const;
  private readonly x: WasmExports;
  private readonly handle: number;
  private disposed = false;

  constructor(
    readonly wasm: WasmInstance,
    config: EngineConfig,
  ) {
    this.x = wasm.exports;
    const at = wasm.scratch(NODE_CONFIG_SIZE);
    encodeNodeConfig(wasm.memoryDataView, at, config);
    this.handle = this.x.dpCreate(at);
  }

  /** Scratch room for one key record and one value record, of `keySize` bytes at most. */
  private recordArea(keySize: number): RecordArea {
    const key = this.wasm.scratch(MAP_RECORD_MAX);
    return { view: this.wasm.memoryDataView, key, value: key + keySize };
  }

  upsertService(e: ServiceMapEntry): void {
    const r = this.recordArea(MAP_RECORD_SIZES.services[0]);
    encodeServiceKey(r.view, r.key, e);
    encodeServiceValue(r.view, r.value, e);
    check("service update", this.x.dpServiceUpdate(this.handle, r.key, r.value));
  }

  deleteService(k: ServiceKey): void {
    const r = this.recordArea(MAP_RECORD_SIZES.services[0]);
    encodeServiceKey(r.view, r.key, k);
    this.x.dpServiceDelete(this.handle, r.key);
  }

  upsertBackend(be: BackendMapEntry): void {
    const r = this.recordArea(MAP_RECORD_SIZES.backends[0]);
    encodeU32Key(r.view, r.key, be.id);
    encodeBackendValue(r.view, r.value, be);
    check("backend update", this.x.dpBackendUpdate(this.handle, r.key, r.value));
  }

  deleteBackend(id: number): void {
    const r = this.recordArea(MAP_RECORD_SIZES.backends[0]);
    encodeU32Key(r.view, r.key, id);
    this.x.dpBackendDelete(this.handle, r.key);
  }

  upsertRevNat(e: RevNatMapEntry): void {
    const r = this.recordArea(MAP_RECORD_SIZES.revNat[0]);
    encodeU32Key(r.view, r.key, e.id);
    encodeRevNatValue(r.view, r.value, e);
    check("reverse NAT update", this.x.dpRevNatUpdate(this.handle, r.key, r.value));
  }

  upsertEndpoint(ep: LocalEndpoint): void {
    const r = this.recordArea(MAP_RECORD_SIZES.endpoints[0]);
    encodeU32Key(r.view, r.key, ep.address);
    encodeEndpointValue(r.view, r.value, ep);
    check("endpoint update", this.x.dpEndpointUpdate(this.handle, r.key, r.value));
  }

  upsertIpcache(e: IpcacheMapEntry): void {
    const r = this.recordArea(MAP_RECORD_SIZES.ipcache[0]);
    encodeLpmKey(r.view, r.key, e.prefix, e.prefixLen);
    encodeIpcacheValue(r.view, r.value, e);
    check("ipcache update", this.x.dpIpcacheUpdate(this.handle, r.key, r.value));
  }

  addIpMasqCidr(prefix: number, prefixLen: number): void {
    const r = this.recordArea(MAP_RECORD_SIZES.ipMasq[0]);
    encodeLpmKey(r.view, r.key, prefix, prefixLen);
    check("ip-masq update", this.x.dpIpMasqAdd(this.handle, r.key));
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
    new Uint32Array(this.wasm.memoryU8.buffer, at, table.length).set(table);
    check("Maglev table update", this.x.dpMaglevSet(this.handle, revNatId, at, table.length));
  }

  insertCt(e: CtMapEntry): void {
    const r = this.recordArea(MAP_RECORD_SIZES.ctTcp[0]);
    encodeTuple(r.view, r.key, e.tuple);
    encodeCtValue(r.view, r.value, e);
    check("CT insert", this.x.dpCtInsert(this.handle, r.key, r.value));
  }

  insertNat(e: NatMapEntry): void {
    const r = this.recordArea(MAP_RECORD_SIZES.nat[0]);
    encodeTuple(r.view, r.key, e.tuple);
    encodeNatValue(r.view, r.value, e);
    check("NAT insert", this.x.dpNatInsert(this.handle, r.key, r.value));
  }

  /**
   * Room for `n` packet records followed by `n` verdict records in the module's memory: their
   * addresses and a view to fill and read them with codec.ts (valid until the next allocation).
   */
  batchArea(n: number): BatchArea {
    const inBytes = n * PACKET_RECORD_SIZE;
    const at = this.wasm.scratch(inBytes + n * VERDICT_RECORD_SIZE);
    return { view: this.wasm.memoryDataView, packets: at, verdicts: at + inBytes };
  }

  /**
   * Runs `n` packet records that live in `buffer` (at `packets`), copying them in and their
   * verdict records out (to `verdicts`) in one block each: a batch that crossed threads.
   */
  processBuffered(buffer: ArrayBuffer, packets: number, n: number, verdicts: number): void {
    const area = this.batchArea(n);
    this.wasm.memoryU8.set(new Uint8Array(buffer, packets, n * PACKET_RECORD_SIZE), area.packets);
    this.processRecords(area.packets, n, area.verdicts);
    const out = this.wasm.memoryU8.subarray(area.verdicts, area.verdicts + n * VERDICT_RECORD_SIZE);
    new Uint8Array(buffer, verdicts, n * VERDICT_RECORD_SIZE).set(out);
  }

  /** Runs the pipeline over records already in memory (the benchmarks' path). */
  processRecords(packets: number, n: number, verdicts: number): void {
    this.x.dpProcess(this.handle, packets, n, verdicts);
  }

  processBatch(packets: readonly PacketRecord[]): DatapathVerdict[] {
    const n = packets.length;
    if (n === 0) return [];
    const area = this.batchArea(n);
    let view = area.view;
    for (let i = 0; i < n; i++) encodePacket(view, area.packets + i * PACKET_RECORD_SIZE, packets[i]!);
    this.processRecords(area.packets, n, area.verdicts);
    view = this.wasm.memoryDataView;
    const out: DatapathVerdict[] = new Array<DatapathVerdict>(n);
    for (let i = 0; i < n; i++) out[i] = decodeVerdict(view, area.verdicts + i * VERDICT_RECORD_SIZE);
    return out;
  }

  gc(now: number): void {
    this.x.dpGc(this.handle, now >>> 0);
  }

  stats(): EngineStats {
    const at = this.wasm.scratch(STATS_RECORD_SIZE);
    this.x.dpStats(this.handle, at);
    return decodeStats(this.wasm.memoryDataView, at);
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
