// Layouts of the records the host and the datapath exchange, defined once here and exported as
// constants (generated into src/wasm/layout.generated.ts for src/wasm/codec.ts, and checked against
// every instance, so the two sides cannot drift). All multi-byte
// fields are little endian; addresses are host-order u32 (10.0.0.1 = 0x0a000001), ports host-order.

import { NodeConfigRecord, StatsRecord } from "./host-structs";

// ---- packet record (input) -----------------------------------------------------------------------
// The host fills it from a PacketRecord (src/model/packet.ts): ICMP echo identifiers stand in for
// ports the way Cilium's conntrack places them (request: sport = id; reply: dport = id).
export const PACKET_RECORD_SIZE: u32 = 36;
/** u32: capture time, whole seconds; the datapath clock (bpf_mono_now) is this value. */
export const PACKET_SECONDS: u32 = 0;
/** u32: nanoseconds within the second (kept for the host; decisions use whole seconds). */
export const PACKET_NANOSECONDS: u32 = 4;
export const PACKET_SADDR: u32 = 8;
export const PACKET_DADDR: u32 = 12;
export const PACKET_SPORT: u32 = 16;
export const PACKET_DPORT: u32 = 18;
/** u8: IP protocol number. */
export const PACKET_PROTO: u32 = 20;
/** u8: TCP flags (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, ...). */
export const PACKET_TCP_FLAGS: u32 = 21;
/** u8: entry point, one of ENTRY_*. */
export const PACKET_ENTRY: u32 = 22;
/** u8/u8: ICMP type and code (0 for other protocols). */
export const PACKET_ICMP_TYPE: u32 = 23;
export const PACKET_ICMP_CODE: u32 = 24;
/**
 * u16/u32: the DSR info the packet arrives with (nodeport_extract_dsr_v4): the service port and
 * address a Geneve DSR option, an IPv4 DSR option or an IPIP inner header carries; 0/0 for none.
 */
export const PACKET_DSR_PORT: u32 = 26;
export const PACKET_DSR_ADDR: u32 = 32;
/** u32: IP length in bytes (accounting only). */
export const PACKET_LENGTH: u32 = 28;

/** Not known: a packet whose source is a local pod enters from the endpoint, others from the network. */
export const ENTRY_UNKNOWN: u8 = 0;
export const ENTRY_FROM_ENDPOINT: u8 = 1;
export const ENTRY_FROM_NETWORK: u8 = 2;
export const ENTRY_FROM_OVERLAY: u8 = 3;

// ---- verdict record (output) ---------------------------------------------------------------------
export const VERDICT_RECORD_SIZE: u32 = 64;
/** u8: Hubble Verdict: 1 FORWARDED, 2 DROPPED. */
export const VERDICT_VERDICT: u32 = 0;
/** u8: Cilium drop reason (the positive DROP_* code), 0 when forwarded. */
export const VERDICT_DROP_REASON: u32 = 1;
/** u8: Hubble TraceObservationPoint: where the packet went (OBS_TO_*), or where it was dropped (OBS_FROM_*). */
export const VERDICT_OBS_POINT: u32 = 2;
/** u8: CT state of the packet's regular CT lookup: 0 new, 1 established, 2 reply, 3 related. */
export const VERDICT_CT_STATE: u32 = 3;
/** u16: VFLAG_* bits. */
export const VERDICT_FLAGS: u32 = 4;
/** u16: rev-NAT ID (service ID) of the service the flow belongs to, 0 if none. */
export const VERDICT_REV_NAT_ID: u32 = 6;
/** u32: backend ID chosen for (or remembered by) the flow, 0 if none. */
export const VERDICT_BACKEND_ID: u32 = 8;
/** u32/u32/u16/u16: the packet's addresses and ports after every translation. */
export const VERDICT_SADDR: u32 = 12;
export const VERDICT_DADDR: u32 = 16;
export const VERDICT_SPORT: u32 = 20;
export const VERDICT_DPORT: u32 = 22;
export const VERDICT_SRC_IDENTITY: u32 = 24;
export const VERDICT_DST_IDENTITY: u32 = 28;
/** u32: tunnel endpoint for to-overlay, else 0. */
export const VERDICT_TUNNEL_ENDPOINT: u32 = 32;
/** u8: result of the service CT lookup (0 new, 2 existing flow), 0xff when there was none. */
export const VERDICT_SERVICE_CT_STATE: u32 = 36;
/** u8: encapsulation the packet leaves with, one of ENCAP_*. */
export const VERDICT_ENCAP: u32 = 37;
/** u8: 1 when DSR info (VERDICT_DSR_ADDR/PORT) is attached to the packet, else 0. */
export const VERDICT_ENCAP_DSR: u32 = 38;
/** u32: endpoint ID the packet was delivered to (to-endpoint), else 0. */
export const VERDICT_DST_ENDPOINT: u32 = 40;
/**
 * u16: bytes the encapsulation and DSR info add to the packet on the wire: VXLAN and Geneve 50
 * (outer Ethernet 14 + IPv4 20 + UDP 8 + tunnel header 8), plus 12 for the Geneve DSR option;
 * IPIP 20; the IPv4 DSR option 8.
 */
