// The control plane on its own: a ServiceManager over the reference engine's maps (no Wasm, no
// Datapath facade), checked by reading back the services, backends and Maglev maps after churn.
import { describe, expect, it } from "vitest";
import { ServiceManager } from "../../src/control/service-manager.js";
import type { MaglevBuilder } from "../../src/control/bpf-reconciler.js";
import { toEngineConfig } from "../../src/engine/config.js";
import {
  defaultNodeConfig,
  type BackendMapEntry,
  type DatapathState,
  type LbAlgorithm,
  type ServiceMapEntry,
} from "../../src/engine/state.js";
import { buildMaglevTableSync } from "../../src/lb/maglev.js";
import { BackendState } from "../../src/model/backend.js";
import { formatIPv4, requireIPv4 } from "../../src/model/ipv4.js";
import { IpProto } from "../../src/model/protocol.js";
import { ServiceFlag } from "../../src/model/service-flags.js";
import { ReferenceDatapathEngine } from "../../src/reference/datapath/engine.js";
import { RECORD_LAYOUT } from "../../src/wasm/codec.js";

const ip = requireIPv4;
const FRONTEND = "10.96.0.10:80/TCP";
const DNS = "10.96.0.53:53/UDP";

const backend = (
  id: number,
  address: string,
  port: number,
  proto: number = IpProto.TCP,
): BackendMapEntry => ({
  id,
  address: ip(address),
  port,
  proto,
  state: BackendState.ACTIVE,
  weight: 100,
});

/** A master (slot 0) and its slots for `ids`, in one scope. */
function service(
  address: string,
  port: number,
  proto: number,
  revNatId: number,
  ids: number[],
  scope: 0 | 1 = 0,
): ServiceMapEntry[] {
  const key = {
    address: ip(address),
    port,
    proto,
    scope,
    revNatId,
    affinityTimeoutSec: 0,
    algorithm: 0,
  } as const;
  const master = { ...key, slot: 0, backendId: 0, count: ids.length, qcount: 0, flags: 0, flags2: 0 };
  const slots = ids.map((id, i) => ({ ...master, slot: i + 1, backendId: id, count: 0 }));
  return [master, ...slots];
}

/**
 * Web service 10.96.0.10:80/TCP (rev-NAT 1, external and internal scope) on backends 1..3, and a
 * DNS service 10.96.0.53:53/UDP (rev-NAT 2) on backend 4.
 */
function state(lbAlgorithm: LbAlgorithm): DatapathState {
  return {
    node: defaultNodeConfig({ addresses: [ip("192.168.0.1")], lbAlgorithm, maglevTableSize: 251 }),
    services: [
      ...service("10.96.0.10", 80, IpProto.TCP, 1, [1, 2, 3]),
      ...service("10.96.0.10", 80, IpProto.TCP, 1, [1, 2, 3], 1),
      ...service("10.96.0.53", 53, IpProto.UDP, 2, [4]),
    ],
    backends: [
      backend(1, "172.20.0.1", 8080),
      backend(2, "172.20.0.2", 8080),
      backend(3, "172.20.0.3", 8080),
      backend(4, "172.20.0.9", 53, IpProto.UDP),
    ],
    revNat: [
      { id: 1, address: ip("10.96.0.10"), port: 80 },
      { id: 2, address: ip("10.96.0.53"), port: 53 },
    ],
    ipcache: [],
    ipMasqCidrs: [],
    sourceRanges: [],
    endpoints: [],
    ct: [],
    nat: [],
  };
}

interface Node {
  manager: ServiceManager;
  engine: ReferenceDatapathEngine;
  /** The backend lists each Maglev build was asked for, by backend ID. */
  builds: number[][];
}

async function node(lbAlgorithm: LbAlgorithm = "maglev"): Promise<Node> {
  const s = state(lbAlgorithm);
  const engine = new ReferenceDatapathEngine(RECORD_LAYOUT, toEngineConfig(s));
  const builds: number[][] = [];
  const build: MaglevBuilder = (backends, options) => {
    builds.push(backends.map((b) => b.id!));
    return buildMaglevTableSync(backends, options);
  };
  const manager = new ServiceManager(engine, s, build);
  manager.load();
  await manager.buildMaglevTables();
  return { manager, engine, builds };
}

