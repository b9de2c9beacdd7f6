// `dpemu trace|replay|compare --cluster` end to end (the built dist/), on examples/lab-3node-lb.
/* eslint-disable @typescript-eslint/no-explicit-any -- the CLI's JSON documents are read back untyped and checked field by field */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { pcapFileHeader, pcapRecordOf } from "../../src/readers/pcap-writer.js";
import { createPacketRecord, TcpFlag } from "../../src/model/packet.js";
import { requireIPv4 } from "../../src/model/ipv4.js";
import { Cluster } from "../../src/cluster/cluster.js";
import { Ingress } from "../../src/cluster/ingress.js";
import { traceCluster } from "../../src/cluster/cluster-trace.js";
import { syntheticClusterStates } from "../../src/cluster/synthetic-cluster.js";
import { clusterTraceText } from "../../src/cli/cluster-trace-text.js";

const MAIN = fileURLToPath(new URL("../../dist/bin/dpemu.js", import.meta.url));
const LB_LAB = fileURLToPath(new URL("../../examples/lab-3node-lb", import.meta.url));

function dpemu(...args: string[]) {
  const result = spawnSync(process.execPath, [MAIN, ...args], { encoding: "utf8" });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("dpemu --cluster", () => {
  it("trace defaults to the cluster on a snapshot with router-side outputs and prints the documented JSON", () => {
    const run = dpemu(
      "trace",
      LB_LAB,
      "--from",
      "10.10.1.10:40001",
      "--to",
      "172.16.1.1:80",
      "--kpr-mode",
      "snat",
      "--json",
    );
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as Record<string, any>;
    expect(Object.keys(doc).slice(0, 4)).toEqual(["hops", "reply", "backend", "verdict"]);
    expect(doc.verdict).toBe("FORWARDED");
    expect(doc.ingress).toMatchObject({
      how: "ecmp",
      ecmp: { buckets: 3, nexthops: "ip route 172.16.1.1/32" },
    });
    const hops = doc.hops as Record<string, any>[];
    expect(hops[0]).toMatchObject({
      node: doc.ingress.node,
      observationPoint: expect.any(String),
      translated: { daddr: doc.backend.address.split(":")[0] },
    });
    if (hops.length === 2) {
      expect(hops[0]!.encap).toMatchObject({
        type: "vxlan",
        dsr: false,
        outer: { daddr: expect.any(String) },
      });
      expect(hops[1]).toMatchObject({ node: doc.backend.node, observationPoint: "TO_ENDPOINT", encap: null });
    }
    expect(doc.reply.source).toEqual({ saddr: "172.16.1.1", sport: 80 });
    expect(doc.reply.bypassesIngress).toBe(false);
    expect(doc.reply.hops.at(-1).node).toBe(doc.ingress.node);
  });

  it("trace text names each hop's node and the router's bucket; --ingress l2 enters at the lease holder", () => {
    const run = dpemu(
      "trace",
      LB_LAB,
      "--from",
      "10.10.1.10:40001",
      "--to",
      "172.16.1.1:80",
      "--ingress",
      "l2",
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^ingress: 10\.10\.1\.10:40001 -> 172\.16\.1\.1:80 enters at k8s-ctr \(L2-announcement lease holder\)\n\[k8s-ctr\]\n/,
    );
    const ecmp = dpemu("trace", LB_LAB, "--from", "10.10.1.10:40001", "--to", "172.16.1.1:80");
    expect(ecmp.stdout).toMatch(
      /^router: .*ECMP over ip route 172\.16\.1\.1\/32, hash 0x[0-9a-f]{8}: bucket [123] of 3 -> k8s-/,
    );
    expect(ecmp.stdout).toMatch(/\nreply \((back through|straight from)/);
  });

  it(
    "trace --cluster takes -o json like --json, exits 1 on a dropped request with --exit-status",
    { timeout: 300_000 },
    () => {
      const args = [
        "trace",
        LB_LAB,
        "--from",
        "10.10.1.10:40001",
        "--to",
        "172.16.1.1:80",
        "--kpr-mode",
        "snat",
      ];
      const json = dpemu(...args, "--json");
      expect(json.code).toBe(0);
      expect(dpemu(...args, "-o", "json").stdout).toBe(json.stdout);
      expect(dpemu(...args, "--output", "json", "--exit-status").code).toBe(0);
      // A ClusterIP from outside the cluster, entering at a named node: dropped there.
      const dropped = ["trace", LB_LAB, "--from", "10.10.1.10:40001", "--to", "10.96.45.94:443"];
      const run = dpemu(...dropped, "--ingress", "node:k8s-w0", "--exit-status", "-o", "json");
      expect((JSON.parse(run.stdout) as { verdict: string }).verdict).toBe("DROPPED");
      expect(run.code).toBe(1);
      expect(dpemu(...dropped, "--ingress", "node:k8s-w0").code).toBe(0);
    },
  );

  it("refuses --node in a cluster trace or compare instead of ignoring it", () => {
    const trace = dpemu(
      "trace",
      LB_LAB,
      "--cluster",
      "--node",
      "k8s-w1",
      "--from",
      "10.10.1.10",
      "--to",
      "172.16.1.1:80",
    );
    expect(trace.code).toBe(2);
    expect(trace.stdout).toBe("");
    expect(trace.stderr).toMatch(/--node picks one node's view, .*use --ingress node:NAME\n$/);
    const compare = dpemu("compare", LB_LAB, "--cluster", "--node", "k8s-w1", "--connections", "50");
    expect(compare.code).toBe(2);
    expect(compare.stderr).toMatch(/--node picks one node's view, .*--leave NAME\n$/);
  });

  it("escapes node names in the text and rejects bad input with exit 2 and file:line", async () => {
    const states = syntheticClusterStates({ nodes: 2 }).map((n, i) => ({
      ...n,
      name: i === 0 ? "evil\x1b[2J" : n.name,
    }));
    const cluster = await Cluster.fromStates(states, { engine: "reference" });
    try {
      const packet = {
        ...createPacketRecord(),
        seconds: 1,
        saddr: requireIPv4("10.10.1.10"),
        daddr: requireIPv4("172.16.1.1"),
        sport: 40000,
        dport: 80,
        proto: 6,
        tcpFlags: TcpFlag.SYN,
        ipLength: 60,
      };
      const text = clusterTraceText(
        traceCluster(cluster, new Ingress(cluster, { mode: "node", node: "evil\x1b[2J" }), packet)!,
        packet,
      );
      expect(text).not.toContain("\x1b");
      expect(text).toContain("[evil\\x1b[2J]");
    } finally {
      cluster.dispose();
    }
    const dir = mkdtempSync(join(tmpdir(), "dpemu-cluster-"));
    cpSync(LB_LAB, dir, { recursive: true });
    const bad = dpemu("trace", LB_LAB, "--from", "10.10.1.10", "--to", "172.16.1.1:80", "--ingress", "bgp");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /^dpemu trace: --ingress must be ecmp, l2\[:HOLDER\], address or node:NAME, got "bgp"\n$/,
    );
    const noNode = dpemu(
      "trace",
      LB_LAB,
      "--from",
      "10.10.1.10",
      "--to",
      "172.16.1.1:80",
      "--ingress",
      "node:k8s-w9",
    );
    expect(noNode.code).toBe(2);
    expect(noNode.stderr).toContain('no node "k8s-w9" in the cluster');
    const badRoute = join(dir, "router-ip-route.ecmp.txt");
    writeFileSync(
      badRoute,
      "172.16.1.1 nhid 70 proto bgp metric 20\nnexthop via 192.168.20.999 dev eth2 weight 1\n",
    );
    const broken = dpemu("trace", dir, "--from", "10.10.1.10", "--to", "172.16.1.1:80");
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/router-ip-route\.ecmp\.txt:2: expected a route .*192\.168\.20\.999/);
  });

  it(
    "replay --cluster counts packets per node, bytes between nodes and the replies' path",
    { timeout: 300_000 },
    () => {
      const dir = mkdtempSync(join(tmpdir(), "dpemu-cluster-"));
      const lb = requireIPv4("172.16.1.1");
      const parts = [pcapFileHeader()];
      const p = (saddr: number, sport: number, daddr: number, dport: number, flags: number, t: number) =>
        pcapRecordOf({
          ...createPacketRecord(),
          seconds: 1_700_000_000 + t,
          saddr,
          daddr,
          sport,
          dport,
          proto: 6,
          tcpFlags: flags,
          ipLength: 52,
        });
      for (let i = 0; i < 60; i++) {
        const client = requireIPv4("10.10.1.10") + (i % 7);
        parts.push(
          p(client, 40000 + i, lb, 80, TcpFlag.SYN, i),
          p(lb, 80, client, 40000 + i, TcpFlag.SYN | TcpFlag.ACK, i),
          p(client, 40000 + i, lb, 80, TcpFlag.ACK, i),
        );
      }
      const capture = join(dir, "router.pcap");
      writeFileSync(capture, Buffer.concat(parts));
      const run = dpemu(
        "replay",
        LB_LAB,
        "--input",
        capture,
        "--kpr-mode",
        "snat",
        "--router-hash",
        "l4",
        "--summary-json",
        "-",
      );
      expect(run.code).toBe(0);
      const { cluster } = JSON.parse(run.stdout) as { cluster: Record<string, any> };
      expect(cluster).toMatchObject({
        packets: 180,
        requests: 120,
        replies: 60,
        unmatchedReplies: 0,
        repliesThroughIngress: 60,
        repliesBypassingIngress: 0,
      });
      expect(cluster.ends).toEqual({ delivered: 120, dropped: 0, "left-cluster": 60, "hop-limit": 0 });
      // Every crossing carries a 52-byte packet in 50 bytes of VXLAN.
      expect(cluster.crossNodeBytes).toBe(cluster.crossNodePackets * 102);
      expect(cluster.crossNodePackets).toBeGreaterThan(60);
      const perNode = Object.values(cluster.nodes as Record<string, { packets: number }>).map(
        (n) => n.packets,
      );
      expect(perNode.reduce((a, b) => a + b, 0)).toBe(180 + cluster.crossNodePackets);
      const text = dpemu("replay", LB_LAB, "--input", capture, "--kpr-mode", "snat");
      expect(text.stdout).toMatch(
        /\nReplies: 60 back through the ingress node, 0 bypassing it\nNODE\tPACKETS/,
      );
      // --node shows that node's row of the same replay (hubble observe --node); a node not in the
      // cluster is refused, naming the nodes.
      const w1 = dpemu(
        ...["replay", LB_LAB, "--input", capture, "--kpr-mode", "snat", "--router-hash", "l4"],
        "--cluster",
        "--node",
        "k8s-w1",
      );
      expect(w1.code).toBe(0);
      const n = cluster.nodes["k8s-w1"] as { packets: number; forwarded: number; dropped: number };
      expect(w1.stdout).toMatch(
        new RegExp(
          `\\nNODE\\tPACKETS\\tFORWARDED\\tDROPPED\\nk8s-w1\\t${n.packets}\\t${n.forwarded}\\t${n.dropped}\\n$`,
        ),
      );
      const none = dpemu("replay", LB_LAB, "--input", capture, "--cluster", "--node", "k8s-w9");
      expect(none.code).toBe(2);
      expect(none.stderr).toMatch(
        /--node "k8s-w9": no such node in the cluster \(nodes: k8s-ctr, k8s-w0, k8s-w1\)\n$/,
      );
    },
  );

  it("compare --cluster runs the ECMP failover experiment for SNAT and DSR", () => {
    const run = dpemu(
      "compare",
      LB_LAB,
      "--cluster",
      "--connections",
      "600",
      "--router-hash",
      "l4",
      "-o",
      "json",
    );
    expect(run.code).toBe(0);
    const rows = (JSON.parse(run.stdout) as { clusterFailover: Record<string, any>[] }).clusterFailover;
    expect(rows.map((r) => `${r.mode}/${r.algorithm}`)).toEqual([
      "snat/maglev",
      "snat/random",
      "dsr/maglev",
      "dsr/random",
    ]);
    for (const r of rows) {
      expect(r).toMatchObject({
        connections: 600,
        established: 600,
        left: "k8s-w0",
        frontend: "172.16.1.1:80",
      });
      if (r.algorithm === "maglev") expect(r.keptBackend).toBe(600);
      else expect(r.keptBackend).toBeLessThan(600);
    }
    const bad = dpemu("compare", LB_LAB, "--cluster", "--leave", "k8s-w9");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--leave "k8s-w9": not an ECMP next hop of 172\.16\.1\.1:80/);
  });
});
