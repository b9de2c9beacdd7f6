// Differential test of the cluster: the Wasm pipeline and the TypeScript reference run the same
// 3-node cluster (examples/lab-3node-lb: ECMP ingress, VXLAN hand-off, SNAT replies) on the same
// 50,000 random packets — clients and pods, the LoadBalancer, ClusterIPs, pods and node addresses,
// random flags, clock jumps, each with the backend's reply — and every hop of every request and
// reply must be the same: node, entry, received packet, verdict and encapsulation.
import { describe, expect, it } from "vitest";
import type { Cluster } from "../../src/cluster/cluster.js";
import { Ingress } from "../../src/cluster/ingress.js";
import { podNode, traceCluster } from "../../src/cluster/cluster-trace.js";
import type { Passage } from "../../src/cluster/hand-off.js";
import { createPacketRecord, TcpFlag, type PacketRecord } from "../../src/model/packet.js";
import { IpProto } from "../../src/model/protocol.js";
import { requireIPv4 } from "../../src/model/ipv4.js";
import { mulberry32 } from "../helpers/mulberry32.js";
import { PROPERTY_SEED } from "../helpers/property.js";
import { exampleCluster, LB_LAB } from "./helpers.js";

const PACKETS = 50000;
const ip = requireIPv4;
const DESTINATIONS: readonly [number, number][] = [
  [ip("172.16.1.1"), 80],
  [ip("172.16.1.1"), 80],
  [ip("172.16.1.1"), 443],
  [ip("10.96.45.94"), 443],
  [ip("10.96.64.238"), 80],
  [ip("172.20.0.185"), 80],
  [ip("172.20.1.63"), 80],
  [ip("172.20.2.38"), 80],
  [ip("192.168.10.100"), 30080],
  [ip("192.168.20.100"), 22],
  [ip("8.8.8.8"), 53],
];
const SOURCES = [
  ip("10.10.1.10"),
  ip("10.10.1.11"),
  ip("10.10.2.7"),
  ip("172.20.0.185"),
  ip("172.20.1.63"),
  ip("172.20.2.38"),
  ip("192.168.10.101"),
];
const FLAGS = [
  TcpFlag.SYN,
  TcpFlag.SYN,
  TcpFlag.ACK,
  TcpFlag.ACK | TcpFlag.PSH,
  TcpFlag.FIN | TcpFlag.ACK,
  TcpFlag.RST,
];

function workload(seed: number): PacketRecord[] {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  let seconds = 1000;
  const out: PacketRecord[] = [];
  for (let i = 0; i < PACKETS; i++) {
    seconds += rnd() < 0.001 ? 400 : rnd() < 0.05 ? 1 : 0;
    const [daddr, dport] = pick(DESTINATIONS);
    const r = rnd();
    const proto = r < 0.85 ? IpProto.TCP : r < 0.95 ? IpProto.UDP : IpProto.ICMP;
    const icmp = proto === IpProto.ICMP;
    out.push({
      ...createPacketRecord(),
      seconds,
      saddr: pick(SOURCES),
      daddr,
      sport: icmp ? Math.floor(rnd() * 64) : 40000 + Math.floor(rnd() * 400),
      dport: icmp ? 0 : dport,
      proto,
      tcpFlags: proto === IpProto.TCP ? pick(FLAGS) : 0,
      icmpType: icmp ? 8 : 0,
      ipLength: 40 + Math.floor(rnd() * 1400),
      packetNumber: i + 1,
    });
  }
  return out;
}

/** Every hop of a passage, as plain data. */
const hops = (p: Passage) =>
  p.hops.map((h) => ({
    node: h.node.name,
    entry: h.entry,
    in: [h.saddr, h.daddr, h.sport, h.dport],
    verdict: h.verdict,
    encap: h.encap,
  }));

function run(cluster: Cluster, packets: readonly PacketRecord[]) {
  const ingress = new Ingress(cluster, { mode: "ecmp", hash: "l4" });
  return packets.map((p) => {
    const t = traceCluster(cluster, ingress, p, podNode(cluster, p.saddr));
    return t
      ? {
          ingress: t.ingress.node.name,
          request: hops(t.request),
          reply: t.reply ? hops(t.reply) : null,
          bytes: t.request.crossNodeBytes,
        }
      : null;
  });
}

describe("cluster differential (Wasm vs TypeScript reference)", () => {
  it(
    `gives identical per-hop verdicts for ${PACKETS} random packets through 3 nodes`,
    { timeout: 600_000 },
    async () => {
      console.log(`cluster differential seed ${PROPERTY_SEED}`);
      const packets = workload(PROPERTY_SEED);
      const results = [];
      for (const engine of ["wasm", "reference"] as const) {
        const cluster = await exampleCluster(LB_LAB, { engine, config: { kprMode: "snat" } });
        try {
          results.push(run(cluster, packets));
        } finally {
          cluster.dispose();
        }
      }
      const [wasm, reference] = results as [ReturnType<typeof run>, ReturnType<typeof run>];
      const differing = wasm.flatMap((w, i) =>
        JSON.stringify(w) === JSON.stringify(reference[i]) ? [] : [i + 1],
      );
      expect(differing.slice(0, 5)).toEqual([]);
      // The workload exercises what it claims: cross-node hops, replies, drops.
      const traced = wasm.filter((w) => w !== null);
      const crossing = traced.filter((w) => w.request.length > 1).length;
      const dropped = traced.filter((w) => w.request.at(-1)!.verdict.verdict === "DROPPED").length;
      console.log(
        `cluster differential: ${traced.length} traced, ${crossing} crossed nodes, ${dropped} dropped`,
      );
      expect(traced.length).toBeGreaterThan(PACKETS * 0.9);
      expect(crossing).toBeGreaterThan(PACKETS * 0.2);
      expect(dropped).toBeGreaterThan(0);
      expect(traced.filter((w) => w.reply !== null).length).toBeGreaterThan(PACKETS * 0.3);
    },
  );
});
