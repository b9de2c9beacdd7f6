// A synthetic but realistically sized node for the datapath benchmark: 250 nodes' pod CIDRs behind
// tunnels, 300 ClusterIP services with 5-20 backends each (about 3,800), 50 NodePort frontends,
// 254 local pods, and an ipcache of 100,000 entries (pod /32s, node addresses, CIDR identities).
import {
  IpcacheFlag,
  Proto,
  SvcFlag,
  defaultNodeConfig,
  type DatapathState,
  type IpcacheMapEntry,
} from "../../src/engine/state.js";

export const NODES = 250;
export const SERVICES = 300;
export const NODEPORTS = 50;
export const NODE_IP = 0xc0a80001; // 192.168.0.1 (this node)
export const LOCAL_POD_BASE = 0x0af40000; // 10.244.0.0/24 is this node's pod CIDR

const pod = (node: number, host: number): number => (0x0af40000 + (node << 8) + host) >>> 0;
const nodeIp = (node: number): number => (0xc0a80001 + node) >>> 0;

/** Deterministic mixing so the layout looks random but is reproducible. */
const mix = (x: number): number => {
  let h = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
};

export function serviceAddress(i: number): number {
  return (0x0a600000 + (((i >> 8) & 0xff) << 8) + (i & 0xff) + 1) >>> 0; // 10.96.x.y
}

export function benchmarkState(): DatapathState {
  const state: DatapathState = {
    node: defaultNodeConfig({
      name: "bench-node",
      addresses: [NODE_IP],
      routerAddress: pod(0, 1),
      nativeRoutingCidr: { prefix: 0x0af40000, prefixLen: 16 },
      routingMode: "tunnel",
    }),
    services: [],
    backends: [],
    revNat: [],
    ipcache: [],
    ipMasqCidrs: [],
    sourceRanges: [],
    endpoints: [],
    ct: [],
    nat: [],
  };
  let backendId = 1;
  for (let i = 0; i < SERVICES; i++) {
    const n = 5 + (mix(i) % 16);
    const ids: number[] = [];
    for (let j = 0; j < n; j++) {
      const h = mix(i * 1000 + j);
      const node = h % NODES;
      const address = pod(node, 2 + ((h >>> 8) % 250));
      state.backends.push({ id: backendId, address, port: 8080, proto: Proto.TCP, state: 0, weight: 100 });
      ids.push(backendId++);
    }
    const frontends: [number, number, number, number][] = [[serviceAddress(i), 80, i + 1, 0]];
    if (i < NODEPORTS) frontends.push([NODE_IP, 30000 + i, 1000 + i, SvcFlag.NODEPORT | SvcFlag.ROUTABLE]);
    for (const [address, port, revNatId, flags] of frontends) {
      const base = {
        address,
        port,
        proto: Proto.TCP,
        scope: 0 as const,
        revNatId,
        affinityTimeoutSec: 0,
        algorithm: 0 as const,
      };
      state.services.push({ ...base, slot: 0, backendId: 0, count: n, qcount: 0, flags, flags2: 0 });
      ids.forEach((id, k) =>
        state.services.push({
          ...base,
          slot: k + 1,
          backendId: id,
          count: 0,
          qcount: 0,
          flags: 0,
          flags2: 0,
        }),
      );
      state.revNat.push({ id: revNatId, address, port });
    }
  }
  const ipcache: IpcacheMapEntry[] = [
    { prefix: 0, prefixLen: 0, identity: 2, tunnelEndpoint: 0, encryptKey: 0, flags: 0 },
  ];
  for (let node = 0; node < NODES; node++) {
    const tunnel = node === 0 ? 0 : nodeIp(node);
    const flags = tunnel ? IpcacheFlag.HAS_TUNNEL_EP : 0;
    ipcache.push({
      prefix: nodeIp(node),
      prefixLen: 32,
      identity: node === 0 ? 1 : 6,
      tunnelEndpoint: 0,
      encryptKey: 0,
      flags: 0,
    });
    ipcache.push({
      prefix: pod(node, 0),
      prefixLen: 24,
      identity: 2,
      tunnelEndpoint: tunnel,
      encryptKey: 0,
      flags,
    });
    for (let host = 2; host < 254; host++) {
      const identity = 10000 + (mix(node * 256 + host) % 5000);
      ipcache.push({
        prefix: pod(node, host),
        prefixLen: 32,
        identity,
        tunnelEndpoint: tunnel,
        encryptKey: 0,
        flags,
      });
      if (node === 0)
        state.endpoints.push({ address: pod(0, host), endpointId: host, identity, isHost: false });
    }
  }
  // CIDR / FQDN identities (node-local scope) up to 100,000 entries.
  for (let k = 0; ipcache.length < 100_000; k++) {
    const address = (0x64400000 + (mix(k + 7) % 0x3fffff)) >>> 0; // inside 100.64.0.0/10
    ipcache.push({
      prefix: address,
      prefixLen: 32,
      identity: 0x01000000 + k,
      tunnelEndpoint: 0,
      encryptKey: 0,
      flags: 0,
    });
  }
  // Duplicate /32s from the mixing collapse into one entry; keep the first.
  const seen = new Set<string>();
  state.ipcache = ipcache.filter((e) => {
    const key = `${e.prefix}/${e.prefixLen}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  state.endpoints.push({ address: NODE_IP, endpointId: 1, identity: 1, isHost: true });
  return state;
}

/** A local pod opening a connection to a service: client `k` of the workload. */
export function clientFlow(k: number): { saddr: number; daddr: number; sport: number; dport: number } {
  return {
    saddr: pod(0, 2 + (k % 250)),
    daddr: serviceAddress(mix(k) % SERVICES),
    sport: 10000 + ((k / 250) | 0),
    dport: 80,
  };
}
