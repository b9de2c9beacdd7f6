// Reading the emulated maps back: both engines return exactly what was loaded into them (for every
// fixture's node view), the same as each other, without disturbing LRU order, however large the map.
import { describe, expect, it } from "vitest";
import { Datapath } from "../../src/datapath/datapath.js";
import { datapathStateFromSnapshot } from "../../src/load/from-snapshot.js";
import { DATAPATH_MAP_NAMES, type DatapathMaps } from "../../src/engine/map-records.js";
import { TupleFlag, type CtMapEntry, type DatapathState } from "../../src/engine/state.js";
import { buildMaglevTable } from "../../src/lb/maglev.js";
import { formatIPv4, requireIPv4 } from "../../src/model/ipv4.js";
import type { Snapshot } from "../../src/model/snapshot.js";
import { loadSnapshot } from "../../src/snapshot/load.js";
import { parseSnapshotFiles } from "../../src/snapshot/parse-files.js";
import { allFixtures, fixtureText, labSnapshotDir } from "../helpers/fixtures.js";
import { labState } from "./lab-state.js";
import { EntryPoint, pkt } from "./scenario-helpers.js";
import { BackendState } from "../../src/model/backend.js";
import { IpProto } from "../../src/model/protocol.js";
import { ServiceFlag } from "../../src/model/service-flags.js";

const ip = (text: string): number => requireIPv4(text);

/** JSON with object keys sorted: equal entries give equal text whatever order their fields were set in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

/** Entries as a sorted list of texts: map order is the engine's, load order the snapshot's. */
const bag = (xs: readonly unknown[]): string[] => xs.map(canonical).sort();

/** What a map keyed by `key` holds after `entries` were written in order: the last write per key. */
function lastByKey<T>(entries: readonly T[], key: (e: T) => string): T[] {
  return [...new Map(entries.map((e) => [key(e), e])).values()];
}

const isTcp = (e: CtMapEntry) => e.tuple.nexthdr === IpProto.TCP;

/** What each map must hold right after Datapath.create(state), by the loading rules. */
function expectedMaps(state: DatapathState): Omit<DatapathMaps, "maglev"> {
  return {
    services: state.services,
    backends: state.backends.map(({ weight: _weight, ...record }) => record),
    revNat: state.revNat,
    ipcache: state.ipcache,
    // The ip-masq map is only filled when the agent runs ip-masq-agent.
    ipMasq: state.node.ipMasqAgent ? state.ipMasqCidrs : [],
    ctTcp: state.ct.filter(isTcp),
    ctAny: state.ct.filter((e) => !isTcp(e)),
    nat: state.nat,
    endpoints: lastByKey(state.endpoints, (e) => String(e.address)),
    affinity: [],
  };
}

async function bothEngines(state: DatapathState): Promise<[Datapath, Datapath]> {
  return [await Datapath.create(state), await Datapath.create(state, { engine: "reference" })];
}

function expectSameMaps(wasm: Datapath, reference: Datapath, label: string): void {
  for (const name of DATAPATH_MAP_NAMES) {
    expect(wasm.readMap(name), `${label}: ${name}`).toEqual(reference.readMap(name));
  }
}

/** CT/NAT capacities that hold every fixture: Cilium's defaults cost ~80 MB per node to zero. */
const SMALL = { ctTcpMax: 4096, ctAnyMax: 4096, natMax: 4096, affinityMax: 1024 };

const FILE_FIXTURES = allFixtures().filter((f) => !/hubble/.test(f));

async function fixtureViews(): Promise<{ label: string; snapshot: Snapshot; node: string }[]> {
  const out = FILE_FIXTURES.map((file) => {
    const snapshot = parseSnapshotFiles([{ name: file, text: fixtureText(file) }]);
    return { label: file, snapshot, node: snapshot.selected.name };
  });
  const lab = await loadSnapshot(labSnapshotDir());
  for (const view of lab.nodes) out.push({ label: `lab-3node@${view.name}`, snapshot: lab, node: view.name });
  return out;
}

