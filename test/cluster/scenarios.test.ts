// The cluster scenarios of examples/lab-3node-lb (webpod LoadBalancer 172.16.1.1:80 with a backend on
// each node, the router's ECMP route over the three nodes, the L2 lease) and examples/lab-3node
// (curl-pod on k8s-ctr to the webpod ClusterIP).
import { afterEach, describe, expect, it } from "vitest";
import type { Cluster } from "../../src/cluster/cluster.js";
import { Ingress } from "../../src/cluster/ingress.js";
import { podNode, traceCluster, type ClusterTrace } from "../../src/cluster/cluster-trace.js";
import { formatIPv4, requireIPv4 } from "../../src/model/ipv4.js";
import { exampleCluster, LAB, LB_LAB, tcp } from "./helpers.js";

const LB = "172.16.1.1";
const BACKEND_NODE: Record<string, string> = {
  "172.20.0.185": "k8s-ctr",
  "172.20.1.63": "k8s-w1",
  "172.20.2.38": "k8s-w0",
};
let clusters: Cluster[] = [];
afterEach(() => {
  for (const c of clusters) c.dispose();
  clusters = [];
});
const track = (c: Cluster) => (clusters.push(c), c);
const backendOf = (t: ClusterTrace) => formatIPv4(t.request.hops.at(-1)!.verdict.daddr);

