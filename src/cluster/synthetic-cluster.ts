// A cluster declared rather than dumped (`--nodes 5`): N nodes in tunnel mode, each with a pod CIDR
// and the same LoadBalancer service, whose backends are spread over the nodes. For experiments where
// no snapshot has the shape wanted.
import { parseIPv4, type Cidr } from "../model/ipv4.js";
import { IpProto } from "../model/protocol.js";
import { BackendState } from "../model/backend.js";
import { ServiceFlag } from "../model/service-flags.js";
import {
  defaultNodeConfig,
  IpcacheFlag,
  type BackendMapEntry,
  type DatapathState,
  type IpcacheMapEntry,
  type KprMode,
  type LbAlgorithm,
  type LocalEndpoint,
  type ServiceMapEntry,
} from "../engine/state.js";
import type { ClusterNodeState } from "./node-state.js";

/** The shape of a synthetic cluster. */
export interface SyntheticClusterSpec {
  /** Number of nodes, 1..250. */
  nodes: number;
  /** Backends of the service on each node (default 1). */
  backendsPerNode?: number;
  /** The LoadBalancer frontend (default 172.16.1.1:80/TCP). */
  frontend?: { address: string; port: number };
  algorithm?: LbAlgorithm;
  kprMode?: KprMode;
  routingMode?: "tunnel" | "native";
}

const POD_IDENTITY = 8469;
const REV_NAT_ID = 1;
/** Node i (0-based) is 192.168.10.(10+i) with pod CIDR 10.244.i.0/24; its pods are .10, .11, ... */
const nodeAddress = (i: number): number => (parseIPv4("192.168.10.0")! + 10 + i) >>> 0;
const podCidr = (i: number): Cidr => ({ prefix: (parseIPv4("10.244.0.0")! + (i << 8)) >>> 0, prefixLen: 24 });
const podAddress = (i: number, k: number): number => (podCidr(i).prefix + 10 + k) >>> 0;

function service(spec: SyntheticClusterSpec, backends: readonly BackendMapEntry[]): ServiceMapEntry[] {
  const address = parseIPv4(spec.frontend?.address ?? "172.16.1.1");
  if (address === undefined)
    throw new Error(`not an IPv4 address: ${JSON.stringify(spec.frontend?.address)}`);
  const flags = ServiceFlag.LoadBalancer | ServiceFlag.Routable;
  const base = {
    address,
    port: spec.frontend?.port ?? 80,
    proto: IpProto.TCP,
    scope: 0 as const,
    revNatId: REV_NAT_ID,
  };
  const master = {
    ...base,
    slot: 0,
    backendId: 0,
    count: backends.length,
    qcount: 0,
    flags,
    flags2: 0,
    affinityTimeoutSec: 0,
    algorithm: 0 as const,
  };
  const slots = backends.map((b, i) => ({ ...master, slot: i + 1, backendId: b.id, count: 0 }));
  return [master, ...slots];
}

function ipcacheFor(self: number, n: number, perNode: number): IpcacheMapEntry[] {
  const out: IpcacheMapEntry[] = [
    { prefix: 0, prefixLen: 0, identity: 2, tunnelEndpoint: 0, encryptKey: 0, flags: 0 },
  ];
  for (let i = 0; i < n; i++) {
    const local = i === self;
    out.push({
      prefix: nodeAddress(i),
      prefixLen: 32,
      identity: local ? 1 : 6,
      tunnelEndpoint: 0,
      encryptKey: 0,
      flags: 0,
    });
    if (!local)
      out.push({
        ...podCidr(i),
        identity: 2,
        tunnelEndpoint: nodeAddress(i),
        encryptKey: 0,
        flags: IpcacheFlag.HAS_TUNNEL_EP,
      });
    for (let k = 0; k < perNode; k++) {
      out.push({
        prefix: podAddress(i, k),
        prefixLen: 32,
        identity: POD_IDENTITY,
        tunnelEndpoint: local ? 0 : nodeAddress(i),
        encryptKey: 0,
        flags: local ? 0 : IpcacheFlag.HAS_TUNNEL_EP,
      });
    }
  }
  return out;
}

/** The node states of a synthetic cluster, named node-1..node-N. */
export function syntheticClusterStates(spec: SyntheticClusterSpec): ClusterNodeState[] {
  const n = spec.nodes;
  const perNode = spec.backendsPerNode ?? 1;
  if (!Number.isInteger(n) || n < 1 || n > 250) throw new Error(`--nodes must be 1..250, got ${n}`);
  if (!Number.isInteger(perNode) || perNode < 1 || perNode > 200)
    throw new Error(`backends per node must be 1..200, got ${perNode}`);
  const backends: BackendMapEntry[] = [];
  for (let i = 0; i < n; i++)
    for (let k = 0; k < perNode; k++)
      backends.push({
        id: backends.length + 1,
        address: podAddress(i, k),
        port: 80,
        proto: IpProto.TCP,
        state: BackendState.ACTIVE,
        weight: 100,
      });
  const services = service(spec, backends);
  return Array.from({ length: n }, (_, i) => {
    const endpoints: LocalEndpoint[] = [
      { address: nodeAddress(i), endpointId: 1, identity: 1, isHost: true },
      ...Array.from({ length: perNode }, (_, k) => ({
        address: podAddress(i, k),
        endpointId: 100 + k,
        identity: POD_IDENTITY,
        isHost: false,
      })),
    ];
    const state: DatapathState = {
      node: defaultNodeConfig({
        name: `node-${i + 1}`,
        addresses: [nodeAddress(i)],
        routingMode: spec.routingMode ?? "tunnel",
        nativeRoutingCidr: { prefix: parseIPv4("10.244.0.0")!, prefixLen: 16 },
        lbAlgorithm: spec.algorithm ?? "maglev",
        kprMode: spec.kprMode ?? "snat",
        maglevTableSize: 1021,
      }),
      services,
      backends,
      revNat: [{ id: REV_NAT_ID, address: services[0]!.address, port: services[0]!.port }],
      ipcache: ipcacheFor(i, n, perNode),
      ipMasqCidrs: [],
      sourceRanges: [],
      endpoints,
      ct: [],
      nat: [],
    };
    return {
      name: `node-${i + 1}`,
      state,
      address: nodeAddress(i),
      podCidrs: [podCidr(i)],
      notes: ["synthetic node"],
    };
  });
}
