// The agent settings that change datapath decisions, gathered from `status --verbose` and from
// configuration dumps (`cilium-dbg config --all`, the cilium-config ConfigMap). Every field is
// optional: a snapshot only knows what its dumps show.

export type KubeProxyReplacementMode = "SNAT" | "DSR" | "Hybrid";
export type BackendSelection = "Random" | "Maglev";
export type RoutingMode = "tunnel" | "native";
export type DsrDispatch = "opt" | "ipip" | "geneve";

export interface NodePortRange {
  readonly min: number;
  readonly max: number;
}

/** BPF map capacities (max entries) where a dump shows them. */
export interface MapSizes {
  readonly ctTcp?: number;
  readonly ctAny?: number;
  readonly nat?: number;
  readonly lbServices?: number;
  readonly lbBackends?: number;
  readonly lbRevNat?: number;
  readonly lbAffinity?: number;
  readonly ipcache?: number;
  readonly ipmasq?: number;
  readonly sockRevNat?: number;
}

/** The agent configuration a snapshot shows (status, config dumps): what decides the datapath's behaviour. */
export interface AgentConfig {
  readonly ciliumVersion?: string;
  /** `True`/`False`, or the pre-1.14 `Strict`/`Partial`/`Probe`/`Disabled`. */
  readonly kubeProxyReplacement?: string;
  /** IPv4 addresses of the KPR devices (`status --verbose` Devices line): this node's own. */
  readonly deviceAddresses?: readonly string[];
  readonly kprMode?: KubeProxyReplacementMode;
  readonly dsrDispatch?: DsrDispatch;
  readonly backendSelection?: BackendSelection;
  readonly maglevTableSize?: number;
  /** bpf-lb-maglev-hash-seed: base64 of 12 bytes. */
  readonly maglevHashSeed?: string;
  readonly sessionAffinity?: boolean;
  readonly socketLb?: boolean;
  readonly socketLbHostnsOnly?: boolean;
  readonly externalClusterIp?: boolean;
  readonly routingMode?: RoutingMode;
  readonly tunnelProtocol?: string;
  readonly tunnelPort?: number;
  readonly ipv4NativeRoutingCidr?: string;
  readonly bpfMasquerade?: boolean;
  readonly ipv4Masquerade?: boolean;
  readonly ipMasqAgent?: boolean;
  readonly nodePortRange?: NodePortRange;
  readonly clusterName?: string;
  readonly clusterId?: number;
  readonly mapSizes?: MapSizes;
}

/** Combines configs; fields of `later` win over `earlier`, map sizes merge field by field. */
export function mergeAgentConfig(earlier: AgentConfig, later: AgentConfig): AgentConfig {
  const mapSizes = { ...earlier.mapSizes, ...later.mapSizes };
  return {
    ...earlier,
    ...later,
    ...(Object.keys(mapSizes).length > 0 ? { mapSizes } : {}),
  };
}
