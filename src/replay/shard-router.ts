// Which worker a packet goes to (RSS-like flow sharding). Every worker owns a whole datapath, so all
// packets that touch the same datapath state must reach the same worker. The key is the flow's
// CLIENT address — the end that is neither a service frontend nor a backend:
//
//   destination is the service loopback → client = source        (a hairpin reply: the pod answers
//                                                                   itself through a service)
//   destination is a service frontend   → client = source        (a request)
//   source is a service frontend        → client = destination   (a reply after reverse NAT, or a
//                                                                   synthetic reply before the replay
//                                                                   gives it its backend)
//   source is a backend (address:port)  → client = destination   (a reply before reverse NAT)
//   destination is a backend            → client = source        (a pod reaching a backend directly)
//   otherwise                           → both addresses, symmetrically (plain pod/host traffic)
//
// so a request to a frontend and the reply from whichever backend was chosen share a key. The key is
// the client's address, not its port: state shared by a client's connections (session affinity
// entries keyed by client address, the ICMP RELATED twins Cilium keys by address pair) then stays on
// one worker. Limits (docs/replay.md): replies that come back to an address the node allocated —
// BPF masquerading of pod egress, NodePort SNAT towards a remote backend — carry the node's address
// instead of the client's and reach another worker than their request when there are several;
// map evictions are per worker. Snapshot CT and NAT entries are distributed by the same rule.
import type { CtMapEntry, DatapathState, NatMapEntry } from "../engine/state.js";
import { PairTable } from "./pair-table.js";

/** Most workers a replay shards over (the route log keeps a worker index in a byte). */
export const MAX_WORKERS = 254;

function fmix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** What an address is to the sharding rule (AddressRole bits, one lookup per address and packet). */
const Role = {
  /** A frontend on every port (port 0). */
  FrontendAnyPort: 1,
  /** A frontend on some ports (in `frontends`). */
  FrontendPorts: 2,
  /** A node address: a frontend on the NodePort surrogate's ports. */
  NodeAddress: 4,
  /** A backend on every port (port 0 backends keep the frontend's port). */
  BackendAnyPort: 8,
  /** A backend on some ports (in `backends`). */
  BackendPorts: 16,
} as const;

export class ShardRouter {
  // Typed-array sets: the per-packet lookups allocate nothing.
  /** Role bits by address (column a): most packets need one probe per address, none per port. */
  private readonly roles = new PairTable();
  /** address:port of every service frontend with a port. */
  private readonly frontends = new PairTable();
  /** Ports of 0.0.0.0 (NodePort surrogate) frontends, valid on every node address. */
  private readonly anyAddressPorts = new PairTable();
  /** address:port of every backend with a port. */
  private readonly backends = new PairTable();
  /** The source a hairpin flow gets (service_loopback_ipv4): its replies go to it. */
  private readonly loopback: number;

  constructor(
    readonly workers: number,
    state: DatapathState,
  ) {
    for (const s of state.services) {
      if (s.slot !== 0) continue;
      if (s.address === 0) this.anyAddressPorts.slot(s.port, 0);
      else if (s.port === 0) this.addRole(s.address, Role.FrontendAnyPort);
      else {
        this.frontends.slot(s.address, s.port);
        this.addRole(s.address, Role.FrontendPorts);
      }
    }
    for (const a of state.node.addresses) this.addRole(a, Role.NodeAddress);
    for (const b of state.backends) this.addBackend(b.address, b.port);
    this.loopback = state.node.serviceLoopbackAddress >>> 0;
  }

  /** A backend that churn added. */
  addBackend(address: number, port: number): void {
    if (port === 0) this.addRole(address, Role.BackendAnyPort);
    else {
      this.backends.slot(address, port);
      this.addRole(address, Role.BackendPorts);
    }
  }

  private addRole(address: number, role: number): void {
    const slot = this.roles.slot(address, 0);
    if ((this.roles.a(slot) & role) === 0) this.roles.addA(slot, role);
  }

  private roleOf(address: number): number {
    const slot = this.roles.find(address, 0);
    return slot < 0 ? 0 : this.roles.a(slot);
  }

  private isFrontend(address: number, port: number, role: number): boolean {
    return (
      (role & Role.FrontendAnyPort) !== 0 ||
      ((role & Role.FrontendPorts) !== 0 && this.frontends.has(address, port)) ||
      ((role & Role.NodeAddress) !== 0 && this.anyAddressPorts.has(port, 0))
    );
  }

  private isBackend(address: number, port: number, role: number): boolean {
    return (
      (role & Role.BackendAnyPort) !== 0 ||
      ((role & Role.BackendPorts) !== 0 && this.backends.has(address, port))
    );
  }

  /** The worker (0..workers-1) for a packet from saddr:sport to daddr:dport (host-order numbers). */
  workerOf(saddr: number, sport: number, daddr: number, dport: number): number {
    if (this.workers === 1) return 0;
    return this.keyOf(saddr, sport, daddr, dport) % this.workers;
  }

  /** The flow's hash: its client address's (see the table at the top). */
  private keyOf(saddr: number, sport: number, daddr: number, dport: number): number {
    if (daddr === this.loopback) return fmix32(saddr);
    if (saddr === this.loopback) return fmix32(daddr);
    const dRole = this.roleOf(daddr);
    if (dRole !== 0 && this.isFrontend(daddr, dport, dRole)) return fmix32(saddr);
    const sRole = this.roleOf(saddr);
    if (sRole !== 0 && (this.isFrontend(saddr, sport, sRole) || this.isBackend(saddr, sport, sRole)))
      return fmix32(daddr);
    if (dRole !== 0 && this.isBackend(daddr, dport, dRole)) return fmix32(saddr);
    const lo = saddr < daddr ? saddr : daddr;
    const hi = saddr < daddr ? daddr : saddr;
    return fmix32((fmix32(lo) ^ hi) >>> 0);
  }

  /** The worker for a snapshot CT entry: its tuple's two ends are (saddr, dport) and (daddr, sport). */
  workerOfCt(entry: CtMapEntry): number {
    const t = entry.tuple;
    return this.workerOf(t.saddr >>> 0, t.dport, t.daddr >>> 0, t.sport);
  }

  /**
   * The worker for a snapshot SNAT entry. Both halves of a mapping go with the original flow: an
   * egress (OUT) entry is keyed by it, an ingress (IN) entry names its original source in its value.
   */
  workerOfNat(entry: NatMapEntry): number {
    const t = entry.tuple;
    if ((t.flags & 1) === 0) return this.workerOf(t.saddr >>> 0, t.sport, t.daddr >>> 0, t.dport);
    return this.workerOf(entry.address >>> 0, entry.port, t.saddr >>> 0, t.sport);
  }

  /** `state` with only the CT and NAT entries of `worker`. */
  stateFor(state: DatapathState, worker: number): DatapathState {
    if (this.workers === 1) return state;
    return {
      ...state,
      ct: state.ct.filter((e) => this.workerOfCt(e) === worker),
      nat: state.nat.filter((e) => this.workerOfNat(e) === worker),
    };
  }
}