export const VERDICT_ENCAP_OVERHEAD: u32 = 44;
/** u16/u32: the service port and address carried as DSR info, when VERDICT_ENCAP_DSR is 1. */
export const VERDICT_DSR_PORT: u32 = 46;
export const VERDICT_DSR_ADDR: u32 = 48;
/** u32/u32: outer IPv4 source and destination of an encapsulated packet (0 without encapsulation). */
export const VERDICT_OUTER_SADDR: u32 = 52;
export const VERDICT_OUTER_DADDR: u32 = 56;

/** No encapsulation (natively routed; the IPv4 DSR option is not an encapsulation). */
export const ENCAP_NONE: u8 = 0;
/** VXLAN tunnel (TUNNEL_PROTOCOL_VXLAN). */
export const ENCAP_VXLAN: u8 = 1;
/** Geneve tunnel (TUNNEL_PROTOCOL_GENEVE; DSR_ENCAP_GENEVE adds the DSR option). */
export const ENCAP_GENEVE: u8 = 2;
/** IPv4-in-IPv4 (DSR_ENCAP_IPIP). */
export const ENCAP_IPIP: u8 = 3;

// The codes a verdict record carries (and the drop reasons) are defined in constants.ts; the ones
// the host reads are exported from here with the record layout.
export {
  CT_ESTABLISHED,
  CT_NEW,
  CT_RELATED,
  CT_REPLY,
  DROP_CT_CREATE_FAILED,
  DROP_CT_UNKNOWN_PROTO,
  DROP_INVALID,
  DROP_INVALID_SIP,
  DROP_IS_CLUSTER_IP,
  DROP_NAT_NO_MAPPING,
  DROP_NO_SERVICE,
  DROP_NO_TUNNEL_ENDPOINT,
  DROP_NOT_IN_SRC_RANGE,
  OBS_FROM_ENDPOINT,
  OBS_FROM_NETWORK,
  OBS_FROM_OVERLAY,
  OBS_TO_ENDPOINT,
  OBS_TO_NETWORK,
  OBS_TO_OVERLAY,
  OBS_TO_STACK,
  SERVICE_CT_NONE,
  VERDICT_DROPPED,
  VERDICT_FORWARDED,
} from "./constants";

/** The destination matched a service entry (including the wildcard). */
export const VFLAG_SERVICE: u16 = 0x0001;
/** Destination translated to a backend. */
export const VFLAG_DNAT: u16 = 0x0002;
/** Source translated (masquerade or NodePort SNAT). */
export const VFLAG_SNAT: u16 = 0x0004;
/** Reply source translated back to the service frontend. */
export const VFLAG_REV_NAT: u16 = 0x0008;
/** Reply destination translated back by a reverse SNAT entry. */
export const VFLAG_REV_SNAT: u16 = 0x0010;
/** Hairpin: the client reached itself through the service. */
export const VFLAG_LOOPBACK: u16 = 0x0020;
/** The flow is tracked as NodePort (external client). */
export const VFLAG_NODEPORT: u16 = 0x0040;
/** The backend came from a session-affinity entry. */
export const VFLAG_AFFINITY: u16 = 0x0080;
/** No conntrack lookup applied to this packet. */
export const VFLAG_UNTRACKED: u16 = 0x0100;
/** An existing flow got a new backend (its backend vanished or stopped being active). */
export const VFLAG_RESELECTED: u16 = 0x0200;
/** The service hit was a per-address wildcard entry. */
export const VFLAG_WILDCARD: u16 = 0x0400;
/** The backend was chosen by Maglev (else by the random slot). */
export const VFLAG_MAGLEV: u16 = 0x0800;
/** A new backend selection happened for this packet. */
export const VFLAG_SELECTED: u16 = 0x1000;
/**
 * Direct server return: the packet was dispatched to a remote backend with DSR (ingress node),
 * created or matched DSR state (backend's node), or is a reply translated by that state.
 */
