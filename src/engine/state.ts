// The datapath's inputs at BPF-map level: what a node's maps and agent configuration hold, not the
// parsed dump models. A loader (from-snapshot.ts) converts a snapshot into this; tests and embedders
// can also build it by hand. IPv4 addresses are unsigned 32-bit integers in host order
// (10.0.0.1 = 0x0a000001); ports are plain numbers; times are BPF mono seconds (see docs/datapath.md).
import type { BackendStateValue } from "../model/backend.js";
import type { Cidr } from "../model/ipv4.js";

/** Lookup scope of a service key: external (0) or internal (1, the `/i` entries of two-scope services). */
export type ServiceScope = 0 | 1;

/** Per-service algorithm stored in the master's union word (top 8 bits). 0 = node default. */
export type ServiceAlgorithm = 0 | 1 | 2;

/** One record of `cilium_lb4_services_v2`: slot 0 is the service (master), slots 1.. its backends. */
export interface ServiceMapEntry {
  address: number;
  port: number;
  proto: number;
  scope: ServiceScope;
  slot: number;
  /** Slots ≥ 1: the backend ID; 0 in the master. */
  backendId: number;
  /** Master: number of active backends (slots 1..count); 0 in backend slots. */
  count: number;
  /** Master: number of non-active backends stored after the active ones. */
  qcount: number;
  revNatId: number;
  /** The low byte of the ServiceFlag bits (byte 8 of the value). */
  flags: number;
  /** The high byte of the ServiceFlag bits (`ServiceFlag.X >> 8`; byte 9 of the value). */
  flags2: number;
  /** Master only: session-affinity timeout in seconds (low 24 bits of the union word). */
  affinityTimeoutSec: number;
  /** Master only: per-service algorithm (top 8 bits of the union word). */
  algorithm: ServiceAlgorithm;
  /**
   * Master of an L7 load-balancer service (flags2 L7_LOADBALANCER): the proxy port, which takes the
   * whole union word in Cilium's map. Kept so the map reads back as dumped; dpemu does not redirect
   * to the proxy.
   */
  l7ProxyPort?: number;
}

/** One record of `cilium_lb4_backends_v3`. */
export interface BackendMapEntry {
  id: number;
  address: number;
  /** 0 keeps the frontend port. */
  port: number;
  proto: number;
  state: BackendStateValue;
  /** Used for the Maglev hash string ("[ip:port/PROTO,State:active]"); 100 when unknown. */
  weight: number;
}

/** One record of `cilium_lb4_reverse_nat`: rev-NAT ID → the frontend a client used. */
export interface RevNatMapEntry {
  id: number;
  address: number;
  port: number;
}

/** ipcache value flag bits. */
export const IpcacheFlag = {
  SKIP_TUNNEL: 0x1,
  HAS_TUNNEL_EP: 0x2,
  IPV6_TUNNEL_EP: 0x4,
  REMOTE_CLUSTER: 0x8,
} as const;

/** One `cilium_ipcache_v2` entry (IPv4, cluster 0). */
export interface IpcacheMapEntry {
  prefix: number;
  prefixLen: number;
  identity: number;
  /** 0 when there is none. */
  tunnelEndpoint: number;
  encryptKey: number;
  flags: number;
}

/** One `cilium_lb4_source_range` entry: a CIDR allowed (or denied) for a rev-NAT ID. */
export interface SourceRangeEntry extends Cidr {
  revNatId: number;
}

/** A local endpoint (`cilium_lxc`): a pod on this node, or the host itself. */
export interface LocalEndpoint {
  address: number;
  endpointId: number;
  identity: number;
  /** ENDPOINT_F_HOST: the node's own addresses; traffic to it goes to the stack. */
  isHost: boolean;
}

/** Agent defaults for CT lifetimes, in seconds (pkg/defaults, since Cilium 1.15). */
export interface CtTimeouts {
  regularTcp: number;
  regularAny: number;
  serviceTcp: number;
  serviceAny: number;
  tcpSyn: number;
  tcpClose: number;
  serviceCloseRebalance: number;
}

/** Cilium's default conntrack lifetimes, in seconds. */
export const DEFAULT_CT_TIMEOUTS: Readonly<CtTimeouts> = {
  regularTcp: 8000,
  regularAny: 60,
  serviceTcp: 8000,
  serviceAny: 60,
  tcpSyn: 60,
  tcpClose: 10,
  serviceCloseRebalance: 60,
};

/** How pod traffic leaves the node: through the overlay or natively routed. */
export type RoutingMode = "tunnel" | "native";
/** BPF host routing, or the legacy path through the host stack. */
export type HostRouting = "bpf" | "legacy";
/** The node's default backend selection (bpf-lb-algorithm). */
export type LbAlgorithm = "random" | "maglev";
/** The kube-proxy replacement mode of NodePort traffic (bpf-lb-mode). */
export type KprMode = "snat" | "dsr" | "hybrid";
/**
 * How DSR carries the service address to the backend's node (bpf-lb-dsr-dispatch): an IPv4 option
 * (`opt`, DSR_ENCAP_NONE), IPv4-in-IPv4 (`ipip`) or a Geneve option (`geneve`).
 */
export type DsrDispatchMode = "opt" | "ipip" | "geneve";
/** The overlay's tunnel protocol (tunnel-protocol). */
export type TunnelProtocol = "vxlan" | "geneve";

