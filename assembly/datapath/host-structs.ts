// The host records whose layout is an AssemblyScript struct: records.ts exports their size and field
// offsets (offsetof), and api.ts reads and writes them as fields. Kept apart from records.ts because
// the module exports what records.ts exports, and a class cannot be a Wasm export.

/**
 * Input of dpCreate: one record instead of ~40 scalar arguments; the host fills it from EngineConfig
 * (src/datapath/engine.ts). Capacities of 0 take Cilium's defaults; booleans are u8 0/1.
 */
@unmanaged
export class NodeConfigRecord {
  ctTcpMax: u32;
  ctAnyMax: u32;
  natMax: u32;
  affinityMax: u32;
  servicesMax: u32;
  backendsMax: u32;
  ipcacheMax: u32;
  endpointsMax: u32;
  seed: u32;
  masqueradeAddress: u32;
  directRoutingAddress: u32;
  routerAddress: u32;
  loopbackAddress: u32;
  nativeCidrPrefix: u32;
  nativeCidrMask: u32;
  natPortMin: u32;
  natPortMax: u32;
  snatRetries: u32;
  nodeAlgorithm: u32;
  algorithmOverride: u32;
  jhashSeed: u32;
  flowHashPacking: u32;
  gcInterval: u32;
  timeoutRegularTcp: u32;
  timeoutRegularAny: u32;
  timeoutServiceTcp: u32;
  timeoutServiceAny: u32;
  timeoutTcpSyn: u32;
  timeoutTcpClose: u32;
  timeoutServiceCloseRebalance: u32;
  hasNativeCidr: u8;
  tunnelMode: u8;
  bpfHostRouting: u8;
  masquerade: u8;
  ipMasqAgent: u8;
  serviceProtocols: u8;
  randomPerFlow: u8;
  /** NODEPORT_MODE_* (records.ts). */
  nodePortMode: u8;
  /** DSR_DISPATCH_* (records.ts). */
  dsrDispatch: u8;
  /** ENCAP_VXLAN or ENCAP_GENEVE: the tunnel protocol in tunnel mode. */
  tunnelProtocol: u8;
}

/** Output of dpStats. */
@unmanaged
export class StatsRecord {
  /** Entries and capacity of ct4_global, ct_any4_global, the SNAT map and the affinity map. */
  ctTcp: u32;
  ctTcpMax: u32;
  ctAny: u32;
  ctAnyMax: u32;
  nat: u32;
  natMax: u32;
  affinity: u32;
  affinityMax: u32;
  gcRuns: u32;
  packets: u64;
  forwarded: u64;
  dropped: u64;
  gcCtDeleted: u64;
  gcNatDeleted: u64;
  ctEvictions: u64;
  natEvictions: u64;
}
