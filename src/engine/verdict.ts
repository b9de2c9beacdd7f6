// What the datapath produces per packet, as a host object (the binary verdict record behind it is
// defined in assembly/datapath/records.ts; src/wasm/datapath.ts converts). Packets come in as
// PacketRecords (src/model/packet.ts).

/** Hubble's observation point names, by TraceObservationPoint number. */
export const OBSERVATION_POINT_NAMES: Readonly<Record<number, string>> = {
  3: "TO_STACK",
  4: "TO_OVERLAY",
  5: "FROM_ENDPOINT",
  9: "FROM_OVERLAY",
  10: "FROM_NETWORK",
  11: "TO_NETWORK",
  101: "TO_ENDPOINT",
};

/** The conntrack state a packet was seen in. */
export type CtState = "new" | "established" | "reply" | "related";
/** The CtState names, indexed by the verdict record's CT state number. */
export const CT_STATE_NAMES: readonly CtState[] = ["new", "established", "reply", "related"];

/** The datapath's decision for one packet. */
export interface DatapathVerdict {
  verdict: "FORWARDED" | "DROPPED";
  /** Cilium's drop reason code (positive), 0 when forwarded. */
  dropReason: number;
  /** Hubble TraceObservationPoint number: where the packet went, or where it was dropped. */
  observationPoint: number;
  ctState: CtState;
  /** VFLAG_* bits (names from the module, see verdictFlagNames). */
  flags: number;
  revNatId: number;
  backendId: number;
  /** The packet after every translation. */
  saddr: number;
  daddr: number;
  sport: number;
  dport: number;
  srcIdentity: number;
  dstIdentity: number;
  tunnelEndpoint: number;
  /** Service CT lookup result: a new service flow, an existing one, or none (not a service packet). */
  serviceCt: "new" | "existing" | null;
  /** Local endpoint ID the packet was delivered to, 0 if none. */
  dstEndpointId: number;
}
