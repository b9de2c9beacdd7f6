// A mesh of clusters: every node of every cluster is its own Datapath (one Cluster holds them all, so
// the hand-off carries packets between clusters as between nodes), and each cluster's global services
// hold the backends of every cluster that shares them, filtered by its affinity as Cilium's agent
// programs them (docs/clustermesh.md).
import { Cluster, type ClusterNode, type ClusterOptions } from "../cluster/cluster.js";
import { clusterNodeStates, type ClusterNodeState } from "../cluster/node-state.js";
import { BackendState } from "../model/backend.js";
import type { Cidr } from "../model/ipv4.js";
import type { MeshClusterInputs } from "./mesh-inputs.js";
import { backendKey, findGlobalServices, type GlobalService, type MeshBackend } from "./global-services.js";
import { selectBackends, type ServiceAffinity } from "./select-backends.js";

/** One cluster of the mesh: its name, ClusterMesh ID and nodes. */
export interface MeshCluster {
  readonly name: string;
  readonly id: number;
  /** Its nodes, named `<cluster>/<node>`. */
  readonly nodes: readonly ClusterNode[];
  readonly podCidrs: readonly Cidr[];
}

/** How a mesh is built: the cluster options of every node, plus the global services' annotations. */
export interface MeshOptions extends ClusterOptions {
  /**
   * `service.cilium.io/affinity` of every global service; default: what the dumps' ` (preferred)`
   * markers show (local or remote), else none.
   */
  affinity?: ServiceAffinity;
  /** Clusters whose global services are `service.cilium.io/shared: "false"`. */
  nonShared?: readonly string[];
  /** Dump time of the snapshots, BPF mono seconds (default: now). */
  dumpTime?: number;
}

/** What a cluster's own node list says about its nodes' pod CIDRs, by node name. */
function knownPodCidrs(inputs: MeshClusterInputs): Map<string, readonly Cidr[]> {
  const out = new Map<string, readonly Cidr[]>();
  for (const e of inputs.nodeList) {
    if (e.cluster === "" || e.cluster === inputs.name) out.set(e.node, e.podCidrs);
  }
  return out;
}

/** The cluster's node states, each named `<cluster>/<node>`. */
function meshNodeStates(
  inputs: MeshClusterInputs,
  options: MeshOptions,
  dumpTime: number,
): ClusterNodeState[] {
  const states = clusterNodeStates(inputs.snapshot, dumpTime, options.config, knownPodCidrs(inputs));
  return states.map((s) => {
    const name = `${inputs.name}/${s.name}`;
    return { ...s, name, state: { ...s.state, node: { ...s.state.node, name } } };
  });
}

/** A mesh of clusters; see docs/clustermesh.md. */
export class Mesh {
  /** Every node of every cluster, as one Cluster for forwarding. */
  readonly cluster: Cluster;
  readonly clusters: readonly MeshCluster[];
  readonly services: readonly GlobalService[];
  private readonly affinity = new Map<string, ServiceAffinity>();
  private readonly nonShared: Set<string>;
  private readonly gone = new Set<string>();
  private readonly lost = new Set<string>();
  private readonly inferred: string[] = [];

  private constructor(cluster: Cluster, clusters: MeshCluster[], options: MeshOptions) {
    this.cluster = cluster;
    this.clusters = clusters;
    this.nonShared = new Set(options.nonShared ?? []);
    for (const c of clusters) this.affinity.set(c.name, options.affinity ?? "none");
    this.services = findGlobalServices(
      clusters.map((c) => ({ name: c.name, node: c.nodes[0]! })),
      clusters.map((c) => ({ name: c.name, podCidrs: c.podCidrs })),
    );
  }

