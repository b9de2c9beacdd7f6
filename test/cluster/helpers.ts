// Shared set-up of the cluster tests: the bundled examples as clusters, and packets from outside.
import { fileURLToPath } from "node:url";
import { Cluster, type ClusterOptions } from "../../src/cluster/cluster.js";
import { loadClusterInputs } from "../../src/cluster/load-cluster.js";
import { createPacketRecord, TcpFlag, type PacketRecord } from "../../src/model/packet.js";
import { requireIPv4 } from "../../src/model/ipv4.js";
import { IpProto } from "../../src/model/protocol.js";

/** examples/lab-3node-lb: the webpod LoadBalancer lab (DSR Geneve, Maglev) with its router side. */
export const LB_LAB = fileURLToPath(new URL("../../examples/lab-3node-lb", import.meta.url));
/** examples/lab-3node: the curl-pod / webpod ClusterIP lab. */
export const LAB = fileURLToPath(new URL("../../examples/lab-3node", import.meta.url));

/** The cluster of a bundled example, with its router side. */
export async function exampleCluster(dir: string, options: ClusterOptions = {}): Promise<Cluster> {
  const { snapshot, router } = await loadClusterInputs(dir);
  // Smaller CT/NAT maps than the agent's 512k: a Wasm node then builds in a fraction of the time.
  const config = { ctTcpMax: 65536, ctAnyMax: 65536, natMax: 65536, ...options.config };
  return Cluster.fromSnapshot(snapshot, { router, dumpTime: 1000, ...options, config });
}

/** A TCP packet; addresses as dotted quads. */
export function tcp(
  saddr: string,
  sport: number,
  daddr: string,
  dport: number,
  flags: number = TcpFlag.SYN,
): PacketRecord {
  return {
    ...createPacketRecord(),
    seconds: 1000,
    saddr: requireIPv4(saddr),
    daddr: requireIPv4(daddr),
    sport,
    dport,
    proto: IpProto.TCP,
    tcpFlags: flags,
    ipLength: 60,
  };
}