describe("map read-back", () => {
  it("gives back exactly what every fixture loaded, the same from both engines", async () => {
    const filled = new Set<string>();
    for (const { label, snapshot, node } of await fixtureViews()) {
      const { state } = datapathStateFromSnapshot(snapshot, { node, dumpTime: 1_000_000, config: SMALL });
      const [wasm, reference] = await bothEngines(state);
      try {
        const expected = expectedMaps(state);
        for (const name of Object.keys(expected) as (keyof typeof expected)[]) {
          expect(bag(wasm.readMap(name)), `${label}: ${name}`).toEqual(bag(expected[name]));
          if (expected[name].length > 0) filled.add(name);
        }
        expectSameMaps(wasm, reference, label);
      } finally {
        wasm.dispose();
        reference.dispose();
      }
    }
    // The fixtures exercise every map a snapshot fills (affinity only fills with traffic).
    expect([...filled].sort()).toEqual(
      ["services", "backends", "revNat", "ipcache", "ipMasq", "ctTcp", "ctAny", "nat", "endpoints"].sort(),
    );
  });

  it("returns what the pipeline wrote, identically for both engines, after traffic and churn", async () => {
    const state = labState({ lbAlgorithm: "maglev", maglevTableSize: 251 });
    state.services.find((s) => s.revNatId === 20 && s.slot === 0)!.flags |= ServiceFlag.SessionAffinity;
    state.services.find((s) => s.revNatId === 20 && s.slot === 0)!.affinityTimeoutSec = 600;
    const [wasm, reference] = await bothEngines(state);
    try {
      const packets = [
        pkt("172.20.0.96:40000", "10.96.163.90:80"),
        pkt("172.20.0.96:40001", "8.8.8.8:443"),
        pkt("172.20.0.96:40002", "10.96.0.10:53", { proto: IpProto.UDP }),
        pkt("1.1.1.1:5555", "192.168.10.100:30002", { entry: EntryPoint.FromNetwork }),
      ];
      for (const dp of [wasm, reference]) {
        dp.processBatch(packets);
        await dp.setBackendState(15, BackendState.QUARANTINED);
        await dp.addBackend(20, { address: "172.20.2.50", port: 80 });
      }
      expectSameMaps(wasm, reference, "lab after traffic");
      const after = wasm.readMap("ctTcp");
      expect(after.some((e) => (e.tuple.flags & TupleFlag.SERVICE) !== 0 && e.revNatId === 20)).toBe(true);
      expect(wasm.readMap("ctAny").some((e) => e.tuple.nexthdr === IpProto.UDP)).toBe(true);
      expect(wasm.readMap("nat").length).toBeGreaterThanOrEqual(2);
      expect(wasm.readMap("affinity")).toEqual([
        expect.objectContaining({ client: ip("172.20.0.96"), revNatId: 20 }),
      ]);
    } finally {
      wasm.dispose();
      reference.dispose();
    }
  });

  it("does not refresh LRU recency: the next eviction is the same with or without a read", async () => {
    // Four CT entries in a four-entry map, inserted in descending key order: the least recently
    // used (the first inserted) has the largest key, so a read in key order that touched entries
    // would leave the smallest key as the victim instead.
    const entry = (client: number): CtMapEntry => ({
      tuple: {
        daddr: ip("8.8.8.8"),
        saddr: ip(`172.20.0.${client}`),
        dport: 443,
        sport: 40000,
        nexthdr: IpProto.TCP,
        flags: TupleFlag.OUT,
      },
      lifetime: 1_700_008_000,
      flags: 0,
      revNatId: 0,
      backendId: 0,
      txFlagsSeen: 0x02,
      rxFlagsSeen: 0x02,
      srcSecId: 63446,
      lastTxReport: 0,
      lastRxReport: 0,
    });
    const survivors: string[][] = [];
    for (const read of [false, true]) {
      for (const engine of ["wasm", "reference"] as const) {
        const state = labState({ ctTcpMax: 4 });
        state.ct = [99, 98, 97, 96].map(entry);
        const dp = await Datapath.create(state, { engine });
        if (read) expect(dp.readMap("ctTcp")).toHaveLength(4);
        dp.processBatch([pkt("172.20.0.96:40000", "8.8.4.4:443")]);
        survivors.push(dp.readMap("ctTcp").map((e) => formatIPv4(e.tuple.saddr)));
        dp.dispose();
      }
    }
    expect(survivors[0]).not.toContain("172.20.0.99");
    for (const s of survivors) expect(s).toEqual(survivors[0]);
  });

  it("reads maps larger than one chunk of records completely", async () => {
    const state = labState();
    for (let i = 0; i < 10_000; i++) {
      state.ipcache.push({
        prefix: (ip("10.200.0.0") + i) >>> 0,
        prefixLen: 32,
        identity: 100_000 + i,
        tunnelEndpoint: 0,
        encryptKey: 0,
        flags: 0,
      });
      state.nat.push({
        tuple: {
          saddr: ip("172.20.0.96"),
          daddr: ip("8.8.8.8"),
          sport: 10_000 + i,
          dport: 53,
          nexthdr: IpProto.UDP,
          flags: TupleFlag.OUT,
        },
        created: 1_700_000_000,
        needsCt: false,
        address: ip("192.168.10.100"),
        port: 32768 + i,
      });
    }
    state.node = { ...state.node, natMax: 16_384 };
    const [wasm, reference] = await bothEngines(state);
    try {
      const expected = expectedMaps(state);
      expect(bag(wasm.readMap("ipcache"))).toEqual(bag(expected.ipcache));
      expect(bag(wasm.readMap("nat"))).toEqual(bag(expected.nat));
      expectSameMaps(wasm, reference, "10,000 extra ipcache and NAT entries");
    } finally {
      wasm.dispose();
      reference.dispose();
    }
  });

  it("holds the Maglev tables the control plane computed", async () => {
    const state = labState({ lbAlgorithm: "maglev", maglevTableSize: 251 });
    const [wasm, reference] = await bothEngines(state);
    try {
      const tables = wasm.readMap("maglev");
      expect(tables).toEqual(reference.readMap("maglev"));
      const webpod = tables.find((t) => t.revNatId === 20)!;
      const backends = [14, 15, 16].map((id) => state.backends.find((b) => b.id === id)!);
      const computed = await buildMaglevTable(
        backends.map((b) => ({
          address: formatIPv4(b.address),
          port: b.port,
          protocol: "TCP",
          weight: b.weight,
          id: b.id,
        })),
        { tableSize: 251, seed: state.node.clusterSeed },
      );
      expect(webpod.backendIds).toEqual(Array.from(computed));
      // One table per rev-NAT ID of a service with backends.
      const withBackends = new Set(
        state.services.filter((s) => s.slot === 0 && s.count > 0).map((s) => s.revNatId),
      );
      expect(tables.map((t) => t.revNatId)).toEqual([...withBackends].sort((a, b) => a - b));
    } finally {
      wasm.dispose();
      reference.dispose();
    }
  });

  it("keeps the agent's flags on backend slots: no source-range bits, QUARANTINED on quarantined backends", async () => {
    const state = labState();
    const webpod = state.services.find((s) => s.revNatId === 20 && s.slot === 0)!;
    webpod.flags |= ServiceFlag.SourceRange;
    webpod.flags2 |= ServiceFlag.QuarantinedOrDeny >> 8;
    const dp = await Datapath.create(state);
    try {
      await dp.setBackendState(15, BackendState.QUARANTINED);
      const slots = dp.readMap("services").filter((s) => s.revNatId === 20);
      const master = slots.find((s) => s.slot === 0)!;
      expect(master.flags & ServiceFlag.SourceRange).toBe(ServiceFlag.SourceRange);
      expect(master.flags2 & (ServiceFlag.QuarantinedOrDeny >> 8)).toBe(ServiceFlag.QuarantinedOrDeny >> 8);
      const bySlot = slots.filter((s) => s.slot > 0).sort((a, b) => a.slot - b.slot);
      expect(bySlot.map((s) => [s.backendId, s.flags, s.flags2])).toEqual([
        [14, master.flags & ~ServiceFlag.SourceRange, 0],
        [16, master.flags & ~ServiceFlag.SourceRange, 0],
        [15, master.flags & ~ServiceFlag.SourceRange, ServiceFlag.QuarantinedOrDeny >> 8],
      ]);
      expect(master.count).toBe(2);
      expect(master.qcount).toBe(1);
    } finally {
      dp.dispose();
    }
  });

  it("keeps an L7 load balancer's proxy port in the master's union word", async () => {
    const file = "public/bpf-lb-list.v1.16-dev-l7lb.txt";
    const snapshot = parseSnapshotFiles([{ name: file, text: fixtureText(file) }]);
    const { state } = datapathStateFromSnapshot(snapshot);
    const dp = await Datapath.create(state);
    try {
      const l7 = dp.readMap("services").filter((s) => (s.flags2 & (ServiceFlag.L7LoadBalancer >> 8)) !== 0);
      expect(l7.map((s) => [formatIPv4(s.address), s.port, s.l7ProxyPort])).toEqual(
        expect.arrayContaining([
          ["172.18.0.2", 32646, 15735],
          ["10.96.193.7", 443, 15735],
        ]),
      );
    } finally {
      dp.dispose();
    }
  });
});