  /** Builds the mesh from each cluster's inputs and programs the global services. */
  static async build(inputs: readonly MeshClusterInputs[], options: MeshOptions = {}): Promise<Mesh> {
    if (inputs.length === 0) throw new Error("a mesh needs at least one cluster");
    const names = inputs.map((i) => i.name);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice) throw new Error(`cluster ${JSON.stringify(twice)} is given twice`);
    for (const n of options.nonShared ?? [])
      if (!names.includes(n)) throw new Error(`no cluster ${JSON.stringify(n)} in the mesh`);
    const dumpTime = options.dumpTime ?? Math.floor(Date.now() / 1000);
    const perCluster = inputs.map((i) => meshNodeStates(i, options, dumpTime));
    const cluster = await Cluster.fromStates(perCluster.flat(), options);
    const clusters = inputs.map((i, k) => {
      const nodes = perCluster[k]!.map((s) => cluster.node(s.name)!);
      return { name: i.name, id: i.id, nodes, podCidrs: nodes.flatMap((n) => n.podCidrs) };
    });
    const mesh = new Mesh(cluster, clusters, options);
    if (options.affinity === undefined) mesh.inferAffinity(inputs);
    await mesh.reprogram();
    return mesh;
  }

  /** A cluster whose dump marks only its own (or only the others') backends preferred had affinity local (remote). */
  private inferAffinity(inputs: readonly MeshClusterInputs[]): void {
    for (const input of inputs) {
      for (const s of this.services) {
        const frontend = s.frontends.get(input.name);
        const marked = frontend === undefined ? undefined : input.preferred.get(frontend);
        if (!marked) continue;
        const origins = new Set(
          s.backends.filter((b) => marked.has(b.address)).map((b) => b.origin === input.name),
        );
        if (origins.size !== 1) continue;
        const affinity: ServiceAffinity = origins.has(true) ? "local" : "remote";
        this.affinity.set(input.name, affinity);
        this.inferred.push(
          `${input.name}: affinity ${affinity} (its service list marks only ${affinity === "local" ? "its own" : "the other clusters'"} backends of ${frontend} preferred)`,
        );
      }
    }
  }

  /** The cluster a node belongs to. */
  clusterOf(node: ClusterNode): MeshCluster | undefined {
    return this.clusters.find((c) => c.nodes.includes(node));
  }

  /** The cluster by name. */
  clusterNamed(name: string): MeshCluster {
    const c = this.clusters.find((x) => x.name === name);
    if (!c) throw new Error(`no cluster ${JSON.stringify(name)} in the mesh`);
    return c;
  }

  /** Sets `service.cilium.io/affinity` on the global services of one cluster, or of all. */
  async setAffinity(affinity: ServiceAffinity, cluster?: string): Promise<void> {
    for (const c of cluster ? [this.clusterNamed(cluster)] : this.clusters)
      this.affinity.set(c.name, affinity);
    await this.reprogram();
  }

  /** Scales a cluster's backends of every global service to `count` (by address), or back to all. */
  async scaleCluster(name: string, count: number | "all"): Promise<void> {
    this.clusterNamed(name);
    for (const s of this.services) {
      const own = s.backends.filter((b) => b.origin === name);
      own.forEach((b, i) => {
        if (count === "all" || i < count) this.gone.delete(backendKey(b));
        else this.gone.add(backendKey(b));
      });
    }
    await this.reprogram();
  }

  /** Loses (or recovers) a whole cluster: its backends leave every other cluster's services. */
  async setClusterLost(name: string, lost: boolean): Promise<void> {
    this.clusterNamed(name);
    if (lost) this.lost.add(name);
    else this.lost.delete(name);
    await this.reprogram();
  }

  /** The backends cluster `name` programs for a global service (before the per-node write). */
  programmed(service: GlobalService, name: string): MeshBackend[] {
    const present = service.backends.filter(
      (b) =>
        !this.gone.has(backendKey(b)) &&
        !this.lost.has(b.origin) &&
        (b.origin === name || !this.nonShared.has(b.origin)),
    );
    const candidates = present.map((b) => ({ ...b, local: b.origin === name, state: BackendState.ACTIVE }));
    return selectBackends(candidates, this.affinity.get(name) ?? "none", true);
  }

  /** Writes every cluster's chosen backends into each of its nodes (slots and Maglev follow). */
  private async reprogram(): Promise<void> {
    for (const s of this.services) {
      for (const [name, frontend] of s.frontends) {
        if (this.lost.has(name)) continue;
        const want = new Map(this.programmed(s, name).map((b) => [backendKey(b), b]));
        for (const node of this.clusterNamed(name).nodes) await writeBackends(node, frontend, want);
      }
    }
  }

  /** Every inference, one line each, prefixed with the node's or the cluster's name. */
  notes(): string[] {
    return [...this.cluster.notes(), ...this.inferred];
  }

  /** The affinity a cluster's global services have now. */
  affinityOf(cluster: string): ServiceAffinity {
    return this.affinity.get(this.clusterNamed(cluster).name) ?? "none";
  }

  /** Frees every node's engine. */
  dispose(): void {
    this.cluster.dispose();
  }
}

/** Brings a node's frontend to exactly `want`: removes the others, adds what is missing. */
async function writeBackends(
  node: ClusterNode,
  frontend: string,
  want: ReadonlyMap<string, MeshBackend>,
): Promise<void> {
  const dp = node.datapath;
  const have = new Set<string>();
  for (const id of dp.serviceBackends(frontend)) {
    const b = dp.backend(id)!;
    const key = backendKey(b);
    if (want.has(key)) have.add(key);
    else await dp.removeBackend(frontend, id);
  }
  for (const [key, b] of want) {
    if (!have.has(key)) await dp.addBackend(frontend, { address: b.address, port: b.port, proto: b.proto });
  }
}
