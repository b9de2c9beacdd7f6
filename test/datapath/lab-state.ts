// A DatapathState written by hand to mirror node k8s-ctr of examples/lab-3node (facts from
// its dumps: map-get-cilium_lb4_services_v2.txt for service slots, backend IDs and
// flags, service-list.txt for backend addresses, endpoint-list.txt for local endpoints,
// bpf-ipcache-list.k8s-ctr.txt for identities and tunnel endpoints).
import {
  IpcacheFlag,
  defaultNodeConfig,
  type BackendMapEntry,
  type DatapathState,
  type IpcacheMapEntry,
  type NodeConfig,
  type ServiceMapEntry,
} from "../../src/engine/state.js";
import { BackendState } from "../../src/model/backend.js";
import { requireIPv4, parseCidr } from "../../src/model/ipv4.js";
import { IpProto } from "../../src/model/protocol.js";
import { ServiceFlag } from "../../src/model/service-flags.js";

const ip = (text: string): number => requireIPv4(text);

/** id → "address:port/proto" (service-list.txt joined with the slot IDs of map-get). */
const BACKENDS: [number, string, number, number][] = [
  [1, "192.168.10.100", 6443, IpProto.TCP],
  [2, "192.168.10.100", 4244, IpProto.TCP],
  [3, "172.20.0.197", 53, IpProto.TCP],
  [4, "172.20.0.248", 53, IpProto.TCP],
  [5, "172.20.0.197", 53, IpProto.UDP],
  [6, "172.20.0.248", 53, IpProto.UDP],
  [7, "172.20.0.197", 9153, IpProto.TCP],
  [8, "172.20.0.248", 9153, IpProto.TCP],
  [9, "172.20.0.75", 10250, IpProto.TCP],
  [10, "172.20.0.33", 3000, IpProto.TCP],
  [11, "172.20.0.71", 9090, IpProto.TCP],
  [12, "172.20.0.73", 8081, IpProto.TCP],
  [13, "172.20.0.163", 4245, IpProto.TCP],
  [14, "172.20.0.66", 80, IpProto.TCP],
  [15, "172.20.2.1", 80, IpProto.TCP],
  [16, "172.20.1.126", 80, IpProto.TCP],
];

/** [frontend, port, proto, rev-NAT ID, flags, flags2, backend IDs in slot order]. */
const SERVICES: [string, number, number, number, number, number, number[]][] = [
  ["0.0.0.0", 30003, IpProto.TCP, 1, ServiceFlag.NodePort, 0, [12]],
  ["10.0.2.15", 30003, IpProto.TCP, 2, ServiceFlag.NodePort | ServiceFlag.Routable, 0, [12]],
  ["192.168.10.100", 30003, IpProto.TCP, 3, ServiceFlag.NodePort | ServiceFlag.Routable, 0, [12]],
  ["10.96.67.8", 80, IpProto.TCP, 4, 0, 0, [12]],
  ["10.96.0.10", 53, IpProto.TCP, 5, 0, 0, [3, 4]],
  ["10.96.0.10", 53, IpProto.UDP, 6, 0, 0, [5, 6]],
  ["10.96.0.10", 9153, IpProto.TCP, 7, 0, 0, [7, 8]],
  ["10.96.133.165", 443, IpProto.TCP, 8, 0, 0, [9]],
  ["0.0.0.0", 30002, IpProto.TCP, 9, ServiceFlag.NodePort, 0, [10]],
  ["10.0.2.15", 30002, IpProto.TCP, 10, ServiceFlag.NodePort | ServiceFlag.Routable, 0, [10]],
  ["192.168.10.100", 30002, IpProto.TCP, 11, ServiceFlag.NodePort | ServiceFlag.Routable, 0, [10]],
  ["10.96.60.80", 3000, IpProto.TCP, 12, 0, 0, [10]],
  ["0.0.0.0", 30001, IpProto.TCP, 13, ServiceFlag.NodePort, 0, [11]],
  ["10.0.2.15", 30001, IpProto.TCP, 14, ServiceFlag.NodePort | ServiceFlag.Routable, 0, [11]],
  ["192.168.10.100", 30001, IpProto.TCP, 15, ServiceFlag.NodePort | ServiceFlag.Routable, 0, [11]],
  ["10.96.97.168", 9090, IpProto.TCP, 16, 0, 0, [11]],
  ["10.96.213.163", 443, IpProto.TCP, 17, 0, ServiceFlag.IntLocalScope >> 8, [2]],
  ["10.96.33.53", 80, IpProto.TCP, 18, 0, 0, [13]],
  ["10.96.0.1", 443, IpProto.TCP, 19, 0, 0, [1]],
  ["10.96.163.90", 80, IpProto.TCP, 20, 0, 0, [14, 16, 15]],
];