describe("cluster scenarios", () => {
  it("with Maglev every ingress node picks the same backend for a flow, and the backend's node delivers it", async () => {
    const chosen = new Map<number, Set<string>>();
    for (const node of ["k8s-ctr", "k8s-w1", "k8s-w0"]) {
      const cluster = track(await exampleCluster(LB_LAB));
      const ingress = new Ingress(cluster, { mode: "node", node });
      for (let sport = 41000; sport < 41060; sport++) {
        const t = traceCluster(cluster, ingress, tcp("10.10.1.10", sport, LB, 80))!;
        expect(t.request.end).toBe("delivered");
        expect(t.backendNode!.name).toBe(BACKEND_NODE[backendOf(t)]);
        if (!chosen.has(sport)) chosen.set(sport, new Set());
        chosen.get(sport)!.add(backendOf(t));
        // A remote backend costs one overlay crossing to the backend's node.
        expect(t.request.hops.length).toBe(t.backendNode!.name === node ? 1 : 2);
      }
    }
    for (const backends of chosen.values()) expect(backends.size).toBe(1);
    // ... and the flows are spread over all three backends.
    expect(new Set([...chosen.values()].flatMap((s) => [...s])).size).toBe(3);
  });

  it("DSR-Geneve with Maglev: any ingress node reaches the same backend, and the reply leaves the backend's node straight to the client as 172.16.1.1:80", async () => {
    const cluster = track(await exampleCluster(LB_LAB));
    const ingress = new Ingress(cluster, { mode: "ecmp", hash: "l4" });
    let remote = 0;
    for (let sport = 40000; sport < 40060; sport++) {
      const t = traceCluster(cluster, ingress, tcp("10.10.1.10", sport, LB, 80))!;
      expect(t.request.end).toBe("delivered");
      const reply = t.reply!;
      const out = reply.hops.at(-1)!;
      expect(reply.end).toBe("left-cluster");
      expect([formatIPv4(out.verdict.saddr), out.verdict.sport, formatIPv4(out.verdict.daddr)]).toEqual([
        LB,
        80,
        "10.10.1.10",
      ]);
      // The reply never passes through another node: it leaves from the backend's node.
      expect(reply.hops.map((h) => h.node.name)).toEqual([t.backendNode!.name]);
      if (t.backendNode === t.ingress.node) continue;
      remote++;
      const hop = t.request.hops[0]!;
      expect(hop.encap).toMatchObject({
        type: "geneve",
        dsr: true,
        overheadBytes: 62,
        outer: { saddr: t.ingress.node.address, daddr: t.backendNode!.address },
      });
      expect(hop.dsr).toEqual({ address: requireIPv4(LB), port: 80, via: "geneve-option" });
      // The backend sees the client itself, not the ingress node.
      expect(formatIPv4(t.request.hops[1]!.verdict.saddr)).toBe("10.10.1.10");
    }
    expect(remote).toBeGreaterThan(20);
  });

  it("the router's ECMP spreads flows over the three next hops of its ip route, bucket i of 3", async () => {
    const cluster = track(await exampleCluster(LB_LAB));
    const ingress = new Ingress(cluster, { mode: "ecmp", hash: "l4" });
    const seen = new Map<string, number>();
    for (let sport = 40000; sport < 40300; sport++) {
      const choice = ingress.choose(tcp("10.10.1.10", sport, LB, 80))!;
      expect(choice.ecmp).toMatchObject({ buckets: 3, source: "ip route 172.16.1.1/32" });
      // The route lists k8s-w0 (192.168.20.100) first, then k8s-ctr and k8s-w1.
      expect(["k8s-w0", "k8s-ctr", "k8s-w1"][choice.ecmp!.bucket]).toBe(choice.node.name);
      seen.set(choice.node.name, (seen.get(choice.node.name) ?? 0) + 1);
    }
    for (const n of seen.values()) expect(n).toBeGreaterThan(60);
  });

  it("in SNAT mode the reply returns through the ingress node and leaves with the LoadBalancer address", async () => {
    const cluster = track(await exampleCluster(LB_LAB, { config: { kprMode: "snat" } }));
    const ingress = new Ingress(cluster, { mode: "ecmp", hash: "l4" });
    let crossed = 0;
    for (let sport = 40000; sport < 40060; sport++) {
      const t = traceCluster(cluster, ingress, tcp("10.10.1.10", sport, LB, 80))!;
      const reply = t.reply!;
      expect(reply.end).toBe("left-cluster");
      const out = reply.hops.at(-1)!;
      expect(out.node).toBe(t.ingress.node);
      expect([formatIPv4(out.verdict.saddr), out.verdict.sport, formatIPv4(out.verdict.daddr)]).toEqual([
        LB,
        80,
        "10.10.1.10",
      ]);
      if (t.backendNode !== t.ingress.node) {
        crossed++;
        // The backend saw the ingress node's cilium_host address, so the reply tunnels back there.
        expect(reply.hops.map((h) => h.node.name)).toEqual([t.backendNode!.name, t.ingress.node.name]);
        expect(reply.hops[0]!.encap).toMatchObject({
          type: "vxlan",
          outer: { daddr: t.ingress.node.address },
        });
        expect(t.request.crossNodeBytes).toBe(60 + 50);
      }
    }
    expect(crossed).toBeGreaterThan(20);
  });

  it("with ExternalTrafficPolicy Local only nodes with a local backend are next hops, and nothing crosses nodes", async () => {
    const cluster = track(await exampleCluster(LB_LAB, { localFrontends: ["172.16.1.1:80/TCP"] }));
    // Scale webpod down on k8s-w1: its pod is removed from the service on every node.
    for (const node of cluster.nodes) {
      const id = node.datapath
        .serviceBackends("172.16.1.1:80/TCP")
        .find((b) => formatIPv4(node.datapath.backend(b)!.address) === "172.20.1.63");
      if (id !== undefined) await node.datapath.removeBackend("172.16.1.1:80/TCP", id);
    }
    const ingress = new Ingress(cluster, { mode: "ecmp", hash: "l4" });
    const lb = ingress.members(tcp("1.1.1.1", 1, LB, 80).daddr);
    expect(lb.members.map((m) => m.node)).toEqual(["k8s-w0", "k8s-ctr"]);
    const entered = new Set<string>();
    for (let sport = 40000; sport < 40100; sport++) {
      const t = traceCluster(cluster, ingress, tcp("10.10.1.10", sport, LB, 80))!;
      entered.add(t.ingress.node.name);
      expect(t.request.hops.length).toBe(1);
      expect(t.request.end).toBe("delivered");
      expect(t.request.crossNodeBytes + t.reply!.crossNodeBytes).toBe(0);
    }
    expect([...entered].sort()).toEqual(["k8s-ctr", "k8s-w0"]);
  });

  it("with L2 announcements every packet enters at the lease holder", async () => {
    const cluster = track(await exampleCluster(LB_LAB));
    const ingress = new Ingress(cluster, { mode: "l2" });
    for (let sport = 40000; sport < 40050; sport++) {
      const t = traceCluster(cluster, ingress, tcp(`10.10.1.${sport % 200}`, sport, LB, 80))!;
      expect(t.ingress).toMatchObject({ how: "l2" });
      expect(t.ingress.node.name).toBe("k8s-ctr");
      expect(t.request.hops[0]!.node.name).toBe("k8s-ctr");
    }
  });

  it("curl-pod on k8s-ctr to the webpod ClusterIP crosses the overlay to 192.168.20.100 and is delivered on k8s-w0", async () => {
    let toW0 = 0;
    const cluster = track(await exampleCluster(LAB));
    for (let sport = 40000; sport < 40012; sport++) {
      const packet = tcp("172.20.0.96", sport, "10.96.163.90", 80);
      const from = podNode(cluster, packet.saddr)!;
      expect(from.name).toBe("k8s-ctr");
      const t = traceCluster(cluster, new Ingress(cluster, { mode: "address" }), packet, from)!;
      if (formatIPv4(t.request.hops.at(-1)!.verdict.daddr) !== "172.20.2.1") continue;
      toW0++;
      const [first, second] = t.request.hops;
      expect(first!.encap).toEqual({
        type: "vxlan",
        outer: { saddr: 0xc0a80a64, daddr: 0xc0a81464 },
        dsr: false,
        overheadBytes: 50,
      });
      expect(second!.node.name).toBe("k8s-w0");
      expect(second!.verdict.observationPoint).toBe(101);
      // The reply goes back over the overlay to k8s-ctr and is delivered to curl-pod.
      expect(t.reply!.hops.map((h) => h.node.name)).toEqual(["k8s-w0", "k8s-ctr"]);
      expect(t.reply!.end).toBe("delivered");
    }
    expect(toW0).toBeGreaterThan(0);
  });
});
