// Where a packet from outside enters the cluster: (a) BGP ECMP — the router hashes the flow over
// the nodes announcing the address (its `ip route` / `show ip bgp`, else every eligible node: all
// for ExternalTrafficPolicy Cluster, those with a local backend for Local); (b) the holder of the
// service's L2-announcement lease; (c) the node whose own address is the destination (NodePort,
// node IPs); (d) a named node.
import type { PacketRecord } from "../model/packet.js";
import { formatIPv4 } from "../model/ipv4.js";
import type { Cluster, ClusterNode } from "./cluster.js";
import { multipathHash, type MultipathHashPolicy } from "./ecmp-hash.js";
import {
  NexthopGroup,
  type GroupMember,
  type NexthopChoice,
  type NexthopGroupType,
} from "./nexthop-group.js";
import { l2Holder, routerNexthops } from "./router/router-inputs.js";

/** How packets from outside pick their ingress node. */
export type IngressMode =
  | { mode: "ecmp"; hash?: MultipathHashPolicy; group?: NexthopGroupType; seed?: number; buckets?: number }
  | { mode: "l2"; holder?: string }
  | { mode: "address" }
  | { mode: "node"; node: string };

/** The ingress node of one packet and how it was chosen. */
export interface IngressChoice {
  readonly node: ClusterNode;
  readonly how: IngressMode["mode"];
  /** ECMP: the group's choice (bucket i of n), the 31-bit hash and where the next hops came from. */
  readonly ecmp?: NexthopChoice & { readonly hash: number; readonly source: string };
}

/** The ingress side of a cluster: picks a node per packet; the ECMP set can change while flows run. */
export class Ingress {
  readonly mode: IngressMode;
  private readonly cluster: Cluster;
  private readonly groups = new Map<number, { group: NexthopGroup; source: string }>();
  private up: ReadonlySet<string> | null = null;

  constructor(cluster: Cluster, mode: IngressMode) {
    this.cluster = cluster;
    this.mode = mode;
    if (mode.mode === "node" && !cluster.node(mode.node))
      throw new Error(`no node ${JSON.stringify(mode.node)} in the cluster`);
  }

  /** The nodes the ECMP set is restricted to by node events, or null when it is every eligible node. */
  get current(): string[] | null {
    return this.up === null ? null : [...this.up];
  }

  /**
   * Restricts the ECMP set to these nodes (a drain or failure removes one, a join adds one back);
   * null restores every eligible node. A resilient group moves only the buckets it must.
   */
  setEcmpNodes(names: readonly string[] | null): void {
    for (const name of names ?? [])
      if (!this.cluster.node(name)) throw new Error(`no node ${JSON.stringify(name)} in the cluster`);
    this.up = names === null ? null : new Set(names);
    for (const [daddr, entry] of this.groups) entry.group.setMembers(this.members(daddr).members);
  }

  /** The ECMP members for a destination, by the router's inputs or by eligibility. */
  members(daddr: number): { members: GroupMember[]; source: string } {
    const fromRouter = routerNexthops(this.cluster.router, daddr);
    let members: GroupMember[];
    let source: string;
    if (fromRouter) {
      members = fromRouter.nexthops.flatMap((n) => {
        const node = this.cluster.nodeOf(n.via);
        return node ? [{ node: node.name, weight: n.weight }] : [];
      });
      source = fromRouter.source;
    } else {
      members = this.cluster.nodes.map((n) => ({ node: n.name, weight: 1 }));
      source = "every node";
    }
    const local = [...this.cluster.localFrontends].filter((f) => f.startsWith(`${formatIPv4(daddr)}:`));
    if (local.length > 0) {
      members = members.filter((m) =>
        local.some((f) => this.cluster.node(m.node)!.datapath.serviceBackends(f).length > 0),
      );
      source += ", nodes with a local backend (ExternalTrafficPolicy Local)";
    }
    if (this.up) members = members.filter((m) => this.up!.has(m.node));
    return { members, source };
  }

  private group(daddr: number): { group: NexthopGroup; source: string } {
    let entry = this.groups.get(daddr);
    if (!entry) {
      const m = this.mode.mode === "ecmp" ? this.mode : undefined;
      const { members, source } = this.members(daddr);
      entry = { group: new NexthopGroup(m?.group ?? "hash-threshold", members, m?.buckets), source };
      this.groups.set(daddr, entry);
    }
    return entry;
  }

  /** The node a packet from outside enters; undefined when no node takes it (empty ECMP set, no lease). */
  choose(p: PacketRecord): IngressChoice | undefined {
    const mode = this.mode;
    if (mode.mode === "node") return { node: this.cluster.node(mode.node)!, how: "node" };
    if (mode.mode === "address") {
      const node = this.cluster.nodes.find((n) => n.addresses.includes(p.daddr) || n.address === p.daddr);
      return node ? { node, how: "address" } : undefined;
    }
    if (mode.mode === "l2") {
      const holder = mode.holder ?? l2Holder(this.cluster.router, p.daddr);
      const node = holder === undefined ? undefined : this.cluster.node(holder);
      return node ? { node, how: "l2" } : undefined;
    }
    const { group, source } = this.group(p.daddr);
    const hash = multipathHash(
      mode.hash ?? "l3",
      mode.seed ?? 0,
      p.saddr,
      p.daddr,
      p.sport,
      p.dport,
      p.proto,
    );
    const choice = group.select(hash);
    return choice
      ? { node: this.cluster.node(choice.node)!, how: "ecmp", ecmp: { ...choice, hash, source } }
      : undefined;
  }
}
