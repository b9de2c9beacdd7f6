// Round trip through the emulated maps for every fixture: parse -> load into the Wasm datapath ->
// `maps dump` -> parse gives the same entries as the dumps, except for what the emulated node
// legitimately does not keep or adds. Each such difference is named below with its reason, and
// must be announced by a note of `maps dump`. The reference twin prints exactly the same text.
import { describe, expect, it } from "vitest";
import { EmulatedMaps, SOCKNAT_NOTE } from "../../src/readback/maps-dump.js";
import { buildMaglevTable } from "../../src/lb/maglev.js";
import type { CtEntry } from "../../src/model/ct.js";
import { withU64Json } from "../../src/model/u64-json.js";
import type { NodeView, Snapshot } from "../../src/model/snapshot.js";
import { loadSnapshot } from "../../src/snapshot/load.js";
import { mapContentOfView, type MapDumpContent } from "../../src/snapshot/map-content.js";
import { MAP_DUMPS } from "../../src/snapshot/map-dumps.js";
import { NodeDumps } from "../../src/snapshot/node-dumps.js";
import { parseSnapshotFiles } from "../../src/snapshot/parse-files.js";
import { readSegment } from "../../src/snapshot/read-segment.js";
import { splitDumps } from "../../src/snapshot/split.js";
import { strict } from "../snapshot/helpers.js";
import { allFixtures, fixtureText, labSnapshotDir } from "../helpers/fixtures.js";

/** CT/NAT capacities that hold every fixture: Cilium's defaults cost ~80 MB per node to zero. */
const SMALL = { ctTcpMax: 4096, ctAnyMax: 4096, natMax: 4096, affinityMax: 1024 };
const TCP = 6;

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === "bigint") return `${v}n`;
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)));
    }
    return v;
  });
}

const bag = (xs: readonly unknown[]): string[] => xs.map(canonical).sort();

/** Parses printed text the way the loader does, collecting each dump's model. */
function parsePrinted(name: string, text: string): NodeDumps {
  const dumps = new NodeDumps();
  for (const segment of splitDumps(name, text)) {
    for (const d of readSegment(segment, strict).dumps) {
      d.registered.collect(dumps, d.model, {
        kind: d.registered.format.kind,
        file: name,
        line: 1,
        node: undefined,
      });
    }
  }
  return dumps;
}

const flat = <T>(located: readonly { readonly value: readonly T[] }[]): T[] =>
  located.flatMap((l) => l.value);

/** The entries a printed map parses back to. */
const PARSED: Readonly<Record<keyof MapDumpContent, (d: NodeDumps) => readonly unknown[]>> = {
  services: (d) => flat(d.servicesMap),
  backends: (d) => flat(d.backendsMap),
  revNat: (d) => flat(d.revNatMap),
  maglev: (d) => flat(d.maglev),
  // `map get` adds the agent's cache state; the emulated map has none (State and Error print empty).
  ipcache: (d) => flat(d.ipcache).map(({ cache: _cache, ...e }) => e),
  ct: (d) => flat(d.ct),
  nat: (d) => flat(d.nat),
  ipmasq: (d) => flat(d.ipmasq),
  socknat: (d) => flat(d.socknat),
};

/** What a printed emulated map must parse back to, and the notes that must explain any difference. */
interface Expectation {
  readonly entries: readonly unknown[];
  readonly notes: readonly RegExp[];
}

const ownState = (view: NodeView, kind: string): boolean => !view.borrowed.some((b) => b.kind === kind);
const v6Count = (n: number, what: RegExp): RegExp[] =>
  n > 0 ? [new RegExp(`^${n} IPv6 ${what.source}`)] : [];

function ctExpectation(view: NodeView, tcp: boolean): Expectation {
  const ofMap = (e: CtEntry) => (e.nexthdr === TCP) === tcp;
  const v4 = view.ct.filter((e) => e.family === "ipv4" && ofMap(e));
  const notes = v6Count(view.ct.filter((e) => e.family === "ipv6" && ofMap(e)).length, /CT entr/);
  // Conntrack state belongs to the node it was dumped on: a borrowed CT dump is not loaded.
  if (!ownState(view, "bpf-ct-list")) {
    return {
      entries: [],
      notes: v4.length > 0 ? [...notes, /CT entr(y|ies) dumped on [^ ]+ not loaded/] : notes,
    };
  }
  let wide = 0;
  const entries = v4.map((e) => {
    const split = e.layout === "slave" || e.layout === "split" || e.layout === "split-ifindex";
    const service = e.direction === "SVC";
    // Backend IDs are u32; newer agents keep an egress entry's DSR NAT address in those bytes.
    const backendId = e.backendId > 0xffffffffn ? (wide++, 0n) : e.backendId;
    // A CT model entry, JSON-safe like those parsed and those read back.
    return withU64Json<CtEntry>({
      ...e,
      // Not kept: per-entry packet and byte counters (dpemu counts per node, in stats()).
      rxPackets: 0n,
      txPackets: 0n,
      txBytes: 0n,
      packets: 0n,
      bytes: 0n,
      // The split layouts hold a service entry's backend ID in RxBytes, so only that survives.
      rxBytes: split && service ? backendId : 0n,
      backendId,
      // Not kept: the NodePort device ifindex and the DSR NAT port (DSR is not emulated).
      ifIndex: 0,
      natPort: 0,
    });
  });
  return { entries, notes: wide > 0 ? [...notes, /BackendID beyond 32 bits/] : notes };
}

