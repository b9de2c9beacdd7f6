// The emulated node's control plane, kept apart from the datapath as Cilium keeps its agent apart
// from bpf/: the agent's tables of frontends and backends (pkg/loadbalancer's service manager, the
// Writer), backend churn between batches, and the map writes that follow (bpf-reconciler.ts).
import type { DatapathEngine } from "../engine/engine.js";
import type { BackendMapEntry, DatapathState, LbAlgorithm } from "../engine/state.js";
import { BackendState, type BackendStateValue } from "../model/backend.js";
import { formatIPv4, parseIPv4, requireIPv4 } from "../model/ipv4.js";
import { protocolName, protocolNumber } from "../model/protocol.js";
import { parseFrontend } from "../model/service.js";
import { updateMaglev, writeSlots, type FrontendSlots, type MaglevBuilder } from "./bpf-reconciler.js";

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

/** The manager's key of a frontend: its address, port and protocol numbers (both scopes share it). */
const tupleKey = (address: number, port: number, proto: number): string => `${address}:${port}:${proto}`;

const describe = (service: ServiceSelector): string =>
  typeof service === "number" ? `with rev-NAT ID ${service}` : service;

const label = (address: number, port: number, proto: number): string =>
  `${formatIPv4(address)}:${port}/${protocolName(proto) ?? proto}`;

/**
 * The agent side of one emulated node (mirrors pkg/loadbalancer's service manager and its BPF
 * reconciler): it knows every frontend's backends in slot order and every backend by ID, applies
 * backend churn, and writes the slots and Maglev tables each change implies into the engine's maps.
 */
export class ServiceManager {
  private readonly backends = new Map<number, BackendMapEntry>();
  private readonly frontends = new Map<string, FrontendSlots>();
  /**
   * The next backend ID to hand out. Like the agent's ID allocator it only moves forward, so a freed
   * ID is not reused at once: a CT entry still naming it finds no backend and reselects, instead of
   * reaching whichever backend took the ID over.
   */
  private nextBackendId = 1;

  /**
   * @param engine the maps to write.
   * @param state the node as loaded (its services, backends and Maglev settings).
   * @param buildTable the Maglev build matching the engine (Wasm, or TypeScript for the reference).
   * @param algorithm a selection algorithm forced on every service (EngineOptions.algorithm).
   */
  constructor(
    private readonly engine: DatapathEngine,
    private readonly state: DatapathState,
    private readonly buildTable: MaglevBuilder,
    private readonly algorithm?: LbAlgorithm,
  ) {}

