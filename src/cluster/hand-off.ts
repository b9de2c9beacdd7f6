// The node-to-node hand-off: a packet runs through one node's own datapath (its CT, its NAT), and
// where that node sends it on — into the overlay towards a tunnel endpoint, or natively routed to
// another node's pod CIDR — the next node's datapath takes it, as decapsulated or as routed. Every
// cross-node hop is counted in bytes, encapsulation included. This file is the only place that
// knows how nodes reach each other (DSR dispatch plugs in here).
import { EntryPoint, type PacketRecord } from "../model/packet.js";
import type { DatapathVerdict } from "../engine/verdict.js";
import type { Cluster, ClusterNode } from "./cluster.js";

/** Hubble observation points the hand-off acts on. */
const TO_STACK = 3;
const TO_OVERLAY = 4;
const TO_NETWORK = 11;
const TO_ENDPOINT = 101;

/** Bytes an overlay adds on the wire: outer IPv4 (20) + UDP (8) + VXLAN/Geneve header (8) + inner Ethernet (14). */
export const TUNNEL_OVERHEAD_BYTES = 50;

/** How a packet crossed to the next node. */
export interface Encapsulation {
  readonly type: "vxlan" | "geneve" | "ipip";
  readonly outer: { readonly saddr: number; readonly daddr: number };
  /** Carries the service address for the backend's node (DSR). */
  readonly dsr: boolean;
  readonly overheadBytes: number;
}

/** One node's part of a packet's path. */
export interface Hop {
  readonly node: ClusterNode;
  readonly entry: EntryPoint;
  /** The packet as the node received it (inner packet when encapsulated). */
  readonly saddr: number;
  readonly daddr: number;
  readonly sport: number;
  readonly dport: number;
  readonly verdict: DatapathVerdict;
  /** How it left for the next node (null: delivered here, dropped, or left the cluster natively). */
  readonly encap: Encapsulation | null;
  /** The node it went to next, if any. */
  readonly next: ClusterNode | undefined;
}

/** Where a packet's path ended. */
export type PathEnd = "delivered" | "dropped" | "left-cluster" | "hop-limit";

/** A packet's whole path through the cluster. */
export interface Passage {
  readonly hops: readonly Hop[];
  readonly end: PathEnd;
  /** Bytes that crossed between nodes (inner packet plus encapsulation). */
  readonly crossNodeBytes: number;
}

/** No legitimate path crosses more nodes than this (ingress, backend, back): stops a routing loop. */
const MAX_HOPS = 4;

/** Where the verdict sends the packet next: the next node and the encapsulation, if it crosses. */
function nextOf(
  cluster: Cluster,
  node: ClusterNode,
  v: DatapathVerdict,
): { next: ClusterNode | undefined; encap: Encapsulation | null } {
  if (v.observationPoint === TO_OVERLAY) {
    const next = cluster.nodeOf(v.tunnelEndpoint);
    const outer = { saddr: node.address, daddr: v.tunnelEndpoint };
    return {
      next,
      encap: { type: node.tunnelProtocol, outer, dsr: false, overheadBytes: TUNNEL_OVERHEAD_BYTES },
    };
  }
  if (v.observationPoint === TO_NETWORK) {
    const next = cluster.nodeOf(v.daddr);
    return { next: next === node ? undefined : next, encap: null };
  }
  return { next: undefined, encap: null };
}

/** Runs `packet` from `start` through as many nodes as it crosses. The packet is not modified. */
export function handOff(cluster: Cluster, start: ClusterNode, packet: PacketRecord): Passage {
  const hops: Hop[] = [];
  let node = start;
  let p: PacketRecord = packet;
  let bytes = 0;
  for (let i = 0; i < MAX_HOPS; i++) {
    const v = node.datapath.processBatch([p])[0]!;
    const { next, encap } =
      v.verdict === "FORWARDED" ? nextOf(cluster, node, v) : { next: undefined, encap: null };
    hops.push({
      node,
      entry: p.entry,
      saddr: p.saddr,
      daddr: p.daddr,
      sport: p.sport,
      dport: p.dport,
      verdict: v,
      encap,
      next,
    });
    if (v.verdict === "DROPPED") return { hops, end: "dropped", crossNodeBytes: bytes };
    if (!next) {
      const delivered = v.observationPoint === TO_ENDPOINT || v.observationPoint === TO_STACK;
      return { hops, end: delivered ? "delivered" : "left-cluster", crossNodeBytes: bytes };
    }
    bytes += (p.ipLength || p.wireLength) + (encap?.overheadBytes ?? 0);
    p = {
      ...p,
      saddr: v.saddr,
      daddr: v.daddr,
      sport: v.sport,
      dport: v.dport,
      entry: encap ? EntryPoint.FromOverlay : EntryPoint.FromNetwork,
    };
    node = next;
  }
  return { hops, end: "hop-limit", crossNodeBytes: bytes };
}
