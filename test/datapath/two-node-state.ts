// Two nodes of examples/lab-3node written by hand, for cross-node forwarding: k8s-ctr (the lab state
// of lab-state.ts) and k8s-w0 (192.168.20.100, pods 172.20.2.0/24, cilium_host 172.20.2.13, both
// from examples/lab-3node's ipcaches), each with the LoadBalancer 172.16.1.1 of
// examples/lab-3node-lb/service-list.lb-ip.txt. Its backends here are the lab's webpod pod on
// k8s-w0, 172.20.2.1, on port 8080/TCP and 5353/UDP, so every request that enters k8s-ctr crosses
// to k8s-w0.
import {
  IpcacheFlag,
  defaultNodeConfig,
  type DatapathState,
  type IpcacheMapEntry,
  type NodeConfig,
  type ServiceMapEntry,
} from "../../src/engine/state.js";
import { BackendState } from "../../src/model/backend.js";
import { parseCidr, requireIPv4 } from "../../src/model/ipv4.js";
import { IpProto } from "../../src/model/protocol.js";
import { ServiceFlag } from "../../src/model/service-flags.js";
import { labState } from "./lab-state.js";

const ip = (text: string): number => requireIPv4(text);

export const LB_IP = "172.16.1.1";
export const BACKEND_POD = "172.20.2.1";
export const CTR = "192.168.10.100";
export const W0 = "192.168.20.100";
const TCP_BACKEND = 17;
const UDP_BACKEND = 18;

/** The LoadBalancer frontends 172.16.1.1:80/TCP and :53/UDP, one backend each on k8s-w0. */
function addLoadBalancer(s: DatapathState): void {
  const frontends: [number, number, number, number][] = [
    [80, IpProto.TCP, 21, TCP_BACKEND],
    [53, IpProto.UDP, 22, UDP_BACKEND],
  ];
  for (const [port, proto, revNatId, backendId] of frontends) {
    const master: ServiceMapEntry = {
      address: ip(LB_IP),
      port,
      proto,
      scope: 0,
      slot: 0,
      backendId: 0,
      count: 1,
      qcount: 0,
      revNatId,
      flags: ServiceFlag.LoadBalancer | ServiceFlag.Routable,
      flags2: 0,
      affinityTimeoutSec: 0,
      algorithm: 0,
    };
    s.services.push(master, { ...master, slot: 1, backendId, count: 0, flags: 0 });
    s.revNat.push({ id: revNatId, address: ip(LB_IP), port });
  }
  s.backends.push(
    {
      id: TCP_BACKEND,
      address: ip(BACKEND_POD),
      port: 8080,
      proto: IpProto.TCP,
      state: BackendState.ACTIVE,
      weight: 100,
    },
    {
      id: UDP_BACKEND,
      address: ip(BACKEND_POD),
      port: 5353,
      proto: IpProto.UDP,
      state: BackendState.ACTIVE,
      weight: 100,
    },
  );
}

/** k8s-ctr: the hand-built lab node plus the LoadBalancer. */
export function ctrState(overrides: Partial<NodeConfig> = {}): DatapathState {
  const s = labState(overrides);
  addLoadBalancer(s);
  return s;
}

/** bpf-ipcache-list as k8s-w0 sees it: [prefix, identity, tunnel endpoint or ""]. */
const W0_IPCACHE: [string, number, string][] = [
  ["0.0.0.0/0", 2, ""],
  ["172.20.0.0/24", 2, CTR],
  ["172.20.0.253/32", 6, CTR],
  ["172.20.0.96/32", 63446, CTR],
  ["172.20.1.0/24", 2, "192.168.10.101"],
  ["192.168.10.100/32", 6, ""],
  ["192.168.10.101/32", 6, ""],
  ["192.168.20.100/32", 1, ""],
  ["172.20.2.13/32", 1, ""],
  ["172.20.2.1/32", 8469, ""],
];

/** k8s-w0: the backend's node. */
export function w0State(overrides: Partial<NodeConfig> = {}): DatapathState {
  const ctr = labState();
  const ipcache: IpcacheMapEntry[] = W0_IPCACHE.map(([cidr, identity, tunnel]) => ({
    ...parseCidr(cidr),
    identity,
    tunnelEndpoint: tunnel ? ip(tunnel) : 0,
    encryptKey: 0,
    flags: tunnel ? IpcacheFlag.HAS_TUNNEL_EP : 0,
  }));
  const s: DatapathState = {
    node: defaultNodeConfig({
      ...ctr.node,
      name: "k8s-w0",
      addresses: [ip(W0)],
      masqueradeAddress: ip(W0),
      directRoutingAddress: ip(W0),
      routerAddress: ip("172.20.2.13"),
      ...overrides,
    }),
    services: ctr.services,
    backends: ctr.backends,
    revNat: ctr.revNat,
    ipcache,
    ipMasqCidrs: ctr.ipMasqCidrs,
    sourceRanges: [],
    endpoints: [
      { address: ip(BACKEND_POD), endpointId: 1431, identity: 8469, isHost: false },
      { address: ip(W0), endpointId: 88, identity: 1, isHost: true },
      { address: ip("172.20.2.13"), endpointId: 88, identity: 1, isHost: true },
    ],
    ct: [],
    nat: [],
  };
  addLoadBalancer(s);
  return s;
}