function expectation(name: string, view: NodeView, content: MapDumpContent): Expectation {
  switch (name) {
    case "cilium_lb4_services_v2":
      return {
        entries: content.services,
        notes: v6Count(view.services.filter((s) => s.family === 6).length, /service/),
      };
    case "cilium_lb4_backends_v3":
    case "cilium_lb4_backends_v2":
      return {
        // Not kept: ClusterMesh cluster ID and zone (dpemu emulates one cluster); _v3 prints no port.
        entries: content.backends.map((b) => ({
          ...b,
          clusterId: 0,
          zone: undefined,
          port: name.endsWith("_v3") ? undefined : b.port,
        })),
        notes: v6Count(view.backends.filter((b) => b.family === 6).length, /backend/),
      };
    case "cilium_lb4_reverse_nat": {
      // Added: the agent writes a reverse-NAT entry for every frontend; the loader writes the ones
      // no dump shows, from the service's (first) frontend.
      const dumped = new Set(content.revNat.map((r) => r.id));
      const derived = new Map<number, unknown>();
      for (const s of content.services) {
        if (s.slot !== 0 || s.revNatId === 0 || dumped.has(s.revNatId) || derived.has(s.revNatId)) continue;
        derived.set(s.revNatId, {
          id: s.revNatId,
          address: s.frontend.address,
          port: s.frontend.port,
          family: 4,
        });
      }
      return {
        entries: [...content.revNat, ...derived.values()],
        notes: [
          ...v6Count(view.revNat.filter((r) => r.family === 6).length, /reverse-NAT/),
          ...(derived.size > 0
            ? [new RegExp(`^${derived.size} reverse-NAT entr(y|ies) written from service frontends`)]
            : []),
        ],
      };
    }
    case "cilium_lb4_maglev":
      // Maglev tables are computed from the services (tested below against dumped and computed
      // tables); no fixture combines services using Maglev with dumped tables. A dumped table of a
      // rev-NAT ID without a service is not loaded.
      return {
        entries: [],
        notes: content.maglev.length > 0 ? [/dumped Maglev tables? of rev-NAT IDs without a service/] : [],
      };
    case "cilium_ipcache_v2":
    case "cilium_ipcache": {
      const local = content.ipcache.filter((e) => e.clusterId === 0).map(({ cache: _cache, ...e }) => e);
      const notes = v6Count(view.ipcache.filter((e) => e.prefix.family === "ipv6").length, /ipcache/);
      if (local.length < content.ipcache.length)
        notes.push(/ipcache entr(y|ies) of other clusters not emulated/);
      // Added: the agent always has the world entry 0.0.0.0/0.
      if (local.some((e) => e.prefix.length === 0)) return { entries: local, notes };
      const world = {
        prefix: { address: "0.0.0.0", length: 0, family: "ipv4" },
        clusterId: 0,
        identity: 2,
        encryptKey: 0,
        tunnelEndpoint: "0.0.0.0",
        flags: { skipTunnel: false, hasTunnel: false, ipv6Tunnel: false, remoteCluster: false },
        flagsPrinted: local[0]?.flagsPrinted ?? true,
      };
      return { entries: [...local, world], notes: [...notes, /0\.0\.0\.0\/0 \(world, identity 2\) added/] };
    }
    case "cilium_ct4_global":
      return ctExpectation(view, true);
    case "cilium_ct_any4_global":
      return ctExpectation(view, false);
    case "cilium_snat_v4_external": {
      const notes = v6Count(view.nat.filter((e) => e.family === "ipv6").length, /NAT entr/);
      // SNAT state belongs to the node it was dumped on: a borrowed NAT dump is not loaded.
      if (!ownState(view, "bpf-nat-list")) {
        return {
          entries: [],
          notes: content.nat.length > 0 ? [...notes, /NAT entr(y|ies) dumped on k8s-ctr not loaded/] : notes,
        };
      }
      return { entries: content.nat, notes };
    }
    case "cilium_ipmasq_v4":
      return {
        entries: content.ipmasq,
        notes: v6Count(view.ipmasq.filter((e) => e.prefix.family === "ipv6").length, /ip-masq/),
      };
    case "cilium_lb4_reverse_sk":
      // Not a datapath map: printed from the snapshot as dumped.
      return { entries: content.socknat, notes: [new RegExp(`^${SOCKNAT_NOTE.slice(0, 40)}`)] };
    default:
      throw new Error(`no expectation for ${name}`);
  }
}

