// Cluster suite: packets per second through a 3-node cluster (a synthetic LoadBalancer service with
// 4 backends per node, VXLAN, SNAT, Maglev), established flows: each ACK enters at its ECMP node and,
// for two thirds of the flows, crosses to the backend's node — two datapath hops. Wasm vs reference.
import { Bench } from "tinybench";
import { ratio, report, rowsFrom } from "./lib/report.js";
import { Cluster } from "../src/cluster/cluster.js";
import { Ingress } from "../src/cluster/ingress.js";
import { handOff } from "../src/cluster/hand-off.js";
import { EntryPoint, TcpFlag, createPacketRecord, type PacketRecord } from "../src/model/packet.js";

const FLOWS = 4096;
const BATCH = 1024;
const SECONDS = 1_700_000_000;

const packet = (i: number, flags: number): PacketRecord => ({
  ...createPacketRecord(),
  seconds: SECONDS,
  saddr: (0x0a0a0000 + (i % 4000) + 1) >>> 0,
  daddr: 0xac100101,
  sport: 40000 + (i % 16000),
  dport: 80,
  proto: 6,
  tcpFlags: flags,
  ipLength: 60,
  entry: EntryPoint.FromNetwork,
});

/** A 3-node cluster with FLOWS connections open; returns how to send the next batch of ACKs. */
async function established(engine: "wasm" | "reference") {
  const cluster = await Cluster.synthetic({ nodes: 3, backendsPerNode: 4 }, { engine });
  const ingress = new Ingress(cluster, { mode: "ecmp", hash: "l4" });
  const syns = Array.from({ length: FLOWS }, (_, i) => packet(i, TcpFlag.SYN));
  let twoHops = 0;
  for (const p of syns) if (handOff(cluster, ingress.choose(p)!.node, p).hops.length === 2) twoHops++;
  const acks = Array.from({ length: FLOWS }, (_, i) => packet(i, TcpFlag.ACK));
  const nodes = acks.map((p) => ingress.choose(p)!.node);
  let next = 0;
  return {
    cluster,
    twoHops,
    run: () => {
      for (let k = 0; k < BATCH; k++, next = (next + 1) % FLOWS) handOff(cluster, nodes[next]!, acks[next]!);
    },
  };
}

const wasm = await established("wasm");
const reference = await established("reference");
const bench = new Bench({ time: 2000, warmup: true });
bench.add("wasm cluster, established, 3 nodes", wasm.run);
bench.add("ts-reference cluster, established, 3 nodes", reference.run);
await bench.run();
const rows = rowsFrom(
  bench,
  { "wasm cluster, established, 3 nodes": BATCH, "ts-reference cluster, established, 3 nodes": BATCH },
  "packet",
);
report(
  "cluster",
  rows,
  [
    {
      name: "wasm / ts-reference, cluster established",
      value: ratio(rows, "wasm cluster, established, 3 nodes", "ts-reference cluster, established, 3 nodes"),
    },
  ],
  {
    nodes: 3,
    backendsPerNode: 4,
    flows: FLOWS,
    flowsCrossingNodes: wasm.twoHops,
    note: "ACKs of open connections to a LoadBalancer IP: router ECMP (L4 hash-threshold), the ingress node's datapath, and for remote backends the backend node's datapath after a VXLAN hop. Packets per second count capture packets, not hops.",
  },
);
wasm.cluster.dispose();
reference.cluster.dispose();