/** bpf-ipcache-list.k8s-ctr.txt: [prefix, identity, tunnel endpoint or "" ]. */
const IPCACHE: [string, number, string][] = [
  ["172.20.0.197/32", 58623, ""],
  ["172.20.1.0/24", 2, "192.168.10.101"],
  ["192.168.10.100/32", 1, ""],
  ["172.20.0.71/32", 18480, ""],
  ["172.20.0.163/32", 32707, ""],
  ["192.168.10.101/32", 6, ""],
  ["192.168.20.100/32", 6, ""],
  ["172.20.0.33/32", 7496, ""],
  ["172.20.0.96/32", 63446, ""],
  ["172.20.0.248/32", 58623, ""],
  ["172.20.2.0/24", 2, "192.168.20.100"],
  ["172.20.0.75/32", 5827, ""],
  ["172.20.0.253/32", 1, ""],
  ["172.20.1.238/32", 6, "192.168.10.101"],
  ["172.20.2.1/32", 8469, "192.168.20.100"],
  ["172.20.2.13/32", 6, "192.168.20.100"],
  ["0.0.0.0/0", 2, ""],
  ["172.20.1.126/32", 8469, "192.168.10.101"],
  ["10.0.2.15/32", 1, ""],
  ["172.20.0.66/32", 8469, ""],
  ["172.20.0.72/32", 48231, ""],
  ["172.20.0.73/32", 22595, ""],
];

/** endpoint-list.txt: [endpoint ID, identity, address]; 275 is the host. */
const ENDPOINTS: [number, number, string][] = [
  [364, 18480, "172.20.0.71"],
  [406, 63446, "172.20.0.96"],
  [465, 48231, "172.20.0.72"],
  [810, 58623, "172.20.0.248"],
  [1203, 58623, "172.20.0.197"],
  [1769, 8469, "172.20.0.66"],
  [2060, 5827, "172.20.0.75"],
  [2321, 22595, "172.20.0.73"],
  [2795, 7496, "172.20.0.33"],
  [3315, 32707, "172.20.0.163"],
];
const HOST_ADDRESSES = ["192.168.10.100", "10.0.2.15", "172.20.0.253"];

export function labServices(): ServiceMapEntry[] {
  const out: ServiceMapEntry[] = [];
  for (const [addr, port, proto, revNatId, flags, flags2, ids] of SERVICES) {
    const base = {
      address: ip(addr),
      port,
      proto,
      scope: 0 as const,
      revNatId,
      affinityTimeoutSec: 0,
      algorithm: 0 as const,
    };
    out.push({ ...base, slot: 0, backendId: 0, count: ids.length, qcount: 0, flags, flags2 });
    ids.forEach((id, i) =>
      out.push({ ...base, slot: i + 1, backendId: id, count: 0, qcount: 0, flags: 0, flags2: 0 }),
    );
  }
  return out;
}

export function labState(overrides: Partial<NodeConfig> = {}): DatapathState {
  const backends: BackendMapEntry[] = BACKENDS.map(([id, addr, port, proto]) => ({
    id,
    address: ip(addr),
    port,
    proto,
    state: BackendState.ACTIVE,
    weight: 100,
  }));
  const ipcache: IpcacheMapEntry[] = IPCACHE.map(([cidr, identity, tunnel]) => ({
    ...parseCidr(cidr),
    identity,
    tunnelEndpoint: tunnel ? ip(tunnel) : 0,
    encryptKey: 0,
    flags: tunnel ? IpcacheFlag.HAS_TUNNEL_EP : 0,
  }));
  const node = defaultNodeConfig({
    name: "k8s-ctr",
    addresses: [ip("192.168.10.100"), ip("10.0.2.15")],
    routerAddress: ip("172.20.0.253"),
    nativeRoutingCidr: parseCidr("172.20.0.0/16"),
    routingMode: "tunnel",
    ctTcpMax: 4096,
    ctAnyMax: 4096,
    natMax: 4096,
    affinityMax: 1024,
    ...overrides,
  });
  return {
    node,
    services: labServices(),
    backends,
    revNat: SERVICES.map(([addr, port, , id]) => ({ id, address: ip(addr), port })),
    ipcache,
    ipMasqCidrs: ["10.10.1.0/24", "10.10.2.0/24", "169.254.0.0/16"].map(parseCidr),
    sourceRanges: [],
    endpoints: [
      ...ENDPOINTS.map(([endpointId, identity, addr]) => ({
        address: ip(addr),
        endpointId,
        identity,
        isHost: false,
      })),
      ...HOST_ADDRESSES.map((addr) => ({ address: ip(addr), endpointId: 275, identity: 1, isHost: true })),
    ],
    ct: [],
    nat: [],
  };
}
