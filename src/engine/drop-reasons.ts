// Names of the drop reasons the emulated datapath can report: Cilium's DROP_* macro
// (bpf/lib/drop_reasons.h, value = -code), Hubble's DropReason enum name (api/v1/flow/flow.proto)
// and the description Cilium's monitor prints (pkg/monitor/api/drop.go).

/** A drop reason by its code: Cilium's DROP_* name, Hubble's name and the monitor's description. */
export interface DropReasonInfo {
  code: number;
  cilium: string;
  hubble: string;
  description: string;
}

const REASONS: readonly DropReasonInfo[] = [
  { code: 132, cilium: "DROP_INVALID_SIP", hubble: "INVALID_SOURCE_IP", description: "Invalid source ip" },
  { code: 134, cilium: "DROP_INVALID", hubble: "INVALID_PACKET_DROPPED", description: "Invalid packet" },
  {
    code: 137,
    cilium: "DROP_CT_UNKNOWN_PROTO",
    hubble: "CT_UNKNOWN_L4_PROTOCOL",
    description: "CT: Unknown L4 protocol",
  },
  {
    code: 155,
    cilium: "DROP_CT_CREATE_FAILED",
    hubble: "CT_MAP_INSERTION_FAILED",
    description: "CT: Map insertion failed",
  },
  {
    code: 158,
    cilium: "DROP_NO_SERVICE",
    hubble: "SERVICE_BACKEND_NOT_FOUND",
    description: "Service backend not found",
  },
  {
    code: 160,
    cilium: "DROP_NO_TUNNEL_ENDPOINT",
    hubble: "NO_TUNNEL_OR_ENCAPSULATION_ENDPOINT",
    description: "No tunnel/encapsulation endpoint (datapath BUG!)",
  },
  {
    code: 167,
    cilium: "DROP_NAT_NO_MAPPING",
    hubble: "NO_MAPPING_FOR_NAT_MASQUERADE",
    description: "No mapping for NAT masquerade",
  },
  {
    code: 168,
    cilium: "DROP_NAT_UNSUPP_PROTO",
    hubble: "UNSUPPORTED_PROTOCOL_FOR_NAT_MASQUERADE",
    description: "Unsupported protocol for NAT masquerade",
  },
  { code: 174, cilium: "DROP_IS_CLUSTER_IP", hubble: "IS_A_CLUSTERIP", description: "Is a ClusterIP" },
  {
    code: 177,
    cilium: "DROP_NOT_IN_SRC_RANGE",
    hubble: "DENIED_BY_LB_SRC_RANGE_CHECK",
    description: "Denied by LB src range check",
  },
];

const byCode = new Map(REASONS.map((r) => [r.code, r]));

/** What a drop code means; unknown codes get a generic entry naming the number. */
export function dropReason(code: number): DropReasonInfo {
  return (
    byCode.get(code) ?? {
      code,
      cilium: `DROP_${code}`,
      hubble: "DROP_REASON_UNKNOWN",
      description: `Drop reason ${code}`,
    }
  );
}

/** Every reason the datapath can produce. */
export function knownDropReasons(): readonly DropReasonInfo[] {
  return REASONS;
}
