// The datapath's named codes, one definition each: verdicts, observation points, CT lookup results,
// conntrack directions and scopes, NAT results and drop reasons. The reference twin keeps the same
// names in src/reference/datapath/constants.ts. Record layouts (field offsets and sizes) and the
// flag bits stored in map values live in layout.ts and records.ts.

// ---- verdicts (Hubble Verdict) ---------------------------------------------------------------------
export const VERDICT_FORWARDED: u8 = 1;
export const VERDICT_DROPPED: u8 = 2;

// ---- observation points (Hubble TraceObservationPoint) ---------------------------------------------
export const OBS_TO_STACK: u8 = 3;
export const OBS_FROM_ENDPOINT: u8 = 5;
export const OBS_FROM_OVERLAY: u8 = 9;
export const OBS_FROM_NETWORK: u8 = 10;
export const OBS_TO_OVERLAY: u8 = 4;
export const OBS_TO_NETWORK: u8 = 11;
export const OBS_TO_ENDPOINT: u8 = 101;

// ---- conntrack lookup results (CT_NEW ... in bpf/lib/conntrack.h) ----------------------------------
export const CT_NEW: u8 = 0;
export const CT_ESTABLISHED: u8 = 1;
export const CT_REPLY: u8 = 2;
export const CT_RELATED: u8 = 3;
/** A verdict's service CT state when the packet had no service lookup. */
export const SERVICE_CT_NONE: u8 = 0xff;

// ---- conntrack directions (CT_EGRESS, CT_INGRESS, CT_SERVICE) and lookup scopes (SCOPE_*) ---------
export const DIR_EGRESS: u32 = 0;
export const DIR_INGRESS: u32 = 1;
export const DIR_SERVICE: u32 = 2;
export const SCOPE_FORWARD: u32 = 0;
export const SCOPE_REVERSE: u32 = 1;
export const SCOPE_BIDIR: u32 = 2;

// ---- SNAT results (NAT_PUNT_TO_STACK and friends) ---------------------------------------------------
/** The packet was translated. */
export const NAT_APPLIED: i32 = 0;
/** The packet is not translated and continues unchanged. */
export const NAT_PUNT: i32 = 1;
/** The port range of ICMP echo identifiers (snat_v4_nat takes the whole 16-bit space). */
export const NAT_ICMP_ID_MIN: u32 = 0;
export const NAT_ICMP_ID_MAX: u32 = 0xffff;

// ---- encapsulation overheads in bytes (the encap_len of encap_geneve_dsr_opt4) --------------------
/** VXLAN or Geneve: outer Ethernet 14 + IPv4 20 + UDP 8 + tunnel header 8. */
export const TUNNEL_OVERHEAD: u32 = 50;
/** struct geneve_dsr_opt4: option header 4 + service address 4 + port 2 + padding 2. */
export const GENEVE_DSR_OPT_LEN: u32 = 12;
/** The outer IPv4 header of DSR_ENCAP_IPIP. */
export const IPIP_OVERHEAD: u32 = 20;
/** struct dsr_opt_v4 (DSR_ENCAP_NONE): type, length, port, address. */
export const DSR_IPV4_OPT_LEN: u32 = 8;

// ---- identities ----------------------------------------------------------------------------------------
/** Numeric identities carry their scope in the top byte (pkg/identity NumericIdentity.Scope()). */
export const IDENTITY_SCOPE_SHIFT: u32 = 24;
/** IdentityScopeRemoteNode >> 24: per-node remote-node identities. */
export const IDENTITY_SCOPE_REMOTE_NODE: u32 = 2;

// ---- drop reasons (bpf/lib/drop_reasons.h, positive) ---------------------------------------------------
export const DROP_INVALID_SIP: u8 = 132;
export const DROP_INVALID: u8 = 134;
export const DROP_CT_UNKNOWN_PROTO: u8 = 137;
export const DROP_CT_CREATE_FAILED: u8 = 155;
export const DROP_NO_SERVICE: u8 = 158;
export const DROP_NO_TUNNEL_ENDPOINT: u8 = 160;
export const DROP_NAT_NO_MAPPING: u8 = 167;
export const DROP_NAT_UNSUPP_PROTO: u8 = 168;
export const DROP_IS_CLUSTER_IP: u8 = 174;
export const DROP_NOT_IN_SRC_RANGE: u8 = 177;