export const VFLAG_DSR: u16 = 0x2000;

// ---- node configuration (input of dpCreate): NodeConfigRecord in host-structs.ts -------------------
export const NODE_CONFIG_SIZE: u32 = <u32>offsetof<NodeConfigRecord>();
export const NODE_CONFIG_CT_TCP_MAX: u32 = <u32>offsetof<NodeConfigRecord>("ctTcpMax");
export const NODE_CONFIG_CT_ANY_MAX: u32 = <u32>offsetof<NodeConfigRecord>("ctAnyMax");
export const NODE_CONFIG_NAT_MAX: u32 = <u32>offsetof<NodeConfigRecord>("natMax");
export const NODE_CONFIG_AFFINITY_MAX: u32 = <u32>offsetof<NodeConfigRecord>("affinityMax");
export const NODE_CONFIG_SERVICES_MAX: u32 = <u32>offsetof<NodeConfigRecord>("servicesMax");
export const NODE_CONFIG_BACKENDS_MAX: u32 = <u32>offsetof<NodeConfigRecord>("backendsMax");
export const NODE_CONFIG_IPCACHE_MAX: u32 = <u32>offsetof<NodeConfigRecord>("ipcacheMax");
export const NODE_CONFIG_ENDPOINTS_MAX: u32 = <u32>offsetof<NodeConfigRecord>("endpointsMax");
export const NODE_CONFIG_SEED: u32 = <u32>offsetof<NodeConfigRecord>("seed");
export const NODE_CONFIG_MASQUERADE_ADDRESS: u32 = <u32>offsetof<NodeConfigRecord>("masqueradeAddress");
export const NODE_CONFIG_DIRECT_ROUTING_ADDRESS: u32 = <u32>(
  offsetof<NodeConfigRecord>("directRoutingAddress")
);
export const NODE_CONFIG_ROUTER_ADDRESS: u32 = <u32>offsetof<NodeConfigRecord>("routerAddress");
export const NODE_CONFIG_LOOPBACK_ADDRESS: u32 = <u32>offsetof<NodeConfigRecord>("loopbackAddress");
export const NODE_CONFIG_NATIVE_CIDR_PREFIX: u32 = <u32>offsetof<NodeConfigRecord>("nativeCidrPrefix");
export const NODE_CONFIG_NATIVE_CIDR_MASK: u32 = <u32>offsetof<NodeConfigRecord>("nativeCidrMask");
export const NODE_CONFIG_NAT_PORT_MIN: u32 = <u32>offsetof<NodeConfigRecord>("natPortMin");
export const NODE_CONFIG_NAT_PORT_MAX: u32 = <u32>offsetof<NodeConfigRecord>("natPortMax");
export const NODE_CONFIG_SNAT_RETRIES: u32 = <u32>offsetof<NodeConfigRecord>("snatRetries");
export const NODE_CONFIG_NODE_ALGORITHM: u32 = <u32>offsetof<NodeConfigRecord>("nodeAlgorithm");
export const NODE_CONFIG_ALGORITHM_OVERRIDE: u32 = <u32>offsetof<NodeConfigRecord>("algorithmOverride");
export const NODE_CONFIG_JHASH_SEED: u32 = <u32>offsetof<NodeConfigRecord>("jhashSeed");
export const NODE_CONFIG_FLOW_HASH_PACKING: u32 = <u32>offsetof<NodeConfigRecord>("flowHashPacking");
export const NODE_CONFIG_GC_INTERVAL: u32 = <u32>offsetof<NodeConfigRecord>("gcInterval");
export const NODE_CONFIG_TIMEOUT_REGULAR_TCP: u32 = <u32>offsetof<NodeConfigRecord>("timeoutRegularTcp");
export const NODE_CONFIG_TIMEOUT_REGULAR_ANY: u32 = <u32>offsetof<NodeConfigRecord>("timeoutRegularAny");
export const NODE_CONFIG_TIMEOUT_SERVICE_TCP: u32 = <u32>offsetof<NodeConfigRecord>("timeoutServiceTcp");
export const NODE_CONFIG_TIMEOUT_SERVICE_ANY: u32 = <u32>offsetof<NodeConfigRecord>("timeoutServiceAny");
export const NODE_CONFIG_TIMEOUT_TCP_SYN: u32 = <u32>offsetof<NodeConfigRecord>("timeoutTcpSyn");
export const NODE_CONFIG_TIMEOUT_TCP_CLOSE: u32 = <u32>offsetof<NodeConfigRecord>("timeoutTcpClose");
export const NODE_CONFIG_TIMEOUT_SERVICE_CLOSE_REBALANCE: u32 = <u32>(
  offsetof<NodeConfigRecord>("timeoutServiceCloseRebalance")
);
export const NODE_CONFIG_HAS_NATIVE_CIDR: u32 = <u32>offsetof<NodeConfigRecord>("hasNativeCidr");
export const NODE_CONFIG_TUNNEL_MODE: u32 = <u32>offsetof<NodeConfigRecord>("tunnelMode");
export const NODE_CONFIG_BPF_HOST_ROUTING: u32 = <u32>offsetof<NodeConfigRecord>("bpfHostRouting");
export const NODE_CONFIG_MASQUERADE: u32 = <u32>offsetof<NodeConfigRecord>("masquerade");
export const NODE_CONFIG_IP_MASQ_AGENT: u32 = <u32>offsetof<NodeConfigRecord>("ipMasqAgent");
export const NODE_CONFIG_SERVICE_PROTOCOLS: u32 = <u32>offsetof<NodeConfigRecord>("serviceProtocols");
export const NODE_CONFIG_RANDOM_PER_FLOW: u32 = <u32>offsetof<NodeConfigRecord>("randomPerFlow");
export const NODE_CONFIG_NODEPORT_MODE: u32 = <u32>offsetof<NodeConfigRecord>("nodePortMode");
export const NODE_CONFIG_DSR_DISPATCH: u32 = <u32>offsetof<NodeConfigRecord>("dsrDispatch");
export const NODE_CONFIG_TUNNEL_PROTOCOL: u32 = <u32>offsetof<NodeConfigRecord>("tunnelProtocol");