async function fixtureViews(): Promise<{ label: string; snapshot: Snapshot; view: NodeView }[]> {
  const out = allFixtures()
    .filter((f) => !/hubble/.test(f))
    .map((file) => {
      const snapshot = parseSnapshotFiles([{ name: file, text: fixtureText(file) }]);
      return { label: file, snapshot, view: snapshot.selected };
    });
  const lab = await loadSnapshot(labSnapshotDir());
  for (const view of lab.nodes) out.push({ label: `lab-3node@${view.name}`, snapshot: lab, view });
  return out;
}

describe("maps dump round trip through the emulated maps", () => {
  it("gives back every fixture's entries, bar the named differences, each announced by a note", async () => {
    const nonEmpty = new Set<string>();
    for (const { label, snapshot, view } of await fixtureViews()) {
      const wasm = await EmulatedMaps.load(view, snapshot, { config: SMALL });
      const reference = await EmulatedMaps.load(view, snapshot, { engine: "reference", config: SMALL });
      try {
        const content = mapContentOfView(view);
        for (const [name, dump] of Object.entries(MAP_DUMPS)) {
          const printed = wasm.dump(name);
          expect(reference.dump(name), `${label}: ${name} (reference)`).toEqual(printed);
          const parsed = PARSED[dump.part](parsePrinted(name, printed.text));
          const expected = expectation(name, view, content);
          const only =
            name === "cilium_ct4_global" || name === "cilium_ct_any4_global"
              ? parsed.filter((e) => ((e as CtEntry).nexthdr === TCP) === (name === "cilium_ct4_global"))
              : parsed;
          expect(bag(only), `${label}: ${name}`).toEqual(bag(expected.entries));
          for (const note of expected.notes) {
            expect(
              printed.notes.some((n) => note.test(n)),
              `${label}: ${name} notes ${JSON.stringify(printed.notes)} explain ${note}`,
            ).toBe(true);
          }
          if (parsed.length > 0) nonEmpty.add(name);
        }
      } finally {
        wasm.dispose();
        reference.dispose();
      }
    }
    // Every map but Maglev (random selection in every fixture; see below) printed entries somewhere.
    expect([...nonEmpty].sort()).toEqual(
      Object.keys(MAP_DUMPS)
        .filter((m) => m !== "cilium_lb4_maglev")
        .sort(),
    );
  });

  it("prints the Maglev tables the node computes, equal to Cilium's table for each service's backends", async () => {
    // The lab node with the agent switched to Maglev (status --verbose of the same study).
    const files = [
      "lab-3node/service-list.txt",
      "lab-3node/map-get-cilium_lb4_services_v2.txt",
      "misc/status-verbose.kpr-dsr-maglev.txt",
    ];
    const snapshot = parseSnapshotFiles(files.map((name) => ({ name, text: fixtureText(name) })));
    const view = snapshot.selected;
    expect(view.config.backendSelection).toBe("Maglev");
    const maps = await EmulatedMaps.load(view, snapshot, { config: SMALL });
    const reference = await EmulatedMaps.load(view, snapshot, { engine: "reference", config: SMALL });
    try {
      const printed = maps.dump("cilium_lb4_maglev");
      expect(reference.dump("cilium_lb4_maglev")).toEqual(printed);
      const tables = flat(parsePrinted("maglev", printed.text).maglev);
      expect(tables).toEqual(maps.content("maglev"));
      expect(printed.notes).toEqual([expect.stringMatching(/computed by dpemu .*16381 entries/)]);
      // webpod (rev-NAT 20): its three backends' table, as Cilium computes it.
      const webpod = view.services.find((s) => s.revNatId === 20)!;
      const backends = webpod.backendSlots
        .slice(0, webpod.count)
        .map((id) => view.backends.find((b) => b.id === id)!);
      const computed = await buildMaglevTable(
        backends.map((b) => ({
          address: b.address,
          port: b.port,
          protocol: b.protocol,
          weight: b.weight,
          id: b.id,
        })),
        { tableSize: 16381, seed: maps.state.node.clusterSeed },
      );
      expect(tables.find((t) => t.revNatId === 20)).toEqual({
        revNatId: 20,
        family: 4,
        backendIds: Array.from(computed),
      });
      // One table per IPv4 service with active backends.
      const withBackends = view.services.filter((s) => s.family === 4 && s.count > 0).map((s) => s.revNatId);
      expect(tables.map((t) => t.revNatId).sort((a, b) => a - b)).toEqual(
        [...new Set(withBackends)].sort((a, b) => a - b),
      );
    } finally {
      maps.dispose();
      reference.dispose();
    }
  });
});
