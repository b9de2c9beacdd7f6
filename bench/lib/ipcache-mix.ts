// A synthetic but realistic ipcache content for map benchmarks and large-map tests: mostly pod
// /32s clustered in per-node /24 pod CIDRs, those /24s (remote nodes' pod CIDRs with a tunnel
// endpoint), some /16s (cluster pools covering the /24s, and external CIDR identities), and the
// agent's 0.0.0.0/0 world entry. Deterministic for a given size and seed.
import type { Ipv4Prefix } from "../../src/maps/types.js";

export interface IpcacheEntry {
  prefix: Ipv4Prefix;
  identity: number;
  /** Host-order IPv4 of the node that owns the prefix (0 = none). */
  tunnelEndpoint: number;
}

/** mulberry32: a tiny seeded PRNG, uniform u32 outputs. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

const POD_POOL_BASE = 10 << 24; // pod CIDRs come from 10.0.0.0/8
const NODE_BASE = ((192 << 24) | (168 << 16)) >>> 0; // node IPs 192.168.0.0/16

/**
 * `total` distinct prefixes: one /0, ~0.1 % /16, ~1 % /24, the rest /32. Every /24 is a node's pod
 * CIDR inside a cluster-pool /16; /32s are pod IPs inside those /24s (so lookups walk all three
 * table levels) plus the node IPs.
 */
export function realisticIpcache(total: number, seed = 1): IpcacheEntry[] {
  const random = prng(seed);
  const entries: IpcacheEntry[] = [];
  const seen = new Set<number>();
  const add = (address: number, length: number, identity: number, tunnelEndpoint: number) => {
    const id = length * 2 ** 32 + address;
    if (seen.has(id) || entries.length >= total) return false;
    seen.add(id);
    entries.push({ prefix: { address: address >>> 0, length }, identity, tunnelEndpoint });
    return true;
  };

  add(0, 0, 2, 0);
  const nodes = Math.max(1, Math.round(total * 0.01));
  const pools = Math.ceil(nodes / 256);
  for (let pool = 0; pool < pools; pool++) add(POD_POOL_BASE + (pool << 16), 16, 2, 0);
  const externals = Math.max(0, Math.round(total * 0.001) - pools);
  for (let i = 0; i < externals; i++) add(random() & 0xffff0000, 16, 0x01000000 + i, 0);

  const nodeIps: number[] = [];
  const podCidrs: number[] = [];
  for (let node = 0; node < nodes; node++) {
    const nodeIp = (NODE_BASE + 1 + node) >>> 0;
    const podCidr = (POD_POOL_BASE + (node << 8)) >>> 0;
    nodeIps.push(nodeIp);
    podCidrs.push(podCidr);
    add(podCidr, 24, 2, nodeIp);
  }
  for (const nodeIp of nodeIps) add(nodeIp, 32, 6, 0);
  // Pod IPs: fill the nodes' /24s at random until the total is reached.
  while (entries.length < total) {
    const node = random() % nodes;
    const host = 1 + (random() % 254);
    add((podCidrs[node]! | host) >>> 0, 32, 256 + (random() % 65000), nodeIps[node]!);
  }
  return entries;
}

/** Uniformly random addresses: most fall to the /0 or a /16 (one table level). */
export function randomAddresses(count: number, seed = 2): Uint32Array {
  const random = prng(seed);
  return Uint32Array.from({ length: count }, () => random());
}

/**
 * Hit-heavy addresses: 90 % are stored /32s (pod IPs, three table levels), 10 % other hosts inside
 * the pod /24s.
 */
export function hitHeavyAddresses(entries: readonly IpcacheEntry[], count: number, seed = 3): Uint32Array {
  const random = prng(seed);
  const hosts = entries.filter((e) => e.prefix.length === 32).map((e) => e.prefix.address);
  const cidrs = entries.filter((e) => e.prefix.length === 24).map((e) => e.prefix.address);
  return Uint32Array.from({ length: count }, () =>
    random() % 10 !== 0 || cidrs.length === 0
      ? hosts[random() % hosts.length]!
      : (cidrs[random() % cidrs.length]! | (random() & 0xff)) >>> 0,
  );
}

/** The 10-byte ipcache value used by the benchmarks: identity u32 LE, tunnel endpoint NBO, key, flags. */
export function ipcacheValue(entry: IpcacheEntry): Uint8Array {
  const value = new Uint8Array(10);
  const view = new DataView(value.buffer);
  view.setUint32(0, entry.identity, true);
  view.setUint32(4, entry.tunnelEndpoint, false);
  value[9] = entry.tunnelEndpoint === 0 ? 0 : 0x2; // has_tunnel_ep
  return value;
}
