// The public face of the emulator's datapath: one emulated node built from a DatapathState, run
// either by the Wasm pipeline (default) or by its pure-TypeScript reference twin. Packets go through
// in batches; services' backends can change between batches (Maglev tables are rebuilt); one packet
// can be traced step by step.
import { buildMaglevTable, buildMaglevTableSync } from "../lb/maglev.js";
import type { MaglevBackend } from "../lb/backend.js";
import { ReferenceDatapathEngine } from "../reference/datapath/engine.js";
import { WasmDatapathEngine } from "../wasm/datapath.js";
import { RECORD_LAYOUT, type RecordLayout } from "../wasm/codec.js";
import { loadWasm, type WasmInstance } from "../wasm/module.js";
import { toEngineConfig, type EngineOptions } from "../engine/config.js";
import type { DatapathEngine, EngineStats } from "../engine/engine.js";
import type { PacketRecord } from "../model/packet.js";
import type { DatapathVerdict } from "../engine/verdict.js";
import { layoutSlots, slotFlags } from "../engine/service-slots.js";
import type { DatapathMapName, DatapathMaps } from "../engine/map-records.js";
import { type BackendMapEntry, type DatapathState, type ServiceMapEntry } from "../engine/state.js";
import { describeVerdict, type TraceStep } from "./trace.js";
import { BackendState, type BackendStateValue } from "../model/backend.js";
import { requireIPv4, formatIPv4 } from "../model/ipv4.js";
import { IpProto, protocolName, parseProtocol } from "../model/protocol.js";

/** How Datapath.create builds the emulated node: the engine and the Wasm instance to use. */
export interface DatapathOptions extends EngineOptions {
  /** "wasm" (default) or the pure-TypeScript "reference" pipeline. */
  engine?: "wasm" | "reference";
  /** A module instance to use (else a fresh one is instantiated; each Datapath needs its own). */
  wasm?: WasmInstance;
}

/** A service frontend: its rev-NAT ID, or "IP:PORT/PROTO" (e.g. "10.96.163.90:80/TCP"). */
export type ServiceSelector = number | string;

/** A backend to add to a service. */
export interface BackendSpec {
  /** Backend ID; default: one above the largest in use. */
  id?: number;
  address: string | number;
  port: number;
  /** Protocol number (default: the service's). */
  proto?: number;
  state?: BackendStateValue;
  weight?: number;
}

/** Map occupancy and counters of the emulated node, with its service and backend counts. */
export interface DatapathStats extends EngineStats {
  services: number;
  backends: number;
}

/** One traced packet: its verdict and the steps it took, Hubble-style. */
export interface TraceResult {
  verdict: DatapathVerdict;
  steps: TraceStep[];
}

/** The masters (one per scope) and slot entries of one frontend, as written to the maps. */
interface Frontend {
  masters: ServiceMapEntry[];
  backendIds: number[];
}

const frontendKey = (address: number, port: number, proto: number): string => `${address}:${port}:${proto}`;

/**
 * One emulated Cilium node: its BPF maps filled from a DatapathState, packets processed in batches by the
 * Wasm pipeline (or its TypeScript twin), backends changed between batches like the agent does.
 */
export class Datapath {
  readonly engine: DatapathEngine;
  readonly layout: RecordLayout;
  readonly state: DatapathState;
  private readonly options: DatapathOptions;
  private readonly backends = new Map<number, BackendMapEntry>();
  private readonly frontends = new Map<string, Frontend>();

  private constructor(
    engine: DatapathEngine,
    layout: RecordLayout,
    state: DatapathState,
    options: DatapathOptions,
  ) {
    this.engine = engine;
    this.layout = layout;
    this.state = state;
    this.options = options;
  }

  /** Builds the emulated node: fills every map from `state` and computes Maglev tables where needed. */
  static async create(state: DatapathState, options: DatapathOptions = {}): Promise<Datapath> {
    const layout = RECORD_LAYOUT;
    const config = toEngineConfig(state, options);
    // The reference engine never loads the module: it is the oracle the Wasm engine is tested against.
    const engine: DatapathEngine =
      options.engine === "reference"
        ? new ReferenceDatapathEngine(layout, config)
        : new WasmDatapathEngine(options.wasm ?? (await loadWasm()), config);
    const dp = new Datapath(engine, layout, state, options);
    await dp.load();
    return dp;
  }

