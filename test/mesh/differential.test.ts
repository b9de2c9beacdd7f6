// Differential test of a two-cluster mesh: the Wasm pipeline and the TypeScript reference run
// examples/clustermesh-lab (west and east, natively routed, the global service webpod) on the same
// random packets — pods of both clusters to both ClusterIPs, to pods across the clusters and to node
// addresses, with random flags and clock jumps, each with the backend's reply — while the control
// plane flips affinity and scales a cluster's backends between batches. Every hop of every request and
// reply must be the same: node, entry, received packet, verdict and encapsulation.
import { describe, expect, it } from "vitest";
import type { Passage } from "../../src/cluster/hand-off.js";
import type { Mesh } from "../../src/mesh/mesh.js";
import { createPacketRecord, TcpFlag, type PacketRecord } from "../../src/model/packet.js";
import { IpProto } from "../../src/model/protocol.js";
import { requireIPv4 } from "../../src/model/ipv4.js";
import { mulberry32 } from "../helpers/mulberry32.js";
import { PROPERTY_SEED } from "../helpers/property.js";
import { exampleMesh, fromPod } from "./helpers.js";

const PACKETS = 12000;
const ip = requireIPv4;
const DESTINATIONS: readonly [number, number][] = [
  [ip("10.2.147.197"), 80],
  [ip("10.2.147.197"), 80],
  [ip("10.3.247.201"), 80],
  [ip("10.2.147.197"), 443],
  [ip("10.1.1.144"), 80],
  [ip("10.0.1.92"), 80],
  [ip("172.18.0.4"), 22],
  [ip("8.8.8.8"), 53],
];
const SOURCES = [ip("10.0.1.10"), ip("10.0.1.92"), ip("10.1.1.216"), ip("10.1.1.144")];
const FLAGS = [TcpFlag.SYN, TcpFlag.SYN, TcpFlag.ACK, TcpFlag.ACK | TcpFlag.PSH, TcpFlag.FIN | TcpFlag.ACK];

function workload(seed: number): PacketRecord[] {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  let seconds = 1000;
  const out: PacketRecord[] = [];
  for (let i = 0; i < PACKETS; i++) {
    seconds += rnd() < 0.001 ? 400 : rnd() < 0.05 ? 1 : 0;
    const [daddr, dport] = pick(DESTINATIONS);
    const udp = rnd() < 0.15;
    out.push({
      ...createPacketRecord(),
      seconds,
      saddr: pick(SOURCES),
      daddr,
      sport: 40000 + Math.floor(rnd() * 300),
      dport,
      proto: udp ? IpProto.UDP : IpProto.TCP,
      tcpFlags: udp ? 0 : pick(FLAGS),
      ipLength: 40 + Math.floor(rnd() * 1400),
      packetNumber: i + 1,
    });
  }
  return out;
}

const hops = (p: Passage) =>
  p.hops.map((h) => ({
    node: h.node.name,
    entry: h.entry,
    in: [h.saddr, h.daddr, h.sport, h.dport],
    verdict: h.verdict,
    encap: h.encap,
  }));

/** Control-plane changes applied after each quarter of the packets, identically on both engines. */
const CHANGES: ((mesh: Mesh) => Promise<void>)[] = [
  (m) => m.setAffinity("local"),
  (m) => m.scaleCluster("west", 0),
  // No backend left anywhere: requests to webpod drop (no service backend).
  async (m) => {
    await m.setAffinity("remote", "east");
    await m.scaleCluster("east", 0);
  },
];

async function run(mesh: Mesh, packets: readonly PacketRecord[]) {
  const out = [];
  const quarter = Math.ceil(packets.length / 4);
  for (const [i, p] of packets.entries()) {
    if (i > 0 && i % quarter === 0) await CHANGES[i / quarter - 1]!(mesh);
    const t = fromPod(mesh, p);
    out.push({ request: hops(t.request), reply: t.reply ? hops(t.reply) : null });
  }
  return out;
}

describe("mesh differential (Wasm vs TypeScript reference)", () => {
  for (const algorithm of ["random", "maglev"] as const) {
    it(
      `gives identical per-hop verdicts for ${PACKETS} random packets across two clusters (${algorithm})`,
      { timeout: 600_000 },
      async () => {
        console.log(`mesh differential seed ${PROPERTY_SEED}`);
        const packets = workload(PROPERTY_SEED);
        const results = [];
        for (const engine of ["wasm", "reference"] as const) {
          const mesh = await exampleMesh({ engine, algorithm });
          try {
            results.push(await run(mesh, packets));
          } finally {
            mesh.dispose();
          }
        }
        const [wasm, reference] = results as [
          Awaited<ReturnType<typeof run>>,
          Awaited<ReturnType<typeof run>>,
        ];
        const differing = wasm.flatMap((w, i) =>
          JSON.stringify(w) === JSON.stringify(reference[i]) ? [] : [i + 1],
        );
        expect(differing.slice(0, 5)).toEqual([]);
        // The workload exercises what it claims: cross-cluster hops, replies and drops.
        const crossing = wasm.filter(
          (w) => new Set(w.request.map((h) => h.node.split("/")[0])).size > 1,
        ).length;
        const dropped = wasm.filter((w) => w.request.at(-1)!.verdict.verdict === "DROPPED").length;
        console.log(`mesh differential (${algorithm}): ${crossing} crossed clusters, ${dropped} dropped`);
        expect(crossing).toBeGreaterThan(PACKETS * 0.15);
        expect(wasm.filter((w) => w.reply !== null).length).toBeGreaterThan(PACKETS * 0.3);
        expect(dropped).toBeGreaterThan(0);
      },
    );
  }
});
