// dpemu public API.
export { loadWasm, WasmInstance, type WasmSource } from "./wasm/module.js";

// Node-state models read from cilium-dbg dumps (ipcache, identities, conntrack, NAT, ip-masq,
// socket rev-NAT, endpoints, maps).
export { formatPrefix, type IpFamily, type IpPrefix, type L4Address } from "./model/ip-prefix.js";
export {
  IPCACHE_FLAG_NAMES,
  ipcacheFlagBits,
  ipcacheFlagsFromBits,
  type IpcacheEntry,
  type IpcacheFlags,
} from "./model/ipcache.js";
export type { IdentityEntry } from "./model/ip-list.js";
export { CT_FLAG_BITS, type CtDirection, type CtEntry, type CtValueLayout } from "./model/ct.js";
export type { NatEntry, NatValueLayout } from "./model/nat.js";
export type { IpmasqEntry } from "./model/ipmasq.js";
export type { SocknatEntry } from "./model/socknat.js";
export type { EndpointEntry, PolicyEnforcement } from "./model/endpoint.js";
export type { MapCacheRow, MapCacheStatus, MapListEntry } from "./model/map-list.js";
