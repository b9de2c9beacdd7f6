// The documented JSON of a mesh trace (`dpemu trace --mesh … --json`): the cluster trace's JSON with
// the cluster of every hop, of the ingress and of the backend, and the mesh's clusters.
import type { ClusterTrace } from "../cluster/cluster-trace.js";
import { clusterTraceJson } from "../cluster/trace-json.js";
import type { Mesh } from "./mesh.js";

type Json = Record<string, unknown>;

/** The whole mesh trace as the CLI prints it with --json. */
export function meshTraceJson(mesh: Mesh, t: ClusterTrace): Json {
  const clusterOf = (node: unknown): string | null => {
    const n = typeof node === "string" ? mesh.cluster.node(node) : undefined;
    return (n && mesh.clusterOf(n)?.name) ?? null;
  };
  const withCluster = (hop: Json): Json => ({ cluster: clusterOf(hop.node), ...hop });
  const base = clusterTraceJson(t);
  const reply = base.reply as (Json & { hops: Json[] }) | null;
  const backend = base.backend as Json | null;
  return {
    ...base,
    hops: (base.hops as Json[]).map(withCluster),
    reply: reply ? { ...reply, hops: reply.hops.map(withCluster) } : null,
    backend: backend ? { cluster: clusterOf(backend.node), ...backend } : null,
    ingress: { cluster: clusterOf((base.ingress as Json).node), ...(base.ingress as Json) },
    clusters: mesh.clusters.map((c) => ({ name: c.name, id: c.id, nodes: c.nodes.map((n) => n.name) })),
  };
}
