// The reference datapath's named codes, one definition each: verdicts, observation points, CT lookup
// results, conntrack directions and scopes, NAT results and drop reasons, with the same names and
// values as assembly/datapath/constants.ts (test/reference/mirror.test.ts compares them). Record
// layouts and the flag bits stored in map values live in node.ts.

// ---- verdicts (Hubble Verdict) ---------------------------------------------------------------------
export const VERDICT_FORWARDED = 1;
export const VERDICT_DROPPED = 2;

// ---- observation points (Hubble TraceObservationPoint) ---------------------------------------------
export const OBS_TO_STACK = 3;
export const OBS_FROM_ENDPOINT = 5;
export const OBS_FROM_OVERLAY = 9;
export const OBS_FROM_NETWORK = 10;
export const OBS_TO_OVERLAY = 4;
export const OBS_TO_NETWORK = 11;
export const OBS_TO_ENDPOINT = 101;

// ---- conntrack lookup results (CT_NEW ... in bpf/lib/conntrack.h) ----------------------------------
export const CT_NEW = 0;
export const CT_ESTABLISHED = 1;
export const CT_REPLY = 2;
export const CT_RELATED = 3;
/** A verdict's service CT state when the packet had no service lookup. */
export const SERVICE_CT_NONE = 0xff;

// ---- conntrack directions (CT_EGRESS, CT_INGRESS, CT_SERVICE) and lookup scopes (SCOPE_*) ---------
export const DIR_EGRESS = 0;
export const DIR_INGRESS = 1;
export const DIR_SERVICE = 2;
export const SCOPE_FORWARD = 0;
export const SCOPE_REVERSE = 1;
export const SCOPE_BIDIR = 2;

// ---- SNAT results (NAT_PUNT_TO_STACK and friends) ---------------------------------------------------
/** The packet was translated. */
export const NAT_APPLIED = 0;
/** The packet is not translated and continues unchanged. */
export const NAT_PUNT = 1;
/** The port range of ICMP echo identifiers (snat_v4_nat takes the whole 16-bit space). */
export const NAT_ICMP_ID_MIN = 0;
export const NAT_ICMP_ID_MAX = 0xffff;

// ---- encapsulation overheads in bytes (the encap_len of encap_geneve_dsr_opt4) --------------------
/** VXLAN or Geneve: outer Ethernet 14 + IPv4 20 + UDP 8 + tunnel header 8. */
export const TUNNEL_OVERHEAD = 50;
/** struct geneve_dsr_opt4: option header 4 + service address 4 + port 2 + padding 2. */
export const GENEVE_DSR_OPT_LEN = 12;
/** The outer IPv4 header of DSR_ENCAP_IPIP. */
export const IPIP_OVERHEAD = 20;
/** struct dsr_opt_v4 (DSR_ENCAP_NONE): type, length, port, address. */
export const DSR_IPV4_OPT_LEN = 8;

// ---- identities ----------------------------------------------------------------------------------------
/** Numeric identities carry their scope in the top byte (pkg/identity NumericIdentity.Scope()). */
export const IDENTITY_SCOPE_SHIFT = 24;
/** IdentityScopeRemoteNode >> 24: per-node remote-node identities. */
export const IDENTITY_SCOPE_REMOTE_NODE = 2;

// ---- drop reasons (bpf/lib/drop_reasons.h, positive) ---------------------------------------------------
export const DROP_INVALID_SIP = 132;
export const DROP_INVALID = 134;
export const DROP_CT_UNKNOWN_PROTO = 137;
export const DROP_CT_CREATE_FAILED = 155;
export const DROP_NO_SERVICE = 158;
export const DROP_NO_TUNNEL_ENDPOINT = 160;
export const DROP_NAT_NO_MAPPING = 167;
export const DROP_NAT_UNSUPP_PROTO = 168;
export const DROP_IS_CLUSTER_IP = 174;
export const DROP_NOT_IN_SRC_RANGE = 177;
