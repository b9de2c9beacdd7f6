// A capture taken at the router or the client side, replayed through the cluster: each request
// enters by the ingress (or on its pod's node) and is handed from node to node; each reply the
// capture holds is sent by the backend that took its connection, from that backend's node, as the
// pod answered it. Counts packets per node, bytes between nodes, and replies that left the cluster
// without passing their ingress node (DSR).
import type { ByteSource } from "../readers/byte-source.js";
import type { ReadSummary } from "../readers/read-summary.js";
import { readCapture, type ReadCaptureOptions } from "../replay/read-capture.js";
import { EntryPoint, ReplyState, type PacketRecord } from "../model/packet.js";
import type { Cluster, ClusterNode } from "./cluster.js";
import { podNode } from "./cluster-trace.js";
import { handOff, type PathEnd, type Passage } from "./hand-off.js";
import type { Ingress } from "./ingress.js";

/** Per-node counts of a cluster replay. */
export interface NodeCounts {
  /** Packets this node's datapath processed (a packet crossing two nodes counts on both). */
  packets: number;
  forwarded: number;
  dropped: number;
}

/** What a cluster replay did. */
export interface ClusterReplaySummary {
  /** Capture packets replayed (requests and replies). */
  packets: number;
  requests: number;
  replies: number;
  /** Capture packets no node took (no ECMP next hop, no lease holder). */
  notEntered: number;
  /** Replies whose connection was never seen (or was evicted): not replayed. */
  unmatchedReplies: number;
  nodes: Record<string, NodeCounts>;
  /** How each replayed packet's path ended. */
  ends: Record<PathEnd, number>;
  crossNodePackets: number;
  crossNodeBytes: number;
  repliesThroughIngress: number;
  /** Replies that left the cluster without passing their connection's ingress node. */
  repliesBypassingIngress: number;
  /** Connections forgotten to stay within the table's bound. */
  connectionsEvicted: number;
}

/** A connection as its request was delivered: where it entered and what the backend saw. */
interface Connection {
  ingress: ClusterNode;
  backendNode: ClusterNode;
  backend: number;
  backendPort: number;
  seenFrom: number;
  seenFromPort: number;
}

const key = (saddr: number, sport: number, daddr: number, dport: number, proto: number): string =>
  `${saddr}:${sport}>${daddr}:${dport}/${proto}`;

/** Replays packets one by one; keeps at most `maxConnections` connections (oldest forgotten first). */
export class ClusterReplayer {
  private readonly connections = new Map<string, Connection>();
  private readonly result: ClusterReplaySummary;

  constructor(
    private readonly cluster: Cluster,
    private readonly ingress: Ingress,
    private readonly maxConnections = 1 << 20,
  ) {
    const nodes: Record<string, NodeCounts> = {};
    for (const n of cluster.nodes) nodes[n.name] = { packets: 0, forwarded: 0, dropped: 0 };
    this.result = {
      packets: 0,
      requests: 0,
      replies: 0,
      notEntered: 0,
      unmatchedReplies: 0,
      nodes,
      ends: { delivered: 0, dropped: 0, "left-cluster": 0, "hop-limit": 0 },
      crossNodePackets: 0,
      crossNodeBytes: 0,
      repliesThroughIngress: 0,
      repliesBypassingIngress: 0,
      connectionsEvicted: 0,
    };
  }

  /** Replays one capture packet (the record may be reused by the reader afterwards). */
  handle(p: PacketRecord): void {
    this.result.packets++;
    const conn = this.connections.get(key(p.daddr, p.dport, p.saddr, p.sport, p.proto));
    if (conn) this.reply(p, conn);
    else if (p.reply === ReplyState.Reply) this.result.unmatchedReplies++;
    else this.request(p);
  }

  private request(p: PacketRecord): void {
    const pod = podNode(this.cluster, p.saddr);
    const start = pod ?? this.ingress.choose(p)?.node;
    if (!start) {
      this.result.notEntered++;
      return;
    }
    this.result.requests++;
    const passage = this.count(
      handOff(this.cluster, start, { ...p, entry: pod ? EntryPoint.FromEndpoint : EntryPoint.FromNetwork }),
    );
    const last = passage.hops.at(-1)!;
    if (passage.end !== "delivered") return;
    const v = last.verdict;
    const k = key(p.saddr, p.sport, p.daddr, p.dport, p.proto);
    this.connections.delete(k);
    this.connections.set(k, {
      ingress: start,
      backendNode: last.node,
      backend: v.daddr,
      backendPort: v.dport,
      seenFrom: v.saddr,
      seenFromPort: v.sport,
    });
    if (this.connections.size > this.maxConnections) {
      this.connections.delete(this.connections.keys().next().value!);
      this.result.connectionsEvicted++;
    }
  }

  private reply(p: PacketRecord, c: Connection): void {
    this.result.replies++;
    const answer: PacketRecord = {
      ...p,
      saddr: c.backend,
      sport: c.backendPort,
      daddr: c.seenFrom,
      dport: c.seenFromPort,
      entry: EntryPoint.FromEndpoint,
      reply: ReplyState.Reply,
    };
    const passage = this.count(handOff(this.cluster, c.backendNode, answer));
    if (passage.hops.some((h) => h.node === c.ingress)) this.result.repliesThroughIngress++;
    else this.result.repliesBypassingIngress++;
  }

  private count(passage: Passage): Passage {
    const r = this.result;
    r.ends[passage.end]++;
    r.crossNodeBytes += passage.crossNodeBytes;
    r.crossNodePackets += passage.hops.length - 1;
    for (const h of passage.hops) {
      const n = r.nodes[h.node.name]!;
      n.packets++;
      if (h.verdict.verdict === "DROPPED") n.dropped++;
      else n.forwarded++;
    }
    return passage;
  }

  /** The counts so far. */
  summary(): ClusterReplaySummary {
    return structuredClone(this.result);
  }
}

/** Reads a capture (pcap, pcapng, Hubble JSON, synthetic spec) and replays it through the cluster. */
export async function replayCluster(
  cluster: Cluster,
  ingress: Ingress,
  source: ByteSource,
  options: ReadCaptureOptions = {},
): Promise<{ read: ReadSummary; summary: ClusterReplaySummary }> {
  const replayer = new ClusterReplayer(cluster, ingress);
  const read = await readCapture(source, (p) => replayer.handle(p), options);
  return { read, summary: replayer.summary() };
}
