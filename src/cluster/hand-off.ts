// The node-to-node hand-off: a packet runs through one node's own datapath (its CT, its NAT), and
// where that node sends it on — into the overlay towards a tunnel endpoint, IPIP to a DSR backend,
// or natively routed to another node's pod CIDR — the next node's datapath takes it, as
// decapsulated or as routed, with the DSR info the verdict attached. Every cross-node hop is counted
// in bytes, encapsulation and DSR option included. This file is the only place that knows how nodes
// reach each other.
import { EntryPoint, type PacketRecord } from "../model/packet.js";
import type { DatapathVerdict } from "../engine/verdict.js";
import type { Cluster, ClusterNode } from "./cluster.js";

/** Hubble observation points the hand-off acts on. */
const TO_STACK = 3;
const TO_NETWORK = 11;
const TO_ENDPOINT = 101;

/** How a packet crossed to the next node inside a tunnel (the datapath's verdict says so). */
export interface Encapsulation {
  readonly type: "vxlan" | "geneve" | "ipip";
  readonly outer: { readonly saddr: number; readonly daddr: number };
  /** Carries the service address for the backend's node (DSR: Geneve option or IPIP inner header). */
  readonly dsr: boolean;
  /** Bytes on the wire: 50 for VXLAN/Geneve, 62 with the Geneve DSR option, 20 for IPIP. */
  readonly overheadBytes: number;
}

/** DSR info a packet carries to the backend's node: the service address and port, and how. */
export interface DsrInfo {
  readonly address: number;
  readonly port: number;
  readonly via: "geneve-option" | "ipip" | "ip-option";
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
  /** How it left for the next node in a tunnel (null: routed natively, delivered, dropped, or out). */
  readonly encap: Encapsulation | null;
  /** The DSR info it left with, if any. */
  readonly dsr: DsrInfo | null;
  /** The node it went to next, if any. */
  readonly next: ClusterNode | undefined;
}

/** Where a packet's path ended. */
export type PathEnd = "delivered" | "dropped" | "left-cluster" | "hop-limit";

/** A packet's whole path through the cluster. */
export interface Passage {
  readonly hops: readonly Hop[];
  readonly end: PathEnd;
  /** Bytes that crossed between nodes (inner packet plus encapsulation and DSR option). */
  readonly crossNodeBytes: number;
}

/** No legitimate path crosses more nodes than this (ingress, backend, back): stops a routing loop. */
const MAX_HOPS = 4;

interface Onward {
  next: ClusterNode | undefined;
  encap: Encapsulation | null;
  dsr: DsrInfo | null;
}

/** Where the verdict sends the packet next: the next node, the tunnel and the DSR info. */
function onward(cluster: Cluster, node: ClusterNode, v: DatapathVerdict): Onward {
  if (v.verdict !== "FORWARDED") return { next: undefined, encap: null, dsr: null };
  if (v.encap !== "none") {
    const encap = {
      type: v.encap,
      outer: { saddr: v.outerSaddr, daddr: v.outerDaddr },
      dsr: v.dsr,
      overheadBytes: v.encapOverhead,
    };
    const via = v.encap === "ipip" ? "ipip" : "geneve-option";
    return {
      next: cluster.nodeOf(v.outerDaddr),
      encap,
      dsr: v.dsr ? { address: v.dsrAddr, port: v.dsrPort, via } : null,
    };
  }
  if (v.observationPoint !== TO_NETWORK) return { next: undefined, encap: null, dsr: null };
  const next = cluster.nodeOf(v.daddr);
  const dsr: DsrInfo | null = v.dsr ? { address: v.dsrAddr, port: v.dsrPort, via: "ip-option" } : null;
  return { next: next === node ? undefined : next, encap: null, dsr };
}

/** The packet as the next node receives it: decapsulated (IPIP: the outer destination), with DSR info. */
function received(p: PacketRecord, v: DatapathVerdict, encap: Encapsulation | null): PacketRecord {
  const tunnel = encap !== null && encap.type !== "ipip";
  return {
    ...p,
    saddr: v.saddr,
    daddr: encap?.type === "ipip" ? v.outerDaddr : v.daddr,
    sport: v.sport,
    dport: v.dport,
    entry: tunnel ? EntryPoint.FromOverlay : EntryPoint.FromNetwork,
    dsrAddr: v.dsr ? v.dsrAddr : 0,
    dsrPort: v.dsr ? v.dsrPort : 0,
  };
}

/** Runs `packet` from `start` through as many nodes as it crosses. The packet is not modified. */
export function handOff(cluster: Cluster, start: ClusterNode, packet: PacketRecord): Passage {
  const hops: Hop[] = [];
  let node = start;
  let p: PacketRecord = packet;
  let bytes = 0;
  for (let i = 0; i < MAX_HOPS; i++) {
    const v = node.datapath.processBatch([p])[0]!;
    const { next, encap, dsr } = onward(cluster, node, v);
    hops.push({
      node,
      entry: p.entry,
      saddr: p.saddr,
      daddr: p.daddr,
      sport: p.sport,
      dport: p.dport,
      verdict: v,
      encap,
      dsr,
      next,
    });
    if (v.verdict === "DROPPED") return { hops, end: "dropped", crossNodeBytes: bytes };
    if (!next) {
      const delivered = v.observationPoint === TO_ENDPOINT || v.observationPoint === TO_STACK;
      return { hops, end: delivered ? "delivered" : "left-cluster", crossNodeBytes: bytes };
    }
    bytes += (p.ipLength || p.wireLength) + v.encapOverhead;
    p = received(p, v, encap);
    node = next;
  }
  return { hops, end: "hop-limit", crossNodeBytes: bytes };
}