  /** Writes the state's backends, rev-NAT entries and services into the maps. */
  load(): void {
    const slots = new Map<string, Map<number, number>>();
    for (const b of this.state.backends) {
      this.backends.set(b.id, { ...b });
      this.engine.upsertBackend(b);
      this.nextBackendId = Math.max(this.nextBackendId, b.id + 1);
    }
    for (const r of this.state.revNat) this.engine.upsertRevNat(r);
    for (const svc of this.state.services) {
      this.engine.upsertService(svc);
      const key = tupleKey(svc.address, svc.port, svc.proto);
      let fe = this.frontends.get(key);
      if (!fe) this.frontends.set(key, (fe = { masters: [], backendIds: [] }));
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
  }

  /** Builds every frontend's Maglev table, if any selection can use Maglev. */
  async buildMaglevTables(): Promise<void> {
    if (this.usesMaglev()) for (const fe of this.frontends.values()) await this.rebuildMaglev(fe);
  }

  /** How many frontends (IP, port, protocol) the node serves. */
  get serviceCount(): number {
    return this.frontends.size;
  }

  /** How many backends the node knows. */
  get backendCount(): number {
    return this.backends.size;
  }

  /** The frontend a rev-NAT ID belongs to, as "IP:PORT/PROTO". */
  frontendOf(revNatId: number): string | undefined {
    for (const fe of this.frontends.values()) {
      const m = fe.masters.find((x) => x.revNatId === revNatId);
      if (m) return label(m.address, m.port, m.proto);
    }
    return undefined;
  }

  /** Every frontend's rev-NAT ID with its name as frontendOf() gives it (the first frontend wins). */
  revNatFrontends(): Array<[number, string]> {
    const names = new Map<number, string>();
    for (const fe of this.frontends.values()) {
      for (const m of fe.masters)
        if (!names.has(m.revNatId)) names.set(m.revNatId, label(m.address, m.port, m.proto));
    }
    return [...names];
  }

  /** The IDs of every backend known now. */
  backendIds(): number[] {
    return [...this.backends.keys()];
  }

  /** A copy of one backend's entry. */
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
    const address = typeof spec.address === "number" ? spec.address >>> 0 : requireIPv4(spec.address);
    const proto = spec.proto ?? fe.masters[0]!.proto;
    const name = label(address, spec.port, proto);
    const same = [...this.backends.values()].find(
      (b) => b.address === address && b.port === spec.port && b.proto === proto,
    );
    if (same && spec.id !== undefined && spec.id !== same.id) {
      throw new Error(`backend ${name} already has ID ${same.id}, not ${spec.id}`);
    }
    const id = same?.id ?? spec.id ?? this.freeBackendId();
    const existing = this.backends.get(id);
    if (!same && existing) {
      throw new Error(`backend ID ${id} is already ${formatIPv4(existing.address)}:${existing.port}`);
    }
    if (fe.backendIds.includes(id)) throw new Error(`${name} is already a backend of ${describe(service)}`);
    if (!same) {
      this.nextBackendId = Math.max(this.nextBackendId, id + 1);
      const state = spec.state ?? BackendState.ACTIVE;
      const backend = { id, address, port: spec.port, proto, state, weight: spec.weight ?? 100 };
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
      throw new Error(`backend ${backendId} is not a backend of ${describe(service)}`);
    }
    await this.rewrite(
      fe,
      fe.backendIds.filter((id) => id !== backendId),
    );
    if (![...this.frontends.values()].some((f) => f.backendIds.includes(backendId))) {
      this.backends.delete(backendId);
      this.engine.deleteBackend(backendId);
    }
  }

  /** Changes a backend's state (e.g. terminating) everywhere it is used, re-laying out slots. */
  async setBackendState(backendId: number, state: BackendStateValue): Promise<void> {
    const b = this.known(backendId);
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
    const b = this.known(backendId);
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

  /** Whether any selection can use Maglev (so tables are needed). */
  private usesMaglev(): boolean {
    if (this.algorithm) return this.algorithm === "maglev";
    return (
      this.state.node.lbAlgorithm === "maglev" ||
      this.state.services.some((s) => s.slot === 0 && s.algorithm === 2)
    );
  }

  private async rewrite(fe: FrontendSlots, ids: readonly number[]): Promise<void> {
    writeSlots(this.engine, fe, ids, this.backends);
    if (this.usesMaglev()) await this.rebuildMaglev(fe);
  }

  private rebuildMaglev(fe: FrontendSlots): Promise<void> {
    const { maglevTableSize: tableSize, clusterSeed: seed } = this.state.node;
    return updateMaglev(this.engine, fe, this.backends, { tableSize, seed }, this.buildTable);
  }

  /** The allocator's next free ID (pkg/loadbalancer's IDAllocator: forward from the last, skipping IDs in use). */
  private freeBackendId(): number {
    let id = this.nextBackendId;
    while (this.backends.has(id)) id++;
    return id;
  }

  private known(backendId: number): BackendMapEntry {
    const b = this.backends.get(backendId);
    if (!b) throw new Error(`unknown backend ${backendId}`);
    return b;
  }

  private frontend(service: ServiceSelector): FrontendSlots {
    if (typeof service === "number") {
      for (const fe of this.frontends.values()) if (fe.masters.some((m) => m.revNatId === service)) return fe;
    } else {
      const parsed = parseFrontend(service.trim(), "TCP");
      if (!parsed)
        throw new Error(
          `not a service frontend: ${JSON.stringify(service)} (expected IP:PORT/PROTO or a rev-NAT ID)`,
        );
      const address = parseIPv4(parsed.address);
      const fe =
        address === undefined
          ? undefined
          : this.frontends.get(tupleKey(address, parsed.port, protocolNumber(parsed.protocol)));
      if (fe) return fe;
    }
    throw new Error(`no service ${describe(service)} in this snapshot`);
  }
}
