// One entry of the BPF ipcache (`cilium_ipcache_v2`, older `cilium_ipcache`): an LPM prefix mapped to a
// security identity and, for remote pods/nodes in tunnel mode, a tunnel endpoint.
import type { IpPrefix } from "./ip-prefix.js";
import type { MapCacheStatus } from "./map-list.js";

/** The `flags=` bits of `remote_endpoint_info` (pkg/maps/ipcache). */
export interface IpcacheFlags {
  /** 0x1 `skiptunnel`: never encapsulate towards this prefix. */
  readonly skipTunnel: boolean;
  /** 0x2 `hastunnel`: `tunnelEndpoint` is set. */
  readonly hasTunnel: boolean;
  /** 0x4 `ipv6tunnel`: the tunnel endpoint is an IPv6 address. */
  readonly ipv6Tunnel: boolean;
  /** 0x8 `remotecluster`: the prefix belongs to another cluster (ClusterMesh). */
  readonly remoteCluster: boolean;
}

/** One ipcache entry: prefix, identity, tunnel endpoint and flags. */
export interface IpcacheEntry {
  readonly prefix: IpPrefix;
  /** ClusterMesh cluster ID of the key (`prefix@ID`); 0 for the local cluster. */
  readonly clusterId: number;
  readonly identity: number;
  /** IPsec/WireGuard key index (`encryptkey=`). */
  readonly encryptKey: number;
  /** `0.0.0.0` when the entry has no tunnel endpoint. */
  readonly tunnelEndpoint: string;
  readonly flags: IpcacheFlags;
  /** False for agents whose value string has no `flags=` field (older releases). */
  readonly flagsPrinted: boolean;
  /** Present for `map get` dumps: the agent's cache state and last error for this entry. */
  readonly cache?: MapCacheStatus;
}

/** Flag names in the order the agent prints them, with their bit values. */
export const IPCACHE_FLAG_NAMES = [
  ["skiptunnel", 0x1],
  ["hastunnel", 0x2],
  ["ipv6tunnel", 0x4],
  ["remotecluster", 0x8],
] as const;

/** The u8 flag byte of the BPF value. */
export function ipcacheFlagBits(flags: IpcacheFlags): number {
  return (
    (flags.skipTunnel ? 0x1 : 0) |
    (flags.hasTunnel ? 0x2 : 0) |
    (flags.ipv6Tunnel ? 0x4 : 0) |
    (flags.remoteCluster ? 0x8 : 0)
  );
}

/** The ipcache flags of a BPF value's flag byte. */
export function ipcacheFlagsFromBits(bits: number): IpcacheFlags {
  return {
    skipTunnel: (bits & 0x1) !== 0,
    hasTunnel: (bits & 0x2) !== 0,
    ipv6Tunnel: (bits & 0x4) !== 0,
    remoteCluster: (bits & 0x8) !== 0,
  };
}
