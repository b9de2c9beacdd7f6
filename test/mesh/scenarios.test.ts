// The clustermesh-lab scenarios (examples/clustermesh-lab): curl-pod in west reaches webpod's global
// ClusterIP 10.2.147.197:80, whose backends run two in west and two in east. Each connection goes
// through west-worker's own datapath and, for an east backend, is routed natively to east-worker,
// delivered there with east-worker's CT, and answered back through west-worker's reverse NAT.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadMeshCluster } from "../../src/mesh/mesh-inputs.js";
import { Mesh } from "../../src/mesh/mesh.js";
import { buildMaglevTableSync } from "../../src/lb/maglev.js";
import { pickBackend } from "../../src/lb/select.js";
import { formatIPv4 } from "../../src/model/ipv4.js";
import {
  backendOf,
  BACKEND_CLUSTER,
  curl,
  CURL_POD,
  exampleMesh,
  fromPod,
  MESH_LAB,
  shares,
} from "./helpers.js";

const CONNECTIONS = 4000;
const BACKENDS = Object.keys(BACKEND_CLUSTER);
let meshes: Mesh[] = [];
afterEach(() => {
  for (const m of meshes) m.dispose();
  meshes = [];
});
const track = (m: Mesh) => (meshes.push(m), m);

/**
 * The binomial bound the shares are held to: five standard deviations of a share p over n
 * connections (a false failure has odds below one in a million per backend).
 */
const bound = (p: number, n: number) => 5 * Math.sqrt((p * (1 - p)) / n);

const clusterShare = (counts: Map<string, number>, cluster: string) =>
  [...counts].filter(([b]) => BACKEND_CLUSTER[b] === cluster).reduce((s, [, n]) => s + n, 0);

