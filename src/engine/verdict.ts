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

/**
 * How a packet leaves the node: natively routed (`none`; the IPv4 DSR option is no encapsulation),
 * in the overlay's VXLAN or Geneve tunnel (TUNNEL_PROTOCOL_*; DSR_ENCAP_GENEVE also uses Geneve), or
 * IPv4-in-IPv4 (DSR_ENCAP_IPIP).
 */
export type EncapType = "none" | "vxlan" | "geneve" | "ipip";
/** The EncapType names, indexed by the verdict record's encapsulation number (ENCAP_*). */
export const ENCAP_NAMES: readonly EncapType[] = ["none", "vxlan", "geneve", "ipip"];

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
  /**
   * Encapsulation the packet leaves with. The addresses and ports above are the inner header's: for
   * `ipip` that is the client -> service address (lb4_local's skip_l3_xlate), the backend being the
   * outer destination.
   */
  encap: EncapType;
  /** Outer IPv4 source (this node's address) and destination (tunnel endpoint, or the backend for IPIP); 0 without encapsulation. */
  outerSaddr: number;
  outerDaddr: number;
  /**
   * Bytes the encapsulation and DSR info add on the wire: VXLAN or Geneve 50 (outer Ethernet 14, IPv4
   * 20, UDP 8, tunnel header 8), Geneve with the DSR option 62, IPIP 20, the IPv4 DSR option 8.
   */
  encapOverhead: number;
  /**
   * DSR info is attached (Geneve option, IPv4 option, or the IPIP inner destination): the next node
   * receives the packet with `dsrAddr`/`dsrPort` as its PacketRecord's. TCP carries the options on
   * its SYN only.
   */
  dsr: boolean;
  /** The service address and port the DSR info carries (0 when `dsr` is false). */
  dsrAddr: number;
  dsrPort: number;
}
