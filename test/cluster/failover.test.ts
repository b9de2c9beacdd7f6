// Failover of one of three nodes while 10,000 connections are open, through the router's real ECMP
// hash and every node's real CT state: Maglev keeps every connection's backend, random breaks about
// the share it predicts (moved connections × (1 − 1/backends)).
import { describe, expect, it } from "vitest";
import { Ingress } from "../../src/cluster/ingress.js";
import { runFailover } from "../../src/cluster/failover.js";
import { failNode, joinNode } from "../../src/cluster/node-events.js";
import type { NexthopGroupType } from "../../src/cluster/nexthop-group.js";
import { exampleCluster, LB_LAB } from "./helpers.js";

async function failover(
  algorithm: "maglev" | "random",
  group: NexthopGroupType,
  kprMode: "snat" | "dsr" = "snat",
) {
  const cluster = await exampleCluster(LB_LAB, { algorithm, config: { kprMode } });
  try {
    const ingress = new Ingress(cluster, { mode: "ecmp", hash: "l4", group });
    // k8s-w0 (the route's first next hop) drains: its BGP route is withdrawn.
    const result = await runFailover(cluster, ingress, {
      frontend: "172.16.1.1:80",
      after: ["k8s-ctr", "k8s-w1"],
      connections: 10000,
    });
    console.log(`failover ${kprMode} ${algorithm} ${group}: ${JSON.stringify(result)}`);
    return result;
  } finally {
    cluster.dispose();
  }
}

describe("cluster failover (1 of 3 nodes leaves the ECMP set, 10,000 connections)", () => {
  it("Maglev keeps every connection's backend whichever node the flow moves to", async () => {
    for (const group of ["hash-threshold", "resilient"] as const) {
      const r = await failover("maglev", group);
      expect(r.established).toBe(10000);
      expect(r.keptBackend).toBe(10000);
      // Hash-threshold renumbers the ranges: about half the flows move; resilient moves w0's third.
      const share = r.moved / r.connections;
      if (group === "hash-threshold") expect(Math.abs(share - 1 / 2)).toBeLessThan(0.03);
      else expect(Math.abs(share - 1 / 3)).toBeLessThan(0.03);
      // In SNAT mode a moved connection reaches its backend from a new source: only unmoved ones live.
      expect(r.survived).toBe(r.connections - r.moved);
    }
  });

  it("with DSR and Maglev every connection survives: same backend, and the backend still sees the client", async () => {
    const r = await failover("maglev", "hash-threshold", "dsr");
    expect(r.moved).toBeGreaterThan(4000);
    expect(r.keptBackend).toBe(10000);
    expect(r.survived).toBe(10000);
  });

  it("random selection breaks about the share it predicts, never more than moved", async () => {
    const r = await failover("random", "hash-threshold");
    const broken = r.established - r.keptBackend;
    // Binomial(moved, 2/3): five standard deviations around the prediction.
    const sd = Math.sqrt(r.moved * (2 / 3) * (1 / 3));
    expect(Math.abs(broken - r.predictedRandomBroken)).toBeLessThan(5 * sd);
    expect(broken).toBeLessThanOrEqual(r.moved);
    expect(broken).toBeGreaterThan(0.25 * r.connections);
  });

  it("a failed node: its pods are gone everywhere, Maglev keeps every connection whose backend lives", async () => {
    const cluster = await exampleCluster(LB_LAB, { algorithm: "maglev", config: { kprMode: "snat" } });
    try {
      const ingress = new Ingress(cluster, { mode: "ecmp", hash: "l4" });
      let removed = 0;
      const r = await runFailover(cluster, ingress, {
        frontend: "172.16.1.1:80",
        connections: 3000,
        event: async (c, i) => (removed = await failNode(c, i, "k8s-w0")),
      });
      console.log(`fail k8s-w0 (maglev): ${JSON.stringify(r)}, ${removed} backend entries removed`);
      // k8s-w0's webpod (172.20.2.38) leaves the service on k8s-ctr and k8s-w1.
      expect(removed).toBe(2);
      for (const n of ["k8s-ctr", "k8s-w1"])
        expect(cluster.node(n)!.datapath.serviceBackends("172.16.1.1:80/TCP")).toHaveLength(2);
      expect(ingress.current).toEqual(["k8s-ctr", "k8s-w1"]);
      // Connections to the lost pod (about a third) break; every other keeps its backend.
      const lost = r.established - r.keptBackend;
      expect(Math.abs(lost / r.established - 1 / 3)).toBeLessThan(0.05);
      joinNode(cluster, ingress, "k8s-w0");
      expect(ingress.current).toEqual(["k8s-ctr", "k8s-w1", "k8s-w0"]);
    } finally {
      cluster.dispose();
    }
  });
});
