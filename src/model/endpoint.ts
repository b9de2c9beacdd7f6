// One row group of `cilium-dbg endpoint list`: a local endpoint (pod, host, health) on the node.

/** The POLICY (ingress) / POLICY (egress) ENFORCEMENT cells. */
export type PolicyEnforcement = "Enabled" | "Disabled" | "Disabled (Audit)" | "Unknown";

/** One local endpoint as `endpoint list` prints it. */
export interface EndpointEntry {
  /** Endpoint ID (u16). */
  readonly id: number;
  readonly policyIngress: PolicyEnforcement;
  readonly policyEgress: PolicyEnforcement;
  /** Security identity; null when the agent printed `<no label id>`. */
  readonly identity: number | null;
  /** Security-relevant labels, `source:key[=value]`; empty when the agent printed `no labels`. */
  readonly labels: readonly string[];
  /**
   * `assigned`: the IPv4/IPv6 cells hold the endpoint's addresses (either may be empty);
   * `none`: the agent printed `No address`; `unknown`: it printed `Unknown` (no networking status).
   */
  readonly addressing: "assigned" | "none" | "unknown";
  readonly ipv4: string | null;
  readonly ipv6: string | null;
  /** Endpoint state, e.g. `ready`, `waiting-for-identity`, `regenerating`, `Unknown`. */
  readonly status: string;
}