describe("clustermesh-lab scenarios", () => {
  it("recognises both clusters, their nodes and webpod as one global service with four backends", async () => {
    const mesh = track(await exampleMesh());
    expect(mesh.clusters.map((c) => [c.name, c.id, c.nodes.map((n) => n.name)])).toEqual([
      ["west", 1, ["west/west-control-plane", "west/west-worker"]],
      ["east", 2, ["east/east-control-plane", "east/east-worker"]],
    ]);
    expect(mesh.services).toHaveLength(1);
    const [webpod] = mesh.services;
    expect([...webpod!.frontends]).toEqual([
      ["west", "10.2.147.197:80/TCP"],
      ["east", "10.3.247.201:80/TCP"],
    ]);
    expect(webpod!.backends.map((b) => `${formatIPv4(b.address)}@${b.origin}`)).toEqual(
      BACKENDS.map((b) => `${b}@${BACKEND_CLUSTER[b]}`),
    );
  });

  it("a connection to an east backend crosses to east-worker, which delivers it; the reply is reverse-translated on west-worker", async () => {
    const mesh = track(await exampleMesh());
    const seen = new Set<string>();
    for (let sport = 30000; sport < 30100; sport++) {
      const t = fromPod(mesh, curl(sport));
      const backend = backendOf(t)!;
      seen.add(backend);
      const nodes = t.request.hops.map((h) => h.node.name);
      if (BACKEND_CLUSTER[backend] === "east") {
        expect(nodes).toEqual(["west/west-worker", "east/east-worker"]);
        expect(t.request.hops[0]!.encap).toBeNull(); // native routing, no tunnel
        expect(t.reply!.hops.map((h) => h.node.name)).toEqual(["east/east-worker", "west/west-worker"]);
      } else {
        expect(nodes).toEqual(["west/west-worker"]);
      }
      const answer = t.reply!.hops.at(-1)!.verdict;
      expect(t.reply!.end).toBe("delivered");
      expect([formatIPv4(answer.saddr), answer.sport, formatIPv4(answer.daddr)]).toEqual([
        "10.2.147.197",
        80,
        CURL_POD,
      ]);
    }
    expect([...seen].sort()).toEqual([...BACKENDS].sort());
  });

  it(`random selection: ${CONNECTIONS} connections share the four backends evenly`, async () => {
    const mesh = track(await exampleMesh({ algorithm: "random" }));
    const counts = shares(mesh, CONNECTIONS);
    for (const b of BACKENDS)
      expect(Math.abs(counts.get(b)! / CONNECTIONS - 0.25)).toBeLessThan(bound(0.25, CONNECTIONS));
  });

  it("Maglev: every connection lands where a table built over the joined set with plain hash strings says", async () => {
    const mesh = track(await exampleMesh({ algorithm: "maglev" }));
    const node = mesh.clusterNamed("west").nodes[1]!.datapath.state.node;
    const backends = BACKENDS.map((address, id) => ({ address, port: 80, protocol: "TCP", id, weight: 100 }));
    const table = buildMaglevTableSync(backends, { tableSize: node.maglevTableSize, seed: node.clusterSeed });
    // The remote backends carry no "@<cluster id>" in their hash string: with it the table differs.
    const tagged = backends.map((b) => ({ ...b, clusterId: BACKEND_CLUSTER[b.address] === "east" ? 2 : 0 }));
    const other = buildMaglevTableSync(tagged, { tableSize: node.maglevTableSize, seed: node.clusterSeed });
    expect(other.some((id, i) => id !== table[i])).toBe(true);
    const expected = new Map<string, number>();
    for (let i = 0; i < CONNECTIONS; i++) {
      const flow = { clientAddress: CURL_POD, clientPort: 20000 + i, servicePort: 80, protocol: "TCP" };
      const want = BACKENDS[pickBackend(flow, { algorithm: "maglev", table, seed: node.clusterSeed })]!;
      expect(backendOf(fromPod(mesh, curl(20000 + i)))).toBe(want);
      expected.set(want, (expected.get(want) ?? 0) + 1);
    }
    // ... and the shares are the table's: each backend holds a quarter of it.
    for (const [i, b] of BACKENDS.entries()) {
      const p = table.filter((id) => id === i).length / table.length;
      expect(Math.abs(expected.get(b)! / CONNECTIONS - p)).toBeLessThan(bound(p, CONNECTIONS));
    }
  });

  it("affinity local keeps west's connections on west's two backends; scaled to 0, east's two take them", async () => {
    const mesh = track(await exampleMesh({ affinity: "local" }));
    const local = shares(mesh, 400);
    expect([...local.keys()].sort()).toEqual(["10.0.1.162", "10.0.1.92"]);
    await mesh.scaleCluster("west", 0);
    const failedOver = shares(mesh, 400, 40000);
    expect([...failedOver.keys()].sort()).toEqual(["10.1.1.144", "10.1.1.216"]);
    await mesh.scaleCluster("west", "all");
    expect([...shares(mesh, 400, 50000).keys()].sort()).toEqual(["10.0.1.162", "10.0.1.92"]);
  });

  it("with west scaled to 0 (no affinity), every connection reaches east's two backends", async () => {
    const mesh = track(await exampleMesh());
    await mesh.scaleCluster("west", 0);
    const counts = shares(mesh, 1000);
    expect(clusterShare(counts, "east")).toBe(1000);
    for (const b of ["10.1.1.144", "10.1.1.216"])
      expect(Math.abs(counts.get(b)! / 1000 - 0.5)).toBeLessThan(bound(0.5, 1000));
  });

  it("affinity remote sends west's connections to east's two backends while any is active, else to west's", async () => {
    const mesh = track(await exampleMesh({ affinity: "remote" }));
    expect([...shares(mesh, 400).keys()].sort()).toEqual(["10.1.1.144", "10.1.1.216"]);
    await mesh.scaleCluster("east", 1);
    expect([...shares(mesh, 400, 40000).keys()]).toEqual(["10.1.1.144"]);
    await mesh.scaleCluster("east", 0);
    expect([...shares(mesh, 400, 50000).keys()].sort()).toEqual(["10.0.1.162", "10.0.1.92"]);
  });

  it("east's service is non-shared: west keeps its own two backends, east still reaches all four", async () => {
    const mesh = track(await exampleMesh({ nonShared: ["east"] }));
    expect([...shares(mesh, 400).keys()].sort()).toEqual(["10.0.1.162", "10.0.1.92"]);
    const [webpod] = mesh.services;
    expect(mesh.programmed(webpod!, "east").map((b) => formatIPv4(b.address))).toEqual(BACKENDS);
  });

  it("reads the affinity a dump was taken with from its (preferred) marks", async () => {
    // The lab's west list, as --clustermesh-affinity prints it with affinity local: west's own
    // backends marked preferred.
    const dir = mkdtempSync(join(tmpdir(), "dpemu-mesh-"));
    try {
      cpSync(MESH_LAB, dir, { recursive: true });
      const list = join(dir, "west", "service-list.clustermesh-affinity.txt");
      const marked = readFileSync(list, "utf8").replace(
        /(10\.0\.1\.\d+:80\/TCP \(active\))/g,
        "$1 (preferred)",
      );
      writeFileSync(list, marked);
      const inputs = [
        await loadMeshCluster({ path: join(dir, "west") }),
        await loadMeshCluster({ path: join(dir, "east") }),
      ];
      const config = { ctTcpMax: 65536, ctAnyMax: 65536, natMax: 65536 };
      const mesh = track(await Mesh.build(inputs, { dumpTime: 1000, config }));
      expect([mesh.affinityOf("west"), mesh.affinityOf("east")]).toEqual(["local", "none"]);
      expect(mesh.notes()).toContain(
        "west: affinity local (its service list marks only its own backends of 10.2.147.197:80/TCP preferred)",
      );
      expect([...shares(mesh, 200).keys()].sort()).toEqual(["10.0.1.162", "10.0.1.92"]);
      // An explicit affinity wins over the marks.
      const none = track(await Mesh.build(inputs, { dumpTime: 1000, config, affinity: "none" }));
      expect(none.affinityOf("west")).toBe("none");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