  private async load(): Promise<void> {
    const s = this.state;
    const e = this.engine;
    for (const b of s.backends) {
      this.backends.set(b.id, { ...b });
      e.upsertBackend(b);
    }
    for (const r of s.revNat) e.upsertRevNat(r);
    const slots = new Map<string, Map<number, number>>();
    for (const svc of s.services) {
      e.upsertService(svc);
      const key = frontendKey(svc.address, svc.port, svc.proto);
      let fe = this.frontends.get(key);
      if (!fe) {
        fe = { masters: [], backendIds: [] };
        this.frontends.set(key, fe);
      }
      if (svc.slot === 0) fe.masters.push({ ...svc });
      else if (svc.scope === 0) {
        let bySlot = slots.get(key);
        if (!bySlot) slots.set(key, (bySlot = new Map()));
        bySlot.set(svc.slot, svc.backendId);
      }
    }
    for (const [key, bySlot] of slots) {
      const fe = this.frontends.get(key)!;
      fe.backendIds = [...bySlot.entries()].sort((a, b) => a[0] - b[0]).map(([, id]) => id);
    }
    for (const ep of s.endpoints) e.upsertEndpoint(ep);
    for (const entry of s.ipcache) e.upsertIpcache(entry);
    if (s.node.ipMasqAgent) for (const c of s.ipMasqCidrs) e.addIpMasqCidr(c.prefix, c.prefixLen);
    for (const r of s.sourceRanges) e.addSourceRange(r.revNatId, r.prefix, r.prefixLen);
    for (const ct of s.ct) e.insertCt(ct);
    for (const nat of s.nat) e.insertNat(nat);
    if (this.usesMaglev()) {
      for (const fe of this.frontends.values()) await this.rebuildMaglev(fe);
    }
  }

  /** Whether any selection can use Maglev (so tables are needed). */
  private usesMaglev(): boolean {
    if (this.options.algorithm) return this.options.algorithm === "maglev";
    return (
      this.state.node.lbAlgorithm === "maglev" ||
      this.state.services.some((s) => s.slot === 0 && s.algorithm === 2)
    );
  }

  private async rebuildMaglev(fe: Frontend): Promise<void> {
    const master = fe.masters.find((m) => m.scope === 0) ?? fe.masters[0];
    if (!master) return;
    const active = fe.backendIds.slice(0, master.count).map((id) => this.backends.get(id));
    if (master.count === 0 || active.some((b) => b === undefined)) {
      this.engine.setMaglevTable(master.revNatId, null);
      return;
    }
    const backends: MaglevBackend[] = (active as BackendMapEntry[]).map((b) => ({
      address: formatIPv4(b.address),
      port: b.port,
      protocol: protocolName(b.proto) ?? "ANY",
      weight: b.weight,
      id: b.id,
    }));
    const options = { tableSize: this.state.node.maglevTableSize, seed: this.state.node.clusterSeed };
    // The reference engine's tables come from the TypeScript build (identical entry by entry), so a
    // reference datapath runs with no Wasm at all.
    const table =
      this.engine.kind === "reference"
        ? buildMaglevTableSync(backends, options)
        : await buildMaglevTable(backends, options);
    this.engine.setMaglevTable(master.revNatId, table);
  }

  /** Runs a batch of packets through the node, in order; one verdict per packet. */
  processBatch(packets: readonly PacketRecord[]): DatapathVerdict[] {
    return this.engine.processBatch(packets);
  }

  /** Processes one packet (changing CT/NAT state like any other) and explains what happened. */
  trace(packet: PacketRecord): TraceResult {
    const verdict = this.engine.processBatch([packet])[0]!;
    return { verdict, steps: describeVerdict(this, packet, verdict) };
  }

  /** Collects CT entries expired at `nowSec` and the SNAT mappings of those flows. */
  gc(nowSec: number): void {
    this.engine.gc(nowSec);
  }

  stats(): DatapathStats {
    return { ...this.engine.stats(), services: this.frontends.size, backends: this.backends.size };
  }

  /** The frontend a rev-NAT ID belongs to, as "IP:PORT/PROTO". */
  frontendOf(revNatId: number): string | undefined {
    for (const fe of this.frontends.values()) {
      const m = fe.masters.find((x) => x.revNatId === revNatId);
      if (m) return `${formatIPv4(m.address)}:${m.port}/${protocolName(m.proto) ?? m.proto}`;
    }
    return undefined;
  }

  backend(id: number): BackendMapEntry | undefined {
    const b = this.backends.get(id);
    return b ? { ...b } : undefined;
  }

  /** Backend IDs of a frontend in slot order (active first). */
  serviceBackends(service: ServiceSelector): number[] {
    return [...this.frontend(service).backendIds];
  }

  /**
   * Adds a backend to a service (all its scopes) and rewrites its slots and Maglev table. As in
   * Cilium, one address:port/proto has one backend ID across services: an existing backend with the
   * same tuple is reused. Returns the backend ID.
   */
  async addBackend(service: ServiceSelector, spec: BackendSpec): Promise<number> {
    const fe = this.frontend(service);
    const master = fe.masters[0]!;
    const address = typeof spec.address === "number" ? spec.address >>> 0 : requireIPv4(spec.address);
    const proto = spec.proto ?? master.proto;
    const label = `${formatIPv4(address)}:${spec.port}/${protocolName(proto) ?? proto}`;
    const same = [...this.backends.values()].find(
      (b) => b.address === address && b.port === spec.port && b.proto === proto,
    );
    if (same && spec.id !== undefined && spec.id !== same.id) {
      throw new Error(`backend ${label} already has ID ${same.id}, not ${spec.id}`);
    }
    const id = same?.id ?? spec.id ?? Math.max(0, ...this.backends.keys()) + 1;
    const existing = this.backends.get(id);
    if (!same && existing) {
      throw new Error(`backend ID ${id} is already ${formatIPv4(existing.address)}:${existing.port}`);
    }
    if (fe.backendIds.includes(id))
      throw new Error(`${label} is already a backend of ${this.describe(service)}`);
    const backend: BackendMapEntry = same ?? {
      id,
      address,
      port: spec.port,
      proto,
      state: spec.state ?? BackendState.ACTIVE,
      weight: spec.weight ?? 100,
    };
    if (!same) {
      this.backends.set(id, backend);
      this.engine.upsertBackend(backend);
    }
    await this.rewrite(fe, [...fe.backendIds, id]);
    return id;
  }

