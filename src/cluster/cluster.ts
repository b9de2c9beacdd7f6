// A whole cluster: one Datapath per node, each with its own maps, CT and NAT, plus what the router
// side says about how traffic enters. Built from a snapshot holding several nodes (a sysdump, or
// per-node files such as examples/lab-3node's ipcaches) or declared synthetically.
import { Datapath, type DatapathOptions } from "../datapath/datapath.js";
import type { Snapshot } from "../model/snapshot.js";
import { formatIPv4, type Cidr } from "../model/ipv4.js";
import { ServiceFlag } from "../model/service-flags.js";
import type { NodeConfig } from "../engine/state.js";
import { clusterNodeStates, inCidr, type ClusterNodeState } from "./node-state.js";
import { syntheticClusterStates, type SyntheticClusterSpec } from "./synthetic-cluster.js";
import { emptyRouterInputs, type RouterInputs } from "./router/router-inputs.js";

/** One node of the cluster: its name, addresses and its own emulated datapath. */
export interface ClusterNode {
  readonly name: string;
  /** The node IP: tunnel endpoint, NodePort SNAT source. */
  readonly address: number;
  /** Every address the node owns (node IPs, cilium_host). */
  readonly addresses: readonly number[];
  readonly podCidrs: readonly Cidr[];
  readonly datapath: Datapath;
  /** What was inferred for the node rather than read from its dumps. */
  readonly notes: readonly string[];
}

/** How a Cluster is built: the engine of every node, seeds, and overrides for experiments. */
export interface ClusterOptions extends Pick<DatapathOptions, "engine" | "algorithm" | "randomPerFlow"> {
  /** Base PRNG seed; node i uses seed + i, so nodes draw independently (default 1). */
  seed?: number;
  /** Node configuration overrides applied to every node (e.g. `{ kprMode: "dsr" }`). */
  config?: Partial<NodeConfig>;
  /**
   * Frontends ("IP:PORT/PROTO") to treat as ExternalTrafficPolicy Local besides those whose flags
   * say so: each node keeps only its own backends for them.
   */
  localFrontends?: readonly string[];
  /** The router side (ip route, vtysh, leases, route policies); default: none. */
  router?: RouterInputs;
}

/** A cluster of emulated nodes; see docs/DESIGN.md (cluster). */
export class Cluster {
  readonly nodes: readonly ClusterNode[];
  readonly router: RouterInputs;
  /** Frontends ("IP:PORT/PROTO") with ExternalTrafficPolicy Local. */
  readonly localFrontends: ReadonlySet<string>;

  private constructor(nodes: ClusterNode[], router: RouterInputs, local: Set<string>) {
    this.nodes = nodes;
    this.router = router;
    this.localFrontends = local;
  }

  /** One Datapath per node of a snapshot; nodes whose dumps are missing are derived (see notes). */
  static async fromSnapshot(
    snapshot: Snapshot,
    options: ClusterOptions & { dumpTime?: number } = {},
  ): Promise<Cluster> {
    const dumpTime = options.dumpTime ?? Math.floor(Date.now() / 1000);
    return Cluster.fromStates(clusterNodeStates(snapshot, dumpTime, options.config), options);
  }

  /** A declared cluster (`--nodes N`). */
  static async synthetic(spec: SyntheticClusterSpec, options: ClusterOptions = {}): Promise<Cluster> {
    return Cluster.fromStates(syntheticClusterStates(spec), options);
  }

  /** Builds a cluster from node states (what fromSnapshot and synthetic produce). */
  static async fromStates(
    states: readonly ClusterNodeState[],
    options: ClusterOptions = {},
  ): Promise<Cluster> {
    if (states.length === 0) throw new Error("a cluster needs at least one node");
    const nodes: ClusterNode[] = [];
    const seed = options.seed ?? 1;
    try {
      for (const [i, s] of states.entries()) {
        const state = options.config ? { ...s.state, node: { ...s.state.node, ...options.config } } : s.state;
        const datapath = await Datapath.create(state, {
          ...(options.engine ? { engine: options.engine } : {}),
          ...(options.algorithm ? { algorithm: options.algorithm } : {}),
          ...(options.randomPerFlow ? { randomPerFlow: true } : {}),
          seed: (seed + i) >>> 0,
        });
        const { name, address, podCidrs, notes } = s;
        nodes.push({
          name,
          address,
          addresses: state.node.addresses,
          podCidrs,
          datapath,
          notes,
        });
      }
    } catch (error) {
      for (const n of nodes) n.datapath.dispose();
      throw error;
    }
    const local = new Set(options.localFrontends ?? []);
    for (const s of states[0]!.state.services) {
      if (s.slot === 0 && s.scope === 0 && (s.flags & ServiceFlag.ExtLocalScope) !== 0)
        local.add(frontendText(s.address, s.port, s.proto));
    }
    const cluster = new Cluster(nodes, options.router ?? emptyRouterInputs(), local);
    await cluster.keepLocalBackends();
    return cluster;
  }

  /** ExternalTrafficPolicy Local: each node's external scope lists its own backends only. */
  private async keepLocalBackends(): Promise<void> {
    for (const frontend of this.localFrontends) {
      for (const node of this.nodes) {
        for (const id of node.datapath.serviceBackends(frontend)) {
          const b = node.datapath.backend(id);
          if (b && this.nodeOf(b.address) !== node) await node.datapath.removeBackend(frontend, id);
        }
      }
    }
  }

  /** The node by name. */
  node(name: string): ClusterNode | undefined {
    return this.nodes.find((n) => n.name === name);
  }

  /** The node an address belongs to: one of its own addresses, or inside its pod CIDRs. */
  nodeOf(address: number): ClusterNode | undefined {
    return (
      this.nodes.find((n) => n.addresses.includes(address) || n.address === address) ??
      this.nodes.find((n) => n.podCidrs.some((c) => inCidr(c, address)))
    );
  }

  /** Every inference, one line each, prefixed with the node's name. */
  notes(): string[] {
    return this.nodes.flatMap((n) => n.notes.map((note) => `${n.name}: ${note}`));
  }

  /** Frees every node's engine. */
  dispose(): void {
    for (const n of this.nodes) n.datapath.dispose();
  }
}

/** "IP:PORT/PROTO" of a frontend, as ServiceSelector strings read. */
export function frontendText(address: number, port: number, proto: number): string {
  return `${formatIPv4(address)}:${port}/${proto === 6 ? "TCP" : proto === 17 ? "UDP" : proto === 132 ? "SCTP" : "ANY"}`;
}