/** [scope, slot, backend ID] of every slot of the web service, and its masters' counts. */
function webSlots(engine: ReferenceDatapathEngine): { slots: number[][]; counts: number[][] } {
  const rows = engine
    .readMap("services")
    .filter((s) => s.revNatId === 1)
    .sort((a, b) => a.scope - b.scope || a.slot - b.slot);
  return {
    slots: rows.filter((s) => s.slot > 0).map((s) => [s.scope, s.slot, s.backendId]),
    counts: rows.filter((s) => s.slot === 0).map((s) => [s.scope, s.count, s.qcount]),
  };
}

const maglevTable = (engine: ReferenceDatapathEngine, revNatId: number): number[] | undefined =>
  engine.readMap("maglev").find((t) => t.revNatId === revNatId)?.backendIds;

const expectedTable = (engine: ReferenceDatapathEngine, ids: number[], weights: number[] = []): number[] => {
  const backends = engine.readMap("backends");
  const members = ids.map((id, i) => {
    const b = backends.find((x) => x.id === id)!;
    return { address: formatIPv4(b.address), port: b.port, protocol: "TCP", weight: weights[i] ?? 100, id };
  });
  return [...buildMaglevTableSync(members, { tableSize: 251, seed: "JLfvgnHc2kaSUFaI" })];
};

describe("ServiceManager: slot layout after churn", () => {
  it("adds a backend with the next free ID, in address order, in both scopes", async () => {
    const { manager, engine } = await node();
    const id = await manager.addBackend(FRONTEND, { address: "172.20.0.0", port: 8080 });
    expect(id).toBe(5);
    expect(manager.serviceBackends(1)).toEqual([5, 1, 2, 3]);
    const { slots, counts } = webSlots(engine);
    expect(slots).toEqual([
      [0, 1, 5],
      [0, 2, 1],
      [0, 3, 2],
      [0, 4, 3],
      [1, 1, 5],
      [1, 2, 1],
      [1, 3, 2],
      [1, 4, 3],
    ]);
    expect(counts).toEqual([
      [0, 4, 0],
      [1, 4, 0],
    ]);
    expect(engine.readMap("backends").find((b) => b.id === 5)?.address).toBe(ip("172.20.0.0"));
    expect([manager.serviceCount, manager.backendCount]).toEqual([2, 5]);
  });

  it("does not hand a freed ID out again at once, as the agent's ID allocator moves forward", async () => {
    const { manager } = await node();
    await manager.removeBackend(2, 4);
    expect(manager.backend(4)).toBeUndefined();
    // ID 4 is free again, but the next backend gets 5: a CT entry naming 4 must not find it.
    expect(await manager.addBackend(DNS, { address: "172.20.0.9", port: 53 })).toBe(5);
    expect(await manager.addBackend(FRONTEND, { address: "172.20.0.8", port: 8080 })).toBe(6);
  });

  it("removes a backend: later slots move up, the stale last slot is deleted, the entry goes", async () => {
    const { manager, engine } = await node();
    await manager.removeBackend(1, 1);
    expect(webSlots(engine)).toEqual({
      slots: [
        [0, 1, 2],
        [0, 2, 3],
        [1, 1, 2],
        [1, 2, 3],
      ],
      counts: [
        [0, 2, 0],
        [1, 2, 0],
      ],
    });
    expect(engine.readMap("backends").map((b) => b.id)).toEqual([2, 3, 4]);
    expect(manager.backend(1)).toBeUndefined();
  });

  it("reuses one backend ID per address:port/proto across services and keeps it while used", async () => {
    const { manager, engine } = await node();
    const shared = await manager.addBackend(DNS, { address: "172.20.0.2", port: 8080, proto: IpProto.TCP });
    expect(shared).toBe(2);
    expect(manager.serviceBackends(DNS)).toEqual([2, 4]); // by address: 172.20.0.2 before .9
    await manager.removeBackend(FRONTEND, 2);
    expect(engine.readMap("backends").some((b) => b.id === 2)).toBe(true);
    await manager.removeBackend(DNS, 2);
    expect(engine.readMap("backends").some((b) => b.id === 2)).toBe(false);
  });

  it("orders active, then terminating, then quarantined; maintenance gets no slot", async () => {
    const { manager, engine } = await node();
    await manager.setBackendState(1, BackendState.QUARANTINED);
    await manager.setBackendState(2, BackendState.TERMINATING);
    expect(manager.serviceBackends(FRONTEND)).toEqual([3, 2, 1]);
    expect(webSlots(engine).counts).toEqual([
      [0, 1, 2],
      [1, 1, 2],
    ]);
    const quarantined = engine.readMap("services").find((s) => s.slot === 3 && s.scope === 0)!;
    expect(quarantined.flags2 & (ServiceFlag.QuarantinedOrDeny >> 8)).not.toBe(0);

    await manager.setBackendState(3, BackendState.MAINTENANCE);
    // No active backend left: count covers the terminating one, so draining flows still find it.
    expect(manager.serviceBackends(FRONTEND)).toEqual([2, 1]);
    expect(webSlots(engine)).toEqual({
      slots: [
        [0, 1, 2],
        [0, 2, 1],
        [1, 1, 2],
        [1, 2, 1],
      ],
      counts: [
        [0, 1, 1],
        [1, 1, 1],
      ],
    });
    expect(engine.readMap("backends").find((b) => b.id === 3)?.state).toBe(BackendState.MAINTENANCE);
  });
});

