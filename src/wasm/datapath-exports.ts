// Raw exports of the datapath area (assembly/datapath): record layouts as constants, node handles,
// map writes, batch processing, garbage collection and statistics. Addresses are host-order u32.

export interface DatapathExports {
  readonly PACKET_RECORD_SIZE: WebAssembly.Global;
  readonly PACKET_SECONDS: WebAssembly.Global;
  readonly PACKET_NANOSECONDS: WebAssembly.Global;
  readonly PACKET_SADDR: WebAssembly.Global;
  readonly PACKET_DADDR: WebAssembly.Global;
  readonly PACKET_SPORT: WebAssembly.Global;
  readonly PACKET_DPORT: WebAssembly.Global;
  readonly PACKET_PROTO: WebAssembly.Global;
  readonly PACKET_TCP_FLAGS: WebAssembly.Global;
  readonly PACKET_ENTRY: WebAssembly.Global;
  readonly PACKET_ICMP_TYPE: WebAssembly.Global;
  readonly PACKET_ICMP_CODE: WebAssembly.Global;
  readonly PACKET_LENGTH: WebAssembly.Global;
  readonly ENTRY_UNKNOWN: WebAssembly.Global;
  readonly ENTRY_FROM_ENDPOINT: WebAssembly.Global;
  readonly ENTRY_FROM_NETWORK: WebAssembly.Global;
  readonly ENTRY_FROM_OVERLAY: WebAssembly.Global;
  readonly VERDICT_RECORD_SIZE: WebAssembly.Global;
  readonly VERDICT_VERDICT: WebAssembly.Global;
  readonly VERDICT_DROP_REASON: WebAssembly.Global;
  readonly VERDICT_OBS_POINT: WebAssembly.Global;
  readonly VERDICT_CT_STATE: WebAssembly.Global;
  readonly VERDICT_FLAGS: WebAssembly.Global;
  readonly VERDICT_REV_NAT_ID: WebAssembly.Global;
  readonly VERDICT_BACKEND_ID: WebAssembly.Global;
  readonly VERDICT_SADDR: WebAssembly.Global;
  readonly VERDICT_DADDR: WebAssembly.Global;
  readonly VERDICT_SPORT: WebAssembly.Global;
  readonly VERDICT_DPORT: WebAssembly.Global;
  readonly VERDICT_SRC_IDENTITY: WebAssembly.Global;
  readonly VERDICT_DST_IDENTITY: WebAssembly.Global;
  readonly VERDICT_TUNNEL_ENDPOINT: WebAssembly.Global;
  readonly VERDICT_SERVICE_CT_STATE: WebAssembly.Global;
  readonly VERDICT_DST_ENDPOINT: WebAssembly.Global;
  readonly VERDICT_FORWARDED: WebAssembly.Global;
  readonly VERDICT_DROPPED: WebAssembly.Global;
  readonly OBS_TO_STACK: WebAssembly.Global;
  readonly OBS_FROM_ENDPOINT: WebAssembly.Global;
  readonly OBS_FROM_OVERLAY: WebAssembly.Global;
  readonly OBS_FROM_NETWORK: WebAssembly.Global;
  readonly OBS_TO_OVERLAY: WebAssembly.Global;
  readonly OBS_TO_NETWORK: WebAssembly.Global;
  readonly OBS_TO_ENDPOINT: WebAssembly.Global;
  readonly CT_NEW: WebAssembly.Global;
  readonly CT_ESTABLISHED: WebAssembly.Global;
  readonly CT_REPLY: WebAssembly.Global;
  readonly CT_RELATED: WebAssembly.Global;
  readonly SERVICE_CT_NONE: WebAssembly.Global;
  readonly VFLAG_SERVICE: WebAssembly.Global;
  readonly VFLAG_DNAT: WebAssembly.Global;
  readonly VFLAG_SNAT: WebAssembly.Global;
  readonly VFLAG_REV_NAT: WebAssembly.Global;
  readonly VFLAG_REV_SNAT: WebAssembly.Global;
  readonly VFLAG_LOOPBACK: WebAssembly.Global;
  readonly VFLAG_NODEPORT: WebAssembly.Global;
  readonly VFLAG_AFFINITY: WebAssembly.Global;
  readonly VFLAG_UNTRACKED: WebAssembly.Global;
  readonly VFLAG_RESELECTED: WebAssembly.Global;
  readonly VFLAG_WILDCARD: WebAssembly.Global;
  readonly VFLAG_MAGLEV: WebAssembly.Global;
  readonly VFLAG_SELECTED: WebAssembly.Global;
  readonly DROP_INVALID_SIP: WebAssembly.Global;
  readonly DROP_CT_UNKNOWN_PROTO: WebAssembly.Global;
  readonly DROP_CT_CREATE_FAILED: WebAssembly.Global;
  readonly DROP_NO_SERVICE: WebAssembly.Global;
  readonly DROP_NAT_NO_MAPPING: WebAssembly.Global;
  readonly DROP_IS_CLUSTER_IP: WebAssembly.Global;
  readonly DROP_NOT_IN_SRC_RANGE: WebAssembly.Global;
  readonly DP_STATS_SIZE: WebAssembly.Global;
  dpCreate(
    ctTcpMax: number,
    ctAnyMax: number,
    natMax: number,
    affinityMax: number,
    servicesMax: number,
    backendsMax: number,
    ipcacheMax: number,
    endpointsMax: number,
    seed: number,
  ): number;
  dpDestroy(h: number): void;
  dpConfigure(
    h: number,
    masqueradeAddress: number,
    directRoutingAddress: number,
    routerAddress: number,
    loopbackAddress: number,
    nativeCidrPrefix: number,
    nativeCidrMask: number,
    hasNativeCidr: number,
    tunnelMode: number,
    bpfHostRouting: number,
    masquerade: number,
    ipMasqAgent: number,
    serviceProtocols: number,
  ): void;
  dpConfigureLb(
    h: number,
    natPortMin: number,
    natPortMax: number,
    snatRetries: number,
    nodeAlgorithm: number,
    algorithmOverride: number,
    jhashSeed: number,
    flowHashPacking: number,
    gcInterval: number,
  ): void;
  dpConfigureTimeouts(
    h: number,
    regularTcp: number,
    regularAny: number,
    serviceTcp: number,
    serviceAny: number,
    tcpSyn: number,
    tcpClose: number,
    serviceCloseRebalance: number,
  ): void;
  dpSeed(h: number, seed: number): void;
  dpSetRandomPerFlow(h: number, on: number): void;
  dpServiceUpdate(
    h: number,
    address: number,
    port: number,
    proto: number,
    scope: number,
    slot: number,
    unionWord: number,
    count: number,
    qcount: number,
    revNat: number,
    flags: number,
    flags2: number,
  ): number;
  dpServiceDelete(
    h: number,
    address: number,
    port: number,
    proto: number,
    scope: number,
    slot: number,
  ): number;
  dpBackendUpdate(h: number, id: number, address: number, port: number, proto: number, state: number): number;
  dpBackendDelete(h: number, id: number): number;
  dpRevNatUpdate(h: number, id: number, address: number, port: number): number;
  dpRevNatDelete(h: number, id: number): number;
  dpEndpointUpdate(h: number, address: number, endpointId: number, identity: number, isHost: number): number;
  dpIpcacheUpdate(
    h: number,
    prefix: number,
    prefixLen: number,
    identity: number,
    tunnelEndpoint: number,
    flags: number,
    encryptKey: number,
  ): number;
  dpIpMasqAdd(h: number, prefix: number, prefixLen: number): number;
  dpSourceRangeAdd(h: number, revNat: number, prefix: number, prefixLen: number): number;
  dpMaglevSet(h: number, revNat: number, table: number, m: number): number;
  dpCtInsert(
    h: number,
    daddr: number,
    saddr: number,
    dport: number,
    sport: number,
    nexthdr: number,
    tupleFlags: number,
    lifetime: number,
    flags: number,
    revNat: number,
    backendId: number,
    srcSecId: number,
    txFlagsSeen: number,
    rxFlagsSeen: number,
    lastTxReport: number,
    lastRxReport: number,
  ): number;
  dpNatInsert(
    h: number,
    saddr: number,
    daddr: number,
    sport: number,
    dport: number,
    nexthdr: number,
    tupleFlags: number,
    created: number,
    needsCt: number,
    address: number,
    port: number,
  ): number;
  dpProcess(h: number, packets: number, n: number, verdicts: number): void;
  dpGc(h: number, now: number): void;
  dpStats(h: number, out: number): void;
}
