// One packet through the cluster, both ways: the router (or lease, or address) picks the ingress
// node, the hand-off carries the packet to its backend's node, and the backend's answer is sent
// back from there — through the ingress node (SNAT) or straight to the client (DSR).
import { EntryPoint, ReplyState, TcpFlag, type PacketRecord } from "../model/packet.js";
import { IpProto } from "../model/protocol.js";
import type { Cluster, ClusterNode } from "./cluster.js";
import { handOff, type Passage } from "./hand-off.js";
import type { Ingress, IngressChoice } from "./ingress.js";

/** A request's path, and its reply's when the request reached a backend. */
export interface ClusterTrace {
  readonly ingress: IngressChoice;
  readonly request: Passage;
  readonly reply: Passage | null;
  /** The backend's answer as it left the pod (null when the request reached no backend). */
  readonly replyPacket: PacketRecord | null;
  /** The backend's node, when the request was delivered to a pod. */
  readonly backendNode: ClusterNode | null;
}

/** The backend's answer to the request as delivered: addresses and ports swapped, SYN answered. */
export function replyPacket(request: PacketRecord, delivered: Passage): PacketRecord | null {
  const last = delivered.hops.at(-1);
  if (delivered.end !== "delivered" || !last) return null;
  const v = last.verdict;
  const tcp = request.proto === IpProto.TCP;
  return {
    ...request,
    saddr: v.daddr,
    daddr: v.saddr,
    sport: v.dport,
    dport: v.sport,
    tcpFlags: tcp ? ((request.tcpFlags & TcpFlag.SYN) !== 0 ? TcpFlag.SYN | TcpFlag.ACK : TcpFlag.ACK) : 0,
    icmpType: request.proto === IpProto.ICMP ? 0 : request.icmpType,
    entry: EntryPoint.FromEndpoint,
    reply: ReplyState.Reply,
  };
}

/** The node a pod address runs on (a local, non-host endpoint of its datapath). */
export function podNode(cluster: Cluster, address: number): ClusterNode | undefined {
  return cluster.nodes.find((n) =>
    n.datapath.state.endpoints.some((e) => e.address === address && !e.isHost),
  );
}

/**
 * Traces a packet from outside (entry from the network at the ingress node) or from a pod (entry
 * from its endpoint on the pod's node, when `from` is given). Undefined when no node takes it.
 */
export function traceCluster(
  cluster: Cluster,
  ingress: Ingress,
  packet: PacketRecord,
  from?: ClusterNode,
): ClusterTrace | undefined {
  const choice: IngressChoice | undefined = from ? { node: from, how: "node" } : ingress.choose(packet);
  if (!choice) return undefined;
  const entry =
    packet.entry !== EntryPoint.Unknown
      ? packet.entry
      : from
        ? EntryPoint.FromEndpoint
        : EntryPoint.FromNetwork;
  const request = handOff(cluster, choice.node, { ...packet, entry });
  const reply = replyPacket(packet, request);
  const backendNode = reply ? request.hops.at(-1)!.node : null;
  return {
    ingress: choice,
    request,
    reply: reply && backendNode ? handOff(cluster, backendNode, reply) : null,
    replyPacket: reply,
    backendNode,
  };
}