  /** Removes a backend from a service; the backend entry is deleted once no service uses it. */
  async removeBackend(service: ServiceSelector, backendId: number): Promise<void> {
    const fe = this.frontend(service);
    if (!fe.backendIds.includes(backendId)) {
      throw new Error(`backend ${backendId} is not a backend of ${this.describe(service)}`);
    }
    await this.rewrite(
      fe,
      fe.backendIds.filter((id) => id !== backendId),
    );
    const stillUsed = [...this.frontends.values()].some((f) => f.backendIds.includes(backendId));
    if (!stillUsed) {
      this.backends.delete(backendId);
      this.engine.deleteBackend(backendId);
    }
  }

  /** Changes a backend's state (e.g. terminating) everywhere it is used, re-laying out slots. */
  async setBackendState(backendId: number, state: BackendStateValue): Promise<void> {
    const b = this.backends.get(backendId);
    if (!b) throw new Error(`unknown backend ${backendId}`);
    b.state = state;
    this.engine.upsertBackend(b);
    for (const fe of this.frontends.values()) {
      if (fe.backendIds.includes(backendId)) await this.rewrite(fe, fe.backendIds);
    }
  }

  /**
   * Changes a backend's weight. The BPF backend entry has no weight: only the agent's Maglev build
   * reads it, so the tables of every service using the backend are rebuilt; slots stay as they are.
   */
  async setBackendWeight(backendId: number, weight: number): Promise<void> {
    const b = this.backends.get(backendId);
    if (!b) throw new Error(`unknown backend ${backendId}`);
    if (!Number.isInteger(weight) || weight < 0 || weight > 0xffff) {
      throw new Error(`backend weight must be an integer 0..65535, got ${weight}`);
    }
    b.weight = weight;
    this.engine.upsertBackend(b);
    if (!this.usesMaglev()) return;
    for (const fe of this.frontends.values()) {
      if (fe.backendIds.includes(backendId)) await this.rebuildMaglev(fe);
    }
  }

  private async rewrite(fe: Frontend, ids: number[]): Promise<void> {
    const layout = layoutSlots(ids.map((id) => this.backends.get(id)!));
    const oldTotal = fe.backendIds.length;
    for (const master of fe.masters) {
      layout.backendIds.forEach((id, i) => {
        const { l7ProxyPort: _proxyPort, ...key } = master;
        this.engine.upsertService({
          ...key,
          slot: i + 1,
          backendId: id,
          count: 0,
          qcount: 0,
          ...slotFlags(master, this.backends.get(id)!.state === BackendState.QUARANTINED),
          affinityTimeoutSec: 0,
          algorithm: 0,
        });
      });
      for (let slot = layout.backendIds.length + 1; slot <= oldTotal; slot++) {
        this.engine.deleteService({
          address: master.address,
          port: master.port,
          proto: master.proto,
          scope: master.scope,
          slot,
        });
      }
      master.count = layout.count;
      master.qcount = layout.qcount;
      this.engine.upsertService(master);
    }
    fe.backendIds = layout.backendIds;
    if (this.usesMaglev()) await this.rebuildMaglev(fe);
  }

  private frontend(service: ServiceSelector): Frontend {
    if (typeof service === "number") {
      for (const fe of this.frontends.values()) if (fe.masters.some((m) => m.revNatId === service)) return fe;
    } else {
      const m = /^(\d+\.\d+\.\d+\.\d+):(\d+)(?:\/(TCP|UDP|SCTP|ANY))?$/i.exec(service.trim());
      if (!m)
        throw new Error(
          `not a service frontend: ${JSON.stringify(service)} (expected IP:PORT/PROTO or a rev-NAT ID)`,
        );
      const fe = this.frontends.get(
        frontendKey(requireIPv4(m[1]!), Number(m[2]), IpProto[parseProtocol(m[3] ?? "TCP")!]),
      );
      if (fe) return fe;
    }
    throw new Error(`no service ${this.describe(service)} in this snapshot`);
  }

  private describe(service: ServiceSelector): string {
    return typeof service === "number" ? `with rev-NAT ID ${service}` : service;
  }

  /**
   * Every entry of one emulated map as the engine holds it now (after any packets and churn), in
   * key byte order. Reading changes nothing, not even LRU recency.
   */
  readMap<K extends DatapathMapName>(name: K): DatapathMaps[K] {
    return this.engine.readMap(name);
  }

  /** Frees the engine's memory. */
  dispose(): void {
    this.engine.dispose();
  }
}
