// What Hubble itself reported about a flow, kept beside the packet record so a replay can put the
// emulated verdict next to the observed one. Field values are Hubble's enum names as printed in its
// JSON (api/v1/flow/flow.proto); an absent field is "" or 0, as protobuf-JSON omits zero values.

/**
 * What Hubble observed for a flow (its verdict, drop reason, translation), kept beside the emulated
 * verdict.
 */
export interface ObservedFlow {
  /** FORWARDED, DROPPED, ERROR, AUDIT, REDIRECTED, TRACED, TRANSLATED ("" = VERDICT_UNKNOWN). */
  verdict: string;
  /** Datapath drop code without sign (deprecated `drop_reason` number), 0 when not dropped. */
  dropReason: number;
  /** `drop_reason_desc` enum name, e.g. POLICY_DENIED. */
  dropReasonDesc: string;
  /** `trace_observation_point`, e.g. TO_ENDPOINT, FROM_NETWORK. */
  observationPoint: string;
  /** `trace_reason`: NEW, ESTABLISHED, REPLY, RELATED, REOPENED... */
  traceReason: string;
  /** INGRESS, EGRESS or TRAFFIC_DIRECTION_UNKNOWN. */
  trafficDirection: string;
  /** `event_type.type` (1 drop, 4 trace, 5 policy verdict...) and `event_type.sub_type`. */
  eventType: number;
  eventSubType: number;
  /** Security identities of both ends (0 when absent). */
  sourceIdentity: number;
  destinationIdentity: number;
  /** Local endpoint IDs of both ends (0 when the end is not a local endpoint). */
  sourceEndpointId: number;
  destinationEndpointId: number;
  /** Node that observed the flow. */
  nodeName: string;
  /** Interface the packet was seen on, when Hubble names it. */
  interfaceName: string;
}

export function createObservedFlow(): ObservedFlow {
  return {
    verdict: "",
    dropReason: 0,
    dropReasonDesc: "",
    observationPoint: "",
    traceReason: "",
    trafficDirection: "",
    eventType: 0,
    eventSubType: 0,
    sourceIdentity: 0,
    destinationIdentity: 0,
    sourceEndpointId: 0,
    destinationEndpointId: 0,
    nodeName: "",
    interfaceName: "",
  };
}
