// The global services of a mesh: each cluster's frontends whose dumped backends span clusters, joined
// across clusters by the backends they share (the dumps carry no service names), with every backend's
// cluster of origin found by pod CIDR. This is the agent's merged view before affinity filtering.
import type { Cidr } from "../model/ipv4.js";
import { inCidr } from "../cluster/node-state.js";
import type { ClusterNode } from "../cluster/cluster.js";
import { frontendText } from "../cluster/cluster.js";

/** One backend of a global service and the cluster it runs in. */
export interface MeshBackend {
  readonly address: number;
  readonly port: number;
  readonly proto: number;
  /** The cluster whose pod CIDR holds the address. */
  readonly origin: string;
}

/** A global service: its frontend in each cluster and the backends of every cluster. */
export interface GlobalService {
  /** Cluster name → frontend "IP:PORT/PROTO". */
  readonly frontends: ReadonlyMap<string, string>;
  /** Every cluster's backends as dumped, by address then port. */
  readonly backends: readonly MeshBackend[];
}

/** A cluster's pod CIDRs, for telling which cluster an address belongs to. */
export interface ClusterCidrs {
  readonly name: string;
  readonly podCidrs: readonly Cidr[];
}

/** The backend key shared by every cluster: address, port and protocol. */
export const backendKey = (b: { address: number; port: number; proto: number }): string =>
  `${b.address}:${b.port}:${b.proto}`;

interface Found {
  cluster: string;
  frontend: string;
  backends: MeshBackend[];
}

/** A cluster's frontends (scope external) with their dumped backends, from its first node. */
function frontendsOf(cluster: string, node: ClusterNode, originOf: (a: number) => string): Found[] {
  const out: Found[] = [];
  for (const s of node.datapath.state.services) {
    if (s.slot !== 0 || s.scope !== 0) continue;
    const frontend = frontendText(s.address, s.port, s.proto);
    const backends: MeshBackend[] = [];
    for (const id of node.datapath.serviceBackends(frontend)) {
      const b = node.datapath.backend(id);
      if (b) backends.push({ address: b.address, port: b.port, proto: b.proto, origin: originOf(b.address) });
    }
    out.push({ cluster, frontend, backends });
  }
  return out;
}

/**
 * The mesh's global services: frontends with a backend of another cluster, grouped when they share a
 * backend. `clusters` gives each cluster's first node; `cidrs` every cluster's pod CIDRs.
 */
export function findGlobalServices(
  clusters: readonly { name: string; node: ClusterNode }[],
  cidrs: readonly ClusterCidrs[],
): GlobalService[] {
  const originOf = (a: number, fallback: string): string =>
    cidrs.find((c) => c.podCidrs.some((p) => inCidr(p, a)))?.name ?? fallback;
  const found = clusters
    .flatMap((c) => frontendsOf(c.name, c.node, (a) => originOf(a, c.name)))
    .filter((f) => f.backends.some((b) => b.origin !== f.cluster));
  const groups: Found[][] = [];
  for (const f of found) {
    const keys = new Set(f.backends.map(backendKey));
    const joined = groups.filter((g) => g.some((o) => o.backends.some((b) => keys.has(backendKey(b)))));
    const merged = [...joined.flat(), f];
    for (const g of joined) groups.splice(groups.indexOf(g), 1);
    groups.push(merged);
  }
  return groups.map((g) => {
    const backends = new Map<string, MeshBackend>();
    for (const f of g) for (const b of f.backends) backends.set(backendKey(b), b);
    return {
      frontends: new Map(g.map((f) => [f.cluster, f.frontend])),
      backends: [...backends.values()].sort((a, b) => a.address - b.address || a.port - b.port),
    };
  });
}
