// Node events while flows run, as the cluster reacts to them: a drained node withdraws its BGP
// routes (it leaves the router's ECMP set, its pods keep serving); a failed node also loses its
// pods, so every other node's agent removes its backends from the services (Maglev tables rebuilt);
// a node that joins (or comes back) is added to the ECMP set again.
import type { Cluster } from "./cluster.js";
import type { Ingress } from "./ingress.js";

/** The nodes currently in the ingress's ECMP set (every node when no event has restricted it). */
function ecmpNodes(cluster: Cluster, ingress: Ingress): string[] {
  return ingress.current ?? cluster.nodes.map((n) => n.name);
}

/** The node leaves the ECMP set; its backends stay. */
export function drainNode(cluster: Cluster, ingress: Ingress, name: string): void {
  ingress.setEcmpNodes(ecmpNodes(cluster, ingress).filter((n) => n !== name));
}

/** The node rejoins the ECMP set. */
export function joinNode(cluster: Cluster, ingress: Ingress, name: string): void {
  const now = ecmpNodes(cluster, ingress);
  ingress.setEcmpNodes(now.includes(name) ? now : [...now, name]);
}

/**
 * The node fails: it leaves the ECMP set and its pods are gone, so every surviving node removes the
 * backends inside its pod CIDRs from every service. Returns how many backend entries were removed.
 */
export async function failNode(cluster: Cluster, ingress: Ingress, name: string): Promise<number> {
  const failed = cluster.node(name);
  if (!failed) throw new Error(`no node ${JSON.stringify(name)} in the cluster`);
  drainNode(cluster, ingress, name);
  let removed = 0;
  for (const node of cluster.nodes) {
    if (node === failed) continue;
    const dp = node.datapath;
    for (const svc of dp.state.services) {
      if (svc.slot !== 0 || svc.scope !== 0) continue;
      for (const id of dp.serviceBackends(svc.revNatId)) {
        const b = dp.backend(id);
        if (b && cluster.nodeOf(b.address) === failed) {
          await dp.removeBackend(svc.revNatId, id);
          removed++;
        }
      }
    }
  }
  return removed;
}
