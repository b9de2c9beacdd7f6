// Map record layouts of the emulated node. Values mirror the fields of Cilium's structs that the
// datapath reads, in host byte order; see docs/datapath.md and src/datapath/state.ts for their
// meaning. They are host ABI: the host writes map entries in these layouts (api.ts) and reads them
// back (dump.ts), through src/wasm/codec.ts, which takes the offsets from the exported constants.

// CT tuple (also the SNAT map key, there in packet layout): ipv4_ct_tuple's field order.
export const TUPLE_SIZE: u32 = 14;
export const TUPLE_DADDR: u32 = 0;
export const TUPLE_SADDR: u32 = 4;
export const TUPLE_DPORT: u32 = 8;
export const TUPLE_SPORT: u32 = 10;
export const TUPLE_NEXTHDR: u32 = 12;
export const TUPLE_FLAGS: u32 = 13;

export const TUPLE_F_OUT: u8 = 0;
export const TUPLE_F_IN: u8 = 1;
export const TUPLE_F_RELATED: u8 = 2;
export const TUPLE_F_SERVICE: u8 = 4;

// CT entry.
export const CT_VALUE_SIZE: u32 = 32;
export const CT_LIFETIME: u32 = 0;
export const CT_FLAGS: u32 = 4;
export const CT_REV_NAT: u32 = 6;
export const CT_BACKEND: u32 = 8;
export const CT_SRC_SEC_ID: u32 = 12;
export const CT_TX_FLAGS_SEEN: u32 = 16;
export const CT_RX_FLAGS_SEEN: u32 = 17;
export const CT_LAST_TX_REPORT: u32 = 20;
export const CT_LAST_RX_REPORT: u32 = 24;

export const CTF_RX_CLOSING: u16 = 0x001;
export const CTF_TX_CLOSING: u16 = 0x002;
export const CTF_LB_LOOPBACK: u16 = 0x008;
export const CTF_SEEN_NON_SYN: u16 = 0x010;
export const CTF_NODE_PORT: u16 = 0x020;
/** dsr_internal: the flow reached this node's backend by DSR; its replies leave with the service address. */
export const CTF_DSR_INTERNAL: u16 = 0x080;

// SNAT entry.
export const NAT_VALUE_SIZE: u32 = 16;
export const NAT_CREATED: u32 = 0;
export const NAT_NEEDS_CT: u32 = 4;
export const NAT_ADDR: u32 = 8;
export const NAT_PORT: u32 = 12;

// lb4 service key / value.
export const SVC_KEY_SIZE: u32 = 12;
export const SVC_KEY_ADDR: u32 = 0;
export const SVC_KEY_PORT: u32 = 4;
export const SVC_KEY_SLOT: u32 = 6;
export const SVC_KEY_PROTO: u32 = 8;
export const SVC_KEY_SCOPE: u32 = 9;
export const SVC_VALUE_SIZE: u32 = 12;
export const SVC_UNION: u32 = 0;
export const SVC_COUNT: u32 = 4;
export const SVC_REV_NAT: u32 = 6;
export const SVC_FLAGS: u32 = 8;
export const SVC_FLAGS2: u32 = 9;
export const SVC_QCOUNT: u32 = 10;

export const SVC_F_NODEPORT: u8 = 0x02;
export const SVC_F_AFFINITY: u8 = 0x10;
export const SVC_F_ROUTABLE: u8 = 0x40;
export const SVC_F_SOURCE_RANGE: u8 = 0x80;
export const SVC_F2_TWO_SCOPES: u8 = 0x20;
export const SVC_F2_SOURCE_RANGE_DENY: u8 = 0x40;
export const AFFINITY_TIMEOUT_MASK: u32 = 0xffffff;
export const LB_ALGORITHM_SHIFT: u32 = 24;
export const LB_ALG_RANDOM: u32 = 1;
export const LB_ALG_MAGLEV: u32 = 2;

// lb4 backend value.
export const BACKEND_VALUE_SIZE: u32 = 12;
export const BACKEND_ADDR: u32 = 0;
export const BACKEND_PORT: u32 = 4;
export const BACKEND_PROTO: u32 = 6;
export const BACKEND_STATE: u32 = 7;
export const BE_STATE_ACTIVE: u8 = 0;

// Reverse NAT value.
export const REVNAT_VALUE_SIZE: u32 = 8;
export const REVNAT_ADDR: u32 = 0;
export const REVNAT_PORT: u32 = 4;

// Local endpoint value.
export const EP_VALUE_SIZE: u32 = 12;
export const EP_ID: u32 = 0;
export const EP_IDENTITY: u32 = 4;
export const EP_IS_HOST: u32 = 8;

// ipcache value.
export const IPCACHE_VALUE_SIZE: u32 = 12;
export const IPCACHE_IDENTITY: u32 = 0;
export const IPCACHE_TUNNEL: u32 = 4;
export const IPCACHE_FLAGS: u32 = 8;
export const IPCACHE_ENCRYPT_KEY: u32 = 9;
export const IPCACHE_F_SKIP_TUNNEL: u8 = 0x1;
export const IPCACHE_F_HAS_TUNNEL: u8 = 0x2;

// Key of an LPM map (ipcache, ip-masq) as the host writes and reads it: address, prefix length.
export const DP_LPM_KEY_SIZE: u32 = 8;
export const DP_LPM_KEY_ADDR: u32 = 0;
export const DP_LPM_KEY_PREFIX_LEN: u32 = 4;

// Maglev table reference: pointer to u32[m] and m.
export const MAGLEV_VALUE_SIZE: u32 = 8;

// Session affinity key {client, rev-NAT ID} and value {last used, backend}.
export const AFFINITY_KEY_SIZE: u32 = 8;
export const AFFINITY_KEY_CLIENT: u32 = 0;
export const AFFINITY_KEY_REV_NAT: u32 = 4;
export const AFFINITY_VALUE_SIZE: u32 = 8;
export const AFFINITY_LAST_USED: u32 = 0;
export const AFFINITY_BACKEND: u32 = 4;

// Source ranges: a flat list of {rev-NAT ID, prefix, mask}.
export const SRC_RANGE_RECORD_SIZE: u32 = 12;

// Reserved identities.
export const ID_HOST: u32 = 1;
export const ID_WORLD: u32 = 2;
export const ID_REMOTE_NODE: u32 = 6;
export const ID_KUBE_APISERVER: u32 = 7;

export const IPPROTO_ICMP: u8 = 1;
export const IPPROTO_TCP: u8 = 6;
export const IPPROTO_UDP: u8 = 17;

export const TCP_FIN: u8 = 0x01;
export const TCP_SYN: u8 = 0x02;
export const TCP_RST: u8 = 0x04;

export const ICMP_ECHOREPLY: u32 = 0;
export const ICMP_DEST_UNREACH: u32 = 3;
export const ICMP_ECHO: u32 = 8;
export const ICMP_TIME_EXCEEDED: u32 = 11;
export const ICMP_PARAMETERPROB: u32 = 12;

/** Trace report interval (CT_REPORT_INTERVAL) in seconds. */
export const CT_REPORT_INTERVAL: u32 = 5;