/** Node-wide agent configuration that the datapath depends on. */
export interface NodeConfig {
  name: string;
  /** Every node address (NodePort frontends are cloned onto each). */
  addresses: number[];
  /** Source address for masqueraded pod traffic (`nat_ipv4_masquerade`). */
  masqueradeAddress: number;
  /** Source address for NodePort SNAT in native routing (IPV4_DIRECT_ROUTING). */
  directRoutingAddress: number;
  /** cilium_host address (IPV4_GATEWAY): NodePort SNAT source towards tunnelled backends. */
  routerAddress: number;
  /** `ipv4-native-routing-cidr`: destinations inside are never masqueraded. */
  nativeRoutingCidr: Cidr | null;
  routingMode: RoutingMode;
  /** Encapsulation of the overlay in tunnel mode. */
  tunnelProtocol: TunnelProtocol;
  hostRouting: HostRouting;
  /** BPF masquerading (`enable-bpf-masquerade` + `enable-ipv4-masquerade`). */
  masquerade: boolean;
  ipMasqAgent: boolean;
  /** Service keys carry the L4 protocol (Cilium >= 1.16); older agents wrote protocol ANY. */
  serviceProtocols: boolean;
  natPortMin: number;
  natPortMax: number;
  snatCollisionRetries: number;
  ctTcpMax: number;
  ctAnyMax: number;
  natMax: number;
  affinityMax: number;
  ctTimeouts: CtTimeouts;
  /** Seconds of capture time between two CT garbage collections. */
  gcIntervalSec: number;
  lbAlgorithm: LbAlgorithm;
  maglevTableSize: number;
  /** `bpf-lb-maglev-hash-seed`: base64 of 12 bytes. */
  clusterSeed: string;
  /** Decides the Maglev flow-hash port packing (changed in 1.17). */
  ciliumVersion: string;
  kprMode: KprMode;
  /** DSR dispatch of the DSR and hybrid modes. */
  dsrDispatch: DsrDispatchMode;
  serviceLoopbackAddress: number;
}

/** CT entry flag bits (u16 at offset 36 of ct_entry). */
export const CtEntryFlag = {
  RX_CLOSING: 0x001,
  TX_CLOSING: 0x002,
  LB_LOOPBACK: 0x008,
  SEEN_NON_SYN: 0x010,
  NODE_PORT: 0x020,
  PROXY_REDIRECT: 0x040,
  DSR_INTERNAL: 0x080,
  FROM_TUNNEL: 0x400,
} as const;

/** CT tuple flag bits. */
export const TupleFlag = { OUT: 0, IN: 1, RELATED: 2, SERVICE: 4 } as const;

/** `ipv4_ct_tuple` as stored (ports in CT layout, see docs/datapath.md). */
export interface CtTuple {
  daddr: number;
  saddr: number;
  dport: number;
  sport: number;
  nexthdr: number;
  flags: number;
}

/** A pre-existing conntrack entry. */
export interface CtMapEntry {
  tuple: CtTuple;
  /** Expiry time in datapath seconds. */
  lifetime: number;
  flags: number;
  revNatId: number;
  backendId: number;
  txFlagsSeen: number;
  rxFlagsSeen: number;
  srcSecId: number;
  lastTxReport: number;
  lastRxReport: number;
}

/** A pre-existing `cilium_snat_v4_external` entry (tuple in packet layout). */
export interface NatMapEntry {
  tuple: { saddr: number; daddr: number; sport: number; dport: number; nexthdr: number; flags: number };
  created: number;
  needsCt: boolean;
  /** OUT: to_saddr/to_sport; IN: to_daddr/to_dport. */
  address: number;
  port: number;
}

/** Everything the datapath reads. */
export interface DatapathState {
  node: NodeConfig;
  services: ServiceMapEntry[];
  backends: BackendMapEntry[];
  revNat: RevNatMapEntry[];
  ipcache: IpcacheMapEntry[];
  ipMasqCidrs: Cidr[];
  sourceRanges: SourceRangeEntry[];
  endpoints: LocalEndpoint[];
  ct: CtMapEntry[];
  nat: NatMapEntry[];
}

/** Node configuration with Cilium's defaults; callers override what their node differs in. */
export function defaultNodeConfig(
  overrides: Partial<NodeConfig> & Pick<NodeConfig, "addresses">,
): NodeConfig {
  const first = overrides.addresses[0] ?? 0;
  return {
    name: "node",
    masqueradeAddress: first,
    directRoutingAddress: first,
    routerAddress: 0,
    nativeRoutingCidr: null,
    routingMode: "tunnel",
    tunnelProtocol: "vxlan",
    hostRouting: "bpf",
    masquerade: true,
    ipMasqAgent: false,
    serviceProtocols: true,
    natPortMin: 32768,
    natPortMax: 65535,
    snatCollisionRetries: 32,
    ctTcpMax: 524288,
    ctAnyMax: 262144,
    natMax: 524288,
    affinityMax: 65536,
    ctTimeouts: { ...DEFAULT_CT_TIMEOUTS },
    gcIntervalSec: 300,
    lbAlgorithm: "random",
    maglevTableSize: 16381,
    clusterSeed: "JLfvgnHc2kaSUFaI",
    ciliumVersion: "1.18.0",
    kprMode: "snat",
    dsrDispatch: "opt",
    serviceLoopbackAddress: 0xa9fe2a01,
    ...overrides,
  };
}