describe("ServiceManager: Maglev rebuilds", () => {
  it("builds one table per frontend at load, from its active backends", async () => {
    const { engine, builds } = await node();
    expect(builds).toEqual([[1, 2, 3], [4]]);
    expect(maglevTable(engine, 1)).toEqual(expectedTable(engine, [1, 2, 3]));
  });

  it("rebuilds from the remaining active backends after a state change, and drops an empty table", async () => {
    const { manager, engine, builds } = await node();
    await manager.setBackendState(2, BackendState.TERMINATING);
    expect(builds.at(-1)).toEqual([1, 3]);
    expect(maglevTable(engine, 1)).toEqual(expectedTable(engine, [1, 3]));
    expect(maglevTable(engine, 1)).not.toContain(2);

    await manager.removeBackend(DNS, 4);
    expect(maglevTable(engine, 2)).toBeUndefined();
  });

  it("rebuilds on a weight change without touching the slots", async () => {
    const { manager, engine } = await node();
    const before = webSlots(engine);
    await manager.setBackendWeight(3, 400);
    expect(webSlots(engine)).toEqual(before);
    expect(maglevTable(engine, 1)).toEqual(expectedTable(engine, [1, 2, 3], [100, 100, 400]));
    await expect(manager.setBackendWeight(3, 70000)).rejects.toThrow(/weight must be an integer 0\.\.65535/);
  });

  it("builds no table when no selection uses Maglev", async () => {
    const { manager, engine, builds } = await node("random");
    await manager.addBackend(FRONTEND, { address: "172.20.0.4", port: 8080 });
    await manager.setBackendWeight(1, 5);
    expect(builds).toEqual([]);
    expect(engine.readMap("maglev")).toEqual([]);
  });
});

describe("ServiceManager: frontends and errors", () => {
  it("finds a frontend by rev-NAT ID or by IP:PORT/PROTO text, as frontendText prints it", async () => {
    const { manager } = await node();
    for (const selector of [1, FRONTEND, " 10.96.0.10:80/tcp ", "10.96.0.10:80", "10.96.0.10:80/TCP/i"]) {
      expect(manager.serviceBackends(selector)).toEqual([1, 2, 3]);
    }
    expect(manager.frontendOf(2)).toBe(DNS);
    expect(manager.frontendOf(9)).toBeUndefined();
  });

  it("names what is wrong with a selector or a change", async () => {
    const { manager } = await node();
    expect(() => manager.serviceBackends("10.96.0.10")).toThrow(/not a service frontend: "10.96.0.10"/);
    expect(() => manager.serviceBackends("10.96.0.10:80/TCP/x")).toThrow(/not a service frontend/);
    expect(() => manager.serviceBackends("10.96.0.10:81/TCP")).toThrow(/no service 10.96.0.10:81\/TCP/);
    expect(() => manager.serviceBackends("[fd00::1]:80/TCP")).toThrow(/no service \[fd00::1\]:80\/TCP/);
    expect(() => manager.serviceBackends(7)).toThrow(/no service with rev-NAT ID 7/);
    await expect(manager.addBackend(FRONTEND, { address: "172.20.0.1", port: 8080 })).rejects.toThrow(
      /172\.20\.0\.1:8080\/TCP is already a backend of 10\.96\.0\.10:80\/TCP/,
    );
    await expect(manager.addBackend(FRONTEND, { id: 4, address: "172.20.0.7", port: 8080 })).rejects.toThrow(
      /backend ID 4 is already 172\.20\.0\.9:53/,
    );
    await expect(
      manager.addBackend(DNS, { id: 9, address: "172.20.0.1", port: 8080, proto: 6 }),
    ).rejects.toThrow(/already has ID 1, not 9/);
    await expect(manager.removeBackend(DNS, 1)).rejects.toThrow(/backend 1 is not a backend of/);
    await expect(manager.setBackendState(99, BackendState.ACTIVE)).rejects.toThrow(/unknown backend 99/);
  });
});