/** NodePort forwarding to remote backends (bpf-lb-mode): SNAT, DSR, or DSR for TCP and SNAT else. */
export const NODEPORT_MODE_SNAT: u8 = 0;
export const NODEPORT_MODE_DSR: u8 = 1;
export const NODEPORT_MODE_HYBRID: u8 = 2;
/** How DSR carries the service address (bpf-lb-dsr-dispatch): DSR_ENCAP_NONE, _IPIP, _GENEVE. */
export const DSR_DISPATCH_OPT: u8 = 0;
export const DSR_DISPATCH_IPIP: u8 = 1;
export const DSR_DISPATCH_GENEVE: u8 = 2;

// ---- statistics (output of dpStats): StatsRecord in host-structs.ts --------------------------------
export const DP_STATS_SIZE: u32 = <u32>offsetof<StatsRecord>();
export const DP_STATS_CT_TCP: u32 = <u32>offsetof<StatsRecord>("ctTcp");
export const DP_STATS_CT_TCP_MAX: u32 = <u32>offsetof<StatsRecord>("ctTcpMax");
export const DP_STATS_CT_ANY: u32 = <u32>offsetof<StatsRecord>("ctAny");
export const DP_STATS_CT_ANY_MAX: u32 = <u32>offsetof<StatsRecord>("ctAnyMax");
export const DP_STATS_NAT: u32 = <u32>offsetof<StatsRecord>("nat");
export const DP_STATS_NAT_MAX: u32 = <u32>offsetof<StatsRecord>("natMax");
export const DP_STATS_AFFINITY: u32 = <u32>offsetof<StatsRecord>("affinity");
export const DP_STATS_AFFINITY_MAX: u32 = <u32>offsetof<StatsRecord>("affinityMax");
export const DP_STATS_GC_RUNS: u32 = <u32>offsetof<StatsRecord>("gcRuns");
export const DP_STATS_PACKETS: u32 = <u32>offsetof<StatsRecord>("packets");
export const DP_STATS_FORWARDED: u32 = <u32>offsetof<StatsRecord>("forwarded");
export const DP_STATS_DROPPED: u32 = <u32>offsetof<StatsRecord>("dropped");
export const DP_STATS_GC_CT_DELETED: u32 = <u32>offsetof<StatsRecord>("gcCtDeleted");
export const DP_STATS_GC_NAT_DELETED: u32 = <u32>offsetof<StatsRecord>("gcNatDeleted");
export const DP_STATS_CT_EVICTIONS: u32 = <u32>offsetof<StatsRecord>("ctEvictions");
export const DP_STATS_NAT_EVICTIONS: u32 = <u32>offsetof<StatsRecord>("natEvictions");
