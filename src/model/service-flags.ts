// The lb4_service flag bytes and their rendering, as Cilium defines them (pkg/loadbalancer
// ServiceFlags: the combined value is flags | flags2 << 8; String() lists the type first, then
// the attributes in a fixed order).

/** A frontend's type, as the service flags encode it. */
export type ServiceType =
  "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalIPs" | "HostPort" | "LocalRedirect";

export const SERVICE_TYPES: readonly ServiceType[] = [
  "ClusterIP",
  "NodePort",
  "LoadBalancer",
  "ExternalIPs",
  "HostPort",
  "LocalRedirect",
];

/** Bits of the combined 16-bit value (flags in the low byte, flags2 in the high byte). */
export const ServiceFlag = {
  ExternalIPs: 1 << 0,
  NodePort: 1 << 1,
  ExtLocalScope: 1 << 2,
  HostPort: 1 << 3,
  SessionAffinity: 1 << 4,
  LoadBalancer: 1 << 5,
  Routable: 1 << 6,
  SourceRange: 1 << 7,
  LocalRedirect: 1 << 8,
  Nat46x64: 1 << 9,
  L7LoadBalancer: 1 << 10,
  Loopback: 1 << 11,
  IntLocalScope: 1 << 12,
  TwoScopes: 1 << 13,
  /** Quarantined on a backend slot, SourceRangeDeny on the master entry: one bit, two meanings. */
  QuarantinedOrDeny: 1 << 14,
  FwdModeDSR: 1 << 15,
} as const;

/** The frontend type the flags encode, in Cilium's priority order. */
export function serviceTypeOf(combined: number): ServiceType {
  if (combined & ServiceFlag.ExternalIPs) return "ExternalIPs";
  if (combined & ServiceFlag.NodePort) return "NodePort";
  if (combined & ServiceFlag.LoadBalancer) return "LoadBalancer";
  if (combined & ServiceFlag.HostPort) return "HostPort";
  if (combined & ServiceFlag.LocalRedirect) return "LocalRedirect";
  return "ClusterIP";
}

const TYPE_BITS: Readonly<Record<ServiceType, number>> = {
  ClusterIP: 0,
  NodePort: ServiceFlag.NodePort,
  LoadBalancer: ServiceFlag.LoadBalancer,
  ExternalIPs: ServiceFlag.ExternalIPs,
  HostPort: ServiceFlag.HostPort,
  LocalRedirect: ServiceFlag.LocalRedirect,
};

export function serviceTypeBits(type: ServiceType): number {
  return TYPE_BITS[type];
}

/** The items of Cilium's ServiceFlags.String(), e.g. ["ClusterIP", "non-routable"]. */
export function flagNames(combined: number): string[] {
  const type = serviceTypeOf(combined);
  const names: string[] = [type];
  let seenDeny = false;
  if (combined & ServiceFlag.ExtLocalScope) names.push("Local");
  if (combined & ServiceFlag.IntLocalScope) names.push("InternalLocal");
  if (combined & ServiceFlag.TwoScopes) names.push("two-scopes");
  if (combined & ServiceFlag.SessionAffinity) names.push("sessionAffinity");
  if (!(combined & ServiceFlag.Routable)) names.push("non-routable");
  if (combined & ServiceFlag.SourceRange) {
    names.push("check source-range");
    if (combined & ServiceFlag.QuarantinedOrDeny) {
      seenDeny = true;
      names.push("deny");
    }
  }
  if (combined & ServiceFlag.Nat46x64) names.push("46x64");
  if (combined & ServiceFlag.L7LoadBalancer) names.push("l7-load-balancer");
  if (combined & ServiceFlag.Loopback) names.push(type === "HostPort" ? "loopback" : "delegate-if-local");
  if (!seenDeny && combined & ServiceFlag.QuarantinedOrDeny) names.push("quarantined");
  if (combined & ServiceFlag.FwdModeDSR) names.push("dsr");
  return names;
}

const ATTRIBUTE_BITS: Readonly<Record<string, number>> = {
  Local: ServiceFlag.ExtLocalScope,
  InternalLocal: ServiceFlag.IntLocalScope,
  "two-scopes": ServiceFlag.TwoScopes,
  sessionAffinity: ServiceFlag.SessionAffinity,
  "check source-range": ServiceFlag.SourceRange,
  deny: ServiceFlag.QuarantinedOrDeny,
  "46x64": ServiceFlag.Nat46x64,
  "l7-load-balancer": ServiceFlag.L7LoadBalancer,
  loopback: ServiceFlag.Loopback,
  "delegate-if-local": ServiceFlag.Loopback,
  quarantined: ServiceFlag.QuarantinedOrDeny,
  dsr: ServiceFlag.FwdModeDSR,
};

/**
 * Inverts flagNames: the combined value whose rendering is `names`, or undefined when an item is
 * unknown. ROUTABLE is set unless "non-routable" is listed (old releases that predate the bit
 * never print "non-routable", so their frontends read as routable).
 */
export function flagsFromNames(names: readonly string[]): number | undefined {
  const [type, ...attributes] = names;
  if (type === undefined || !(SERVICE_TYPES as readonly string[]).includes(type)) return undefined;
  let combined = TYPE_BITS[type as ServiceType] | ServiceFlag.Routable;
  for (const attribute of attributes) {
    if (attribute === "non-routable") {
      combined &= ~ServiceFlag.Routable;
      continue;
    }
    const bit = ATTRIBUTE_BITS[attribute];
    if (bit === undefined) return undefined;
    combined |= bit;
  }
  return combined;
}
