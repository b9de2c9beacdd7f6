// Each node's map-level state for a cluster, from a snapshot holding several nodes. A node's own
// dumps win; where they are missing its view is derived from what the cluster shows — services and
// backends are the same on every node, its ipcache is another node's with the tunnel endpoints
// mirrored, its endpoints are the pods behind its own tunnel endpoint — and every inference is listed.
import { datapathStateFromView } from "../load/from-snapshot.js";
import type { NodeView, Snapshot } from "../model/snapshot.js";
import { formatIPv4, type Cidr } from "../model/ipv4.js";
import { prefixMask } from "../engine/engine.js";
import type { DatapathState, IpcacheMapEntry, LocalEndpoint, NodeConfig } from "../engine/state.js";

/** Reserved identities that are never a pod. */
const ID_HOST = 1;
const ID_WORLD = 2;
const ID_REMOTE_NODE = 6;
const ID_KUBE_APISERVER = 7;
/** Endpoint IDs given to derived pods (above what the agent hands out on a small node). */
const DERIVED_ENDPOINT_ID = 60000;

/** One node's state as the cluster builds it, with the facts the hand-off needs. */
export interface ClusterNodeState {
  readonly name: string;
  readonly state: DatapathState;
  /** The node IP other nodes tunnel to (the node's masquerade / NodePort SNAT address). */
  readonly address: number;
  readonly podCidrs: readonly Cidr[];
  /** What was inferred for this node rather than read from its dumps. */
  readonly notes: readonly string[];
}

const has = (view: NodeView, kinds: readonly string[]): boolean =>
  view.dumps.some((d) => kinds.includes(d.kind) && !view.borrowed.includes(d));
const IPCACHE_KINDS = ["bpf-ipcache-list", "map-get-ipcache"];

/** Whether `address` lies in `cidr`. */
export function inCidr(cidr: Cidr, address: number): boolean {
  return (address & prefixMask(cidr.prefixLen)) >>> 0 === cidr.prefix;
}

/** Pod CIDRs of the node at `address`: the prefixes the other nodes tunnel to it. */
function podCidrsOf(address: number, others: readonly DatapathState[]): Cidr[] {
  const out = new Map<string, Cidr>();
  for (const s of others) {
    for (const e of s.ipcache) {
      if (e.tunnelEndpoint === address && e.prefixLen < 32 && e.prefixLen > 0)
        out.set(`${e.prefix}/${e.prefixLen}`, { prefix: e.prefix, prefixLen: e.prefixLen });
    }
  }
  return [...out.values()];
}

/**
 * Another node's ipcache seen from `self`: entries behind self's tunnel endpoint become local, the
 * source node's own entries (no tunnel endpoint, inside its pod CIDRs or its addresses) go behind
 * the source's endpoint, and the two nodes swap host and remote-node identities.
 */
export function mirrorIpcache(
  source: { state: DatapathState; address: number; podCidrs: readonly Cidr[] },
  self: { address: number; addresses: readonly number[] },
): IpcacheMapEntry[] {
  const sourceOwn = new Set(source.state.node.addresses);
  return source.state.ipcache.map((e) => {
    const host32 = e.prefixLen === 32;
    if (e.tunnelEndpoint === self.address) {
      const identity = host32 && self.addresses.includes(e.prefix) ? ID_HOST : e.identity;
      return { ...e, identity, tunnelEndpoint: 0, flags: 0 };
    }
    if (host32 && sourceOwn.has(e.prefix))
      return { ...e, identity: ID_REMOTE_NODE, tunnelEndpoint: 0, flags: 0 };
    const local = e.tunnelEndpoint === 0 && source.podCidrs.some((c) => inCidr(c, e.prefix));
    if (local) return { ...e, tunnelEndpoint: source.address, flags: 0x2 };
    return { ...e };
  });
}

/** The pods of a node: ipcache /32 entries in its pod CIDRs with no tunnel endpoint, and backends there. */
function derivedEndpoints(state: DatapathState, podCidrs: readonly Cidr[], notes: string[]): LocalEndpoint[] {
  const mine = (a: number) => podCidrs.some((c) => inCidr(c, a));
  const pods = new Map<number, number>();
  for (const e of state.ipcache) {
    const pod = ![ID_HOST, ID_WORLD, ID_REMOTE_NODE, ID_KUBE_APISERVER].includes(e.identity);
    if (e.prefixLen === 32 && e.tunnelEndpoint === 0 && pod && mine(e.prefix)) pods.set(e.prefix, e.identity);
  }
  const fromIpcache = pods.size;
  for (const b of state.backends) if (mine(b.address) && !pods.has(b.address)) pods.set(b.address, 0);
  notes.push(
    `endpoints: ${fromIpcache} pods from the ipcache behind this node's tunnel endpoint, ${pods.size - fromIpcache} backends in its pod CIDR (identity unknown)`,
  );
  const hosts = state.endpoints.filter((e) => e.isHost);
  let id = DERIVED_ENDPOINT_ID;
  return [
    ...hosts,
    ...[...pods].map(([address, identity]) => ({ address, endpointId: id++, identity, isHost: false })),
  ];
}

interface Built {
  view: NodeView;
  state: DatapathState;
  notes: string[];
}

/**
 * Builds every node's state; `config` overrides apply to all nodes (e.g. a forced KPR mode).
 * `knownPodCidrs` (by node name, e.g. from `cilium node list`) replaces the inference from the
 * other nodes' tunnel routes, which natively routed clusters do not have.
 */
export function clusterNodeStates(
  snapshot: Snapshot,
  dumpTime: number,
  config: Partial<NodeConfig> = {},
  knownPodCidrs: ReadonlyMap<string, readonly Cidr[]> = new Map(),
): ClusterNodeState[] {
  const built: Built[] = snapshot.nodes.map((view) => {
    const { state, notes } = datapathStateFromView(view, { dumpTime, config }, snapshot);
    return { view, state, notes: [...notes] };
  });
  const withIpcache = built.filter((b) => has(b.view, IPCACHE_KINDS));
  return built.map((b) => finishNode(b, built, withIpcache, knownPodCidrs.get(b.view.name)));
}

function finishNode(
  b: Built,
  all: readonly Built[],
  withIpcache: readonly Built[],
  known: readonly Cidr[] | undefined,
): ClusterNodeState {
  const address = b.state.node.masqueradeAddress;
  const others = all.filter((o) => o !== b).map((o) => o.state);
  const podCidrs = known ? [...known] : podCidrsOf(address, others);
  let state = b.state;
  const notes = b.notes;
  if (!has(b.view, IPCACHE_KINDS)) {
    const source = withIpcache.find((o) => o !== b);
    if (source) {
      const src = {
        state: source.state,
        address: source.state.node.masqueradeAddress,
        podCidrs: podCidrsOf(
          source.state.node.masqueradeAddress,
          all.filter((o) => o !== source).map((o) => o.state),
        ),
      };
      state = { ...state, ipcache: mirrorIpcache(src, { address, addresses: state.node.addresses }) };
      notes.push(`ipcache: ${source.view.name}'s, tunnel endpoints mirrored`);
    }
  }
  if (!has(b.view, ["endpoint-list"]))
    state = { ...state, endpoints: derivedEndpoints(state, podCidrs, notes) };
  if (podCidrs.length > 0)
    notes.push(
      `pod CIDR ${podCidrs.map((c) => `${formatIPv4(c.prefix)}/${c.prefixLen}`).join(", ")} (${known ? "the node list" : "the other nodes' tunnel routes"})`,
    );
  return {
    name: b.view.name,
    state,
    address,
    podCidrs,
    notes,
  };
}
