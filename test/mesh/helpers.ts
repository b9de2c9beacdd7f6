// Shared set-up of the mesh tests: examples/clustermesh-lab as a mesh, and curl-pod's connections to
// the global service webpod.
import { fileURLToPath } from "node:url";
import { Ingress } from "../../src/cluster/ingress.js";
import { podNode, traceCluster, type ClusterTrace } from "../../src/cluster/cluster-trace.js";
import { loadMeshCluster } from "../../src/mesh/mesh-inputs.js";
import { Mesh, type MeshOptions } from "../../src/mesh/mesh.js";
import { createPacketRecord, TcpFlag, type PacketRecord } from "../../src/model/packet.js";
import { formatIPv4, requireIPv4 } from "../../src/model/ipv4.js";
import { IpProto } from "../../src/model/protocol.js";

/** examples/clustermesh-lab: west (ID 1) and east (ID 2) with the global service webpod. */
export const MESH_LAB = fileURLToPath(new URL("../../examples/clustermesh-lab", import.meta.url));
/** curl-pod in west (on west-worker; derived, see the example's README). */
export const CURL_POD = "10.0.1.10";
/** webpod's ClusterIP in west. */
export const WEST_WEBPOD = "10.2.147.197";
/** Which cluster each webpod backend runs in (the node lists' pod CIDRs). */
export const BACKEND_CLUSTER: Readonly<Record<string, string>> = {
  "10.0.1.92": "west",
  "10.0.1.162": "west",
  "10.1.1.144": "east",
  "10.1.1.216": "east",
};

/** The example as a mesh (smaller CT/NAT maps than the agent's: a Wasm node builds faster). */
export async function exampleMesh(options: MeshOptions = {}): Promise<Mesh> {
  const inputs = [
    await loadMeshCluster({ path: `${MESH_LAB}/west` }),
    await loadMeshCluster({ path: `${MESH_LAB}/east` }),
  ];
  const config = { ctTcpMax: 65536, ctAnyMax: 65536, natMax: 65536, ...options.config };
  return Mesh.build(inputs, { dumpTime: 1000, ...options, config });
}

/** A TCP packet from curl-pod to webpod's west ClusterIP. */
export function curl(sport: number, flags: number = TcpFlag.SYN, seconds = 1000): PacketRecord {
  return {
    ...createPacketRecord(),
    seconds,
    saddr: requireIPv4(CURL_POD),
    daddr: requireIPv4(WEST_WEBPOD),
    sport,
    dport: 80,
    proto: IpProto.TCP,
    tcpFlags: flags,
    ipLength: 60,
  };
}

/** Traces a packet from the pod that sends it, on its own node. */
export function fromPod(mesh: Mesh, packet: PacketRecord): ClusterTrace {
  const from = podNode(mesh.cluster, packet.saddr);
  if (!from) throw new Error(`no pod ${formatIPv4(packet.saddr)} in the mesh`);
  return traceCluster(
    mesh.cluster,
    new Ingress(mesh.cluster, { mode: "node", node: from.name }),
    packet,
    from,
  )!;
}

/** The backend address a delivered request reached (undefined when it reached none). */
export const backendOf = (t: ClusterTrace): string | undefined =>
  t.request.end === "delivered" ? formatIPv4(t.request.hops.at(-1)!.verdict.daddr) : undefined;

/** How many of `n` new connections (source ports from `firstPort`) reach each backend. */
export function shares(mesh: Mesh, n: number, firstPort = 20000): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const b = backendOf(fromPod(mesh, curl(firstPort + i))) ?? "none";
    out.set(b, (out.get(b) ?? 0) + 1);
  }
  return out;
}
