// Dumps of different nodes must not be merged into one view. Nothing in a dump's text names its node,
// but an ipcache dump shows the node's own addresses (reserved:host, identity 1, host-length
// prefixes) and other nodes' addresses (reserved:remote-node, identity 6, and tunnel endpoints): when
// one ipcache dump calls an address its own and another calls it a remote node's, they were taken
// on different nodes. (An address both call their own, such as a NAT uplink every VM has, proves
// nothing.)
import type { IpcacheEntry } from "../model/ipcache.js";
import type { DumpRecord } from "../model/snapshot.js";
import { InputError } from "./errors.js";
import type { Located } from "./node-dumps.js";

/** reserved:host. */
const HOST_IDENTITY = 1;
/** reserved:remote-node. */
const REMOTE_NODE_IDENTITY = 6;

/** The addresses an ipcache dump shows as its own node's. */
export function ownAddresses(entries: readonly IpcacheEntry[]): Set<string> {
  const own = new Set<string>();
  for (const e of entries) {
    const hostLength = e.prefix.family === "ipv4" ? 32 : 128;
    if (e.identity === HOST_IDENTITY && e.prefix.length === hostLength && e.clusterId === 0)
      own.add(e.prefix.address);
  }
  return own;
}

/** Addresses an ipcache dump shows as other nodes': remote-node entries and tunnel endpoints. */
function remoteAddresses(entries: readonly IpcacheEntry[]): Set<string> {
  const remote = new Set<string>();
  for (const e of entries) {
    if (e.identity === REMOTE_NODE_IDENTITY && e.clusterId === 0) remote.add(e.prefix.address);
    if (e.tunnelEndpoint !== undefined && e.tunnelEndpoint !== "0.0.0.0") remote.add(e.tunnelEndpoint);
  }
  return remote;
}

/**
 * Refuses ipcache dumps of one view that were taken on different nodes, with a message that says how
 * to name the files so each node gets its own view. Linear in the entries: each address remembers
 * the first dump that called it own or remote.
 */
export function checkOneNode(
  ipcache: readonly Located<readonly IpcacheEntry[]>[],
  node: string | undefined,
): void {
  const ownIn = new Map<string, DumpRecord>();
  const remoteIn = new Map<string, DumpRecord>();
  for (const { value, where } of ipcache) {
    const own = ownAddresses(value);
    const remote = remoteAddresses(value);
    for (const [address, other] of [
      ...[...own].map((a) => [a, remoteIn.get(a)] as const),
      ...[...remote].map((a) => [a, ownIn.get(a)] as const),
    ]) {
      if (other === undefined) continue;
      const stem = where.kind === "map-get-ipcache" ? "map-get-cilium_ipcache_v2" : "bpf-ipcache-list";
      throw new InputError(
        { file: where.file, line: where.line },
        `ipcache dumps of different nodes ${node === undefined ? "and nothing names their nodes" : `both read as node ${node}`} (${address} is one node's own address and a remote node's in the other): ${other.file}:${other.line} and ${where.file}:${where.line}; put each node's dumps in files named <command>.<node>.txt (e.g. ${stem}.k8s-ctr.txt and ${stem}.k8s-w1.txt) and choose the view with --node`,
      );
    }
    for (const a of own) if (!ownIn.has(a)) ownIn.set(a, where);
    for (const a of remote) if (!remoteIn.has(a)) remoteIn.set(a, where);
  }
}
