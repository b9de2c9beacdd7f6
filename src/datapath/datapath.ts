// The public face of the emulated node's datapath: one emulated node built from a DatapathState, run
// either by the Wasm pipeline (default) or by its pure-TypeScript reference twin. Packets go through
// in batches and one packet can be traced step by step; backend churn between batches is the
// control plane's (src/control/), which this facade owns and delegates to.
import { buildMaglevTable, buildMaglevTableSync } from "../lb/maglev.js";
import { ReferenceDatapathEngine } from "../reference/datapath/engine.js";
import { WasmDatapathEngine } from "../wasm/datapath.js";
import { RECORD_LAYOUT, type RecordLayout } from "../wasm/codec.js";
import { loadWasm, type WasmInstance } from "../wasm/module.js";
import { toEngineConfig, type EngineOptions } from "../engine/config.js";
import type { DatapathEngine, EngineStats } from "../engine/engine.js";
import type { PacketRecord } from "../model/packet.js";
import type { DatapathVerdict } from "../engine/verdict.js";
import type { DatapathMapName, DatapathMaps } from "../engine/map-records.js";
import type { BackendMapEntry, DatapathState } from "../engine/state.js";
import { describeVerdict, type TraceStep } from "./trace.js";
import type { BackendStateValue } from "../model/backend.js";
import { ServiceManager, type BackendSpec, type ServiceSelector } from "../control/service-manager.js";

/** How Datapath.create builds the emulated node: the engine and the Wasm instance to use. */
export interface DatapathOptions extends EngineOptions {
  /** "wasm" (default) or the pure-TypeScript "reference" pipeline. */
  engine?: "wasm" | "reference";
  /** A module instance to use (else a fresh one is instantiated; each Datapath needs its own). */
  wasm?: WasmInstance;
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

/**
 * One emulated Cilium node: its BPF maps filled from a DatapathState, packets processed in batches by the
 * Wasm pipeline (or its TypeScript twin), backends changed between batches like the agent does.
 */
export class Datapath {
  readonly engine: DatapathEngine;
  readonly layout: RecordLayout;
  readonly state: DatapathState;
  private readonly services: ServiceManager;

  private constructor(
    engine: DatapathEngine,
    layout: RecordLayout,
    state: DatapathState,
    options: DatapathOptions,
  ) {
    this.engine = engine;
    this.layout = layout;
    this.state = state;
    // The reference engine's tables come from the TypeScript build (identical entry by entry), so a
    // reference datapath runs with no Wasm at all.
    const buildTable = engine.kind === "reference" ? buildMaglevTableSync : buildMaglevTable;
    this.services = new ServiceManager(engine, state, buildTable, options.algorithm);
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
    this.services.load();
    for (const ep of s.endpoints) e.upsertEndpoint(ep);
    for (const entry of s.ipcache) e.upsertIpcache(entry);
    if (s.node.ipMasqAgent) for (const c of s.ipMasqCidrs) e.addIpMasqCidr(c.prefix, c.prefixLen);
    for (const r of s.sourceRanges) e.addSourceRange(r.revNatId, r.prefix, r.prefixLen);
    for (const ct of s.ct) e.insertCt(ct);
    for (const nat of s.nat) e.insertNat(nat);
    await this.services.buildMaglevTables();
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
    const { serviceCount: services, backendCount: backends } = this.services;
    return { ...this.engine.stats(), services, backends };
  }

  /** The frontend a rev-NAT ID belongs to, as "IP:PORT/PROTO". */
  frontendOf(revNatId: number): string | undefined {
    return this.services.frontendOf(revNatId);
  }

  backend(id: number): BackendMapEntry | undefined {
    return this.services.backend(id);
  }

  /** Every frontend's rev-NAT ID with its name (as frontendOf gives it). */
  revNatFrontends(): Array<[number, string]> {
    return this.services.revNatFrontends();
  }

  /** The IDs of every backend known now (backend() gives each). */
  backendIds(): number[] {
    return this.services.backendIds();
  }

  /** Backend IDs of a frontend in slot order (active first). */
  serviceBackends(service: ServiceSelector): number[] {
    return this.services.serviceBackends(service);
  }

  /**
   * Adds a backend to a service (all its scopes) and rewrites its slots and Maglev table. As in
   * Cilium, one address:port/proto has one backend ID across services: an existing backend with the
   * same tuple is reused. Returns the backend ID.
   */
  addBackend(service: ServiceSelector, spec: BackendSpec): Promise<number> {
    return this.services.addBackend(service, spec);
  }

  /** Removes a backend from a service; the backend entry is deleted once no service uses it. */
  removeBackend(service: ServiceSelector, backendId: number): Promise<void> {
    return this.services.removeBackend(service, backendId);
  }

  /** Changes a backend's state (e.g. terminating) everywhere it is used, re-laying out slots. */
  setBackendState(backendId: number, state: BackendStateValue): Promise<void> {
    return this.services.setBackendState(backendId, state);
  }

  /**
   * Changes a backend's weight. The BPF backend entry has no weight: only the agent's Maglev build
   * reads it, so the tables of every service using the backend are rebuilt; slots stay as they are.
   */
  setBackendWeight(backendId: number, weight: number): Promise<void> {
    return this.services.setBackendWeight(backendId, weight);
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
