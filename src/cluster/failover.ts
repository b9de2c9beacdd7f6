// The cluster failover experiment: open connections through the router's real ECMP hash and every
// node's real datapath, change the ECMP set (a node drains, fails or joins), and send each
// connection's next packet. A connection keeps its backend when the node it now enters picks the
// same one (its own CT if it already had the flow, else a new selection: Maglev gives every node the
// same answer, random does not); it survives when the backend also still sees the same source — in
// SNAT mode a new ingress node means a new source address, so only DSR keeps moved connections.
import { createPacketRecord, TcpFlag, type PacketRecord } from "../model/packet.js";
import { IpProto } from "../model/protocol.js";
import { parseIPv4 } from "../model/ipv4.js";
import type { Cluster } from "./cluster.js";
import { handOff, type Passage } from "./hand-off.js";
import type { Ingress } from "./ingress.js";
import { replyPacket } from "./cluster-trace.js";

/** What the experiment does. */
export interface ClusterFailoverSpec {
  /** Connections opened before the change (default 10,000). */
  connections?: number;
  /** The frontend, "IP:PORT" (TCP). */
  frontend: string;
  /** The ECMP set after the change (node names); or give `event`. */
  after?: readonly string[];
  /** The change itself, e.g. `(c, i) => failNode(c, i, "k8s-w0")` (see node-events.ts). */
  event?: (cluster: Cluster, ingress: Ingress) => unknown;
  /** First client address (default 10.10.1.1); connection i comes from the i-th address after it. */
  clientBase?: string;
}

/** What happened to the open connections. */
export interface ClusterFailoverResult {
  connections: number;
  /** Connections whose SYN reached a backend. */
  established: number;
  /** Connections whose ingress node changed. */
  moved: number;
  /** Connections whose next packet reached the same backend. */
  keptBackend: number;
  /** … and whose backend saw the same source address and port (the TCP connection lives). */
  survived: number;
  /** Backends of the frontend (what random selection draws from). */
  backends: number;
  /** Moved connections random selection is expected to break: moved × (1 − 1/backends). */
  predictedRandomBroken: number;
}

interface Open {
  ingress: string;
  backend: string;
  seenFrom: string;
}

const ends = (p: Passage) => {
  const v = p.hops.at(-1)!.verdict;
  return { backend: `${v.daddr}:${v.dport}`, seenFrom: `${v.saddr}:${v.sport}` };
};

function packet(
  i: number,
  base: number,
  daddr: number,
  dport: number,
  flags: number,
  second: number,
): PacketRecord {
  return {
    ...createPacketRecord(),
    seconds: second,
    saddr: (base + i) >>> 0,
    daddr,
    sport: 40000 + (i % 20000),
    dport,
    proto: IpProto.TCP,
    tcpFlags: flags,
    ipLength: 52,
  };
}

/** One connection's handshake (SYN, SYN-ACK, ACK); undefined when the SYN reached no backend. */
function open(cluster: Cluster, ingress: Ingress, syn: PacketRecord): Open | undefined {
  const choice = ingress.choose(syn);
  if (!choice) return undefined;
  const request = handOff(cluster, choice.node, syn);
  const reply = replyPacket(syn, request);
  if (!reply) return undefined;
  handOff(cluster, request.hops.at(-1)!.node, reply);
  handOff(cluster, choice.node, { ...syn, tcpFlags: TcpFlag.ACK });
  return { ingress: choice.node.name, ...ends(request) };
}

/** Runs the experiment on a cluster whose ECMP set is the starting one. */
export async function runFailover(
  cluster: Cluster,
  ingress: Ingress,
  spec: ClusterFailoverSpec,
): Promise<ClusterFailoverResult> {
  const n = spec.connections ?? 10000;
  const [addr, port] = spec.frontend.split(":");
  const daddr = parseIPv4(addr ?? "");
  const dport = Number(port);
  if (daddr === undefined || !Number.isInteger(dport))
    throw new Error(`frontend must be IP:PORT, got ${JSON.stringify(spec.frontend)}`);
  const base = parseIPv4(spec.clientBase ?? "10.10.1.1")!;
  const opened: (Open | undefined)[] = [];
  for (let i = 0; i < n; i++)
    opened.push(open(cluster, ingress, packet(i, base, daddr, dport, TcpFlag.SYN, 1000)));
  if (spec.after) ingress.setEcmpNodes(spec.after);
  await spec.event?.(cluster, ingress);
  const result = { connections: n, established: 0, moved: 0, keptBackend: 0, survived: 0 };
  for (let i = 0; i < n; i++) {
    const before = opened[i];
    if (!before) continue;
    result.established++;
    const p = packet(i, base, daddr, dport, TcpFlag.ACK, 1001);
    const choice = ingress.choose(p);
    if (!choice) continue;
    if (choice.node.name !== before.ingress) result.moved++;
    const passage = handOff(cluster, choice.node, p);
    if (passage.end !== "delivered") continue;
    const now = ends(passage);
    if (now.backend === before.backend) result.keptBackend++;
    if (now.backend === before.backend && now.seenFrom === before.seenFrom) result.survived++;
  }
  const backends = cluster.nodes[0]!.datapath.serviceBackends(`${spec.frontend}/TCP`).length;
  return { ...result, backends, predictedRandomBroken: result.moved * (1 - 1 / Math.max(1, backends)) };
}
