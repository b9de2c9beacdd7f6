// The Go String() forms of the ipcache map key and value (pkg/maps/ipcache), shared by
// `bpf ipcache list` and `map get cilium_ipcache_v2` / `cilium_ipcache`:
//   key   `<prefix>` or `<prefix>@<clusterID>` (ClusterMesh)
//   value `identity=<n> encryptkey=<n> tunnelendpoint=<ip> flags=<a,b|<none>>` (older agents: no flags=)
import {
  IPCACHE_FLAG_NAMES,
  ipcacheFlagBits,
  ipcacheFlagsFromBits,
  type IpcacheEntry,
  type IpcacheFlags,
} from "../../model/ipcache.js";
import { formatPrefix, type IpPrefix } from "../../model/ip-prefix.js";
import { parseDecimal, parseIpAddress, parsePrefix } from "./address-text.js";

export interface IpcacheKey {
  readonly prefix: IpPrefix;
  readonly clusterId: number;
}

export function parseIpcacheKey(text: string): IpcacheKey | undefined {
  const at = text.indexOf("@");
  const prefix = parsePrefix(at < 0 ? text : text.slice(0, at));
  // Cluster IDs are u16 in the v2 key (u8 in older keys); the dump never prints @0.
  const clusterId = at < 0 ? 0 : parseDecimal(text.slice(at + 1), 0xffff);
  if (prefix === undefined || clusterId === undefined || (at >= 0 && clusterId === 0)) return undefined;
  return { prefix, clusterId };
}

export type IpcacheValue = Omit<IpcacheEntry, "prefix" | "clusterId" | "cache">;

function field(word: string | undefined, name: string): string | undefined {
  return word?.startsWith(`${name}=`) ? word.slice(name.length + 1) : undefined;
}

function parseFlags(text: string): IpcacheFlags | undefined {
  if (text === "<none>") return ipcacheFlagsFromBits(0);
  let bits = 0;
  for (const name of text.split(",")) {
    const bit = IPCACHE_FLAG_NAMES.find(([known]) => known === name)?.[1];
    if (bit === undefined || (bits & bit) !== 0) return undefined;
    bits |= bit;
  }
  return ipcacheFlagsFromBits(bits);
}

/**
 * Parses the value words at the start of `words`; returns the value and how many words it used, or
 * undefined when they are not an ipcache value.
 */
export function parseIpcacheValue(
  words: readonly string[],
): { value: IpcacheValue; used: number } | undefined {
  const identity = parseDecimal(field(words[0], "identity") ?? "", 0xffffffff);
  const encryptKey = parseDecimal(field(words[1], "encryptkey") ?? "", 0xff);
  const tunnel = parseIpAddress(field(words[2], "tunnelendpoint") ?? "");
  if (identity === undefined || encryptKey === undefined || tunnel === undefined) return undefined;
  const flagsText = field(words[3], "flags");
  const flags = flagsText === undefined ? ipcacheFlagsFromBits(0) : parseFlags(flagsText);
  if (flags === undefined) return undefined;
  return {
    value: {
      identity,
      encryptKey,
      tunnelEndpoint: tunnel.address,
      flags,
      flagsPrinted: flagsText !== undefined,
    },
    used: flagsText === undefined ? 3 : 4,
  };
}

export const IPCACHE_ROW_EXPECTED =
  "an ipcache row `<prefix>[@<cluster>] identity=<n> encryptkey=<n> tunnelendpoint=<ip> [flags=<list>]`";

export function formatIpcacheKey(entry: IpcacheKey): string {
  const prefix = formatPrefix(entry.prefix);
  return entry.clusterId === 0 ? prefix : `${prefix}@${entry.clusterId}`;
}

function formatFlags(flags: IpcacheFlags): string {
  const bits = ipcacheFlagBits(flags);
  const names = IPCACHE_FLAG_NAMES.filter(([, bit]) => (bits & bit) !== 0).map(([name]) => name);
  return names.length === 0 ? "<none>" : names.join(",");
}

export function formatIpcacheValue(entry: IpcacheValue): string {
  const base = `identity=${entry.identity} encryptkey=${entry.encryptKey} tunnelendpoint=${entry.tunnelEndpoint}`;
  return entry.flagsPrinted ? `${base} flags=${formatFlags(entry.flags)}` : base;
}

/** True when `words` look like an ipcache row: a prefix key followed by an ipcache value. */
export function isIpcacheRow(words: readonly string[]): boolean {
  return parseIpcacheKey(words[0] ?? "") !== undefined && parseIpcacheValue(words.slice(1)) !== undefined;
}
