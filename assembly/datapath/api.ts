// Host-facing exports of the datapath: create an emulated node, fill its maps, process batches,
// collect garbage and read statistics. Everything wider than a few scalars crosses as a record whose
// layout records.ts or layout.ts defines and exports. The host refers to a node by a small integer handle; the
// node table keeps every live node reachable for the runtime.
import { BPF_ANY } from "../maps/errno";
import { prngSeed } from "../lb/select";
import { Node, NodeCapacities } from "./node";
import { DP_LPM_KEY_ADDR, DP_LPM_KEY_PREFIX_LEN, SRC_RANGE_RECORD_SIZE, TUPLE_NEXTHDR } from "./layout";
import { NodeConfigRecord, StatsRecord } from "./host-structs";
import { processBatch } from "./pipeline";
import { gcRun } from "./gc";
import { nodeOf as node, nodes } from "./handles";

// Scratch buffer for map writes from the host.
const tmp = heap.alloc(64);

/**
 * Creates an emulated node from the NodeConfigRecord at `config` (records.ts); returns its handle.
 * Capacities of 0 take Cilium's defaults.
 */
export function dpCreate(config: usize): i32 {
  const c = changetype<NodeConfigRecord>(config);
  const caps = new NodeCapacities();
  if (c.servicesMax != 0) caps.services = c.servicesMax;
  if (c.backendsMax != 0) {
    caps.backends = c.backendsMax;
    caps.revNat = max(c.backendsMax, caps.services);
  }
  if (c.ipcacheMax != 0) caps.ipcache = c.ipcacheMax;
  if (c.endpointsMax != 0) caps.endpoints = c.endpointsMax;
  const n = new Node(caps, c.ctTcpMax, c.ctAnyMax, c.natMax, c.affinityMax, c.seed);
  configure(n, c);
  for (let i = 0; i < nodes.length; i++) {
    if (nodes[i] === null) {
      nodes[i] = n;
      return i;
    }
  }
  nodes.push(n);
  return nodes.length - 1;
}

/** Node addresses, modes, LB parameters and CT lifetimes (see EngineConfig in src/datapath/engine.ts). */
function configure(n: Node, c: NodeConfigRecord): void {
  n.masqueradeAddress = c.masqueradeAddress;
  n.directRoutingAddress = c.directRoutingAddress;
  n.routerAddress = c.routerAddress;
  n.loopbackAddress = c.loopbackAddress;
  n.nativeCidrPrefix = c.nativeCidrPrefix & c.nativeCidrMask;
  n.nativeCidrMask = c.nativeCidrMask;
  n.hasNativeCidr = c.hasNativeCidr != 0;
  n.tunnelMode = c.tunnelMode != 0;
  n.bpfHostRouting = c.bpfHostRouting != 0;
  n.masquerade = c.masquerade != 0;
  n.ipMasqAgent = c.ipMasqAgent != 0;
  n.serviceProtocols = c.serviceProtocols != 0;
  n.natPortMin = c.natPortMin;
  n.natPortMax = c.natPortMax;
  n.snatRetries = c.snatRetries;
  n.nodeAlgorithm = c.nodeAlgorithm;
  n.algorithmOverride = c.algorithmOverride;
  n.jhashSeed = c.jhashSeed;
  n.flowHashPacking = c.flowHashPacking;
  n.gcInterval = c.gcInterval;
  n.timeoutRegularTcp = c.timeoutRegularTcp;
  n.timeoutRegularAny = c.timeoutRegularAny;
  n.timeoutServiceTcp = c.timeoutServiceTcp;
  n.timeoutServiceAny = c.timeoutServiceAny;
  n.timeoutTcpSyn = c.timeoutTcpSyn;
  n.timeoutTcpClose = c.timeoutTcpClose;
  n.timeoutServiceCloseRebalance = c.timeoutServiceCloseRebalance;
  n.randomPerFlow = c.randomPerFlow != 0;
  n.nodePortMode = c.nodePortMode;
  n.dsrDispatch = c.dsrDispatch;
  n.tunnelProtocol = c.tunnelProtocol;
}

/** Frees a node and its maps; the handle may be reused by a later dpCreate. */
export function dpDestroy(h: i32): void {
  node(h).dispose();
  nodes[h] = null;
}

/** Re-seeds the PRNG (random selection and SNAT port choice). */
export function dpSeed(h: i32, seed: u32): void {
  prngSeed(node(h).prng, seed);
  node(h).baseSeed = seed;
}

// Map writes: the host passes the key and value records in the map's own layout (layout.ts),
// zero-padded, so a write is the BPF map update it stands for. Each returns 0 or a negative errno.

/** Writes one lb4 service record (master: slot 0); key SVC_KEY_*, value SVC_*. */
export function dpServiceUpdate(h: i32, key: usize, value: usize): i32 {
  return node(h).services.update(key, value, BPF_ANY);
}

export function dpServiceDelete(h: i32, key: usize): i32 {
  return node(h).services.delete(key);
}

/** Writes one lb4 backend; key u32 backend ID, value BACKEND_*. */
export function dpBackendUpdate(h: i32, key: usize, value: usize): i32 {
  return node(h).backends.update(key, value, BPF_ANY);
}

export function dpBackendDelete(h: i32, key: usize): i32 {
  return node(h).backends.delete(key);
}

/** Writes one reverse-NAT entry; key u32 rev-NAT ID, value REVNAT_*. */
export function dpRevNatUpdate(h: i32, key: usize, value: usize): i32 {
  return node(h).revNat.update(key, value, BPF_ANY);
}

export function dpRevNatDelete(h: i32, key: usize): i32 {
  return node(h).revNat.delete(key);
}

/** Writes one local endpoint; key u32 address, value EP_*. */
export function dpEndpointUpdate(h: i32, key: usize, value: usize): i32 {
  return node(h).endpoints.update(key, value, BPF_ANY);
}

/** Writes one ipcache entry; key DP_LPM_KEY_* (address, prefix length), value IPCACHE_*. */
export function dpIpcacheUpdate(h: i32, key: usize, value: usize): i32 {
  return node(h).ipcache.update(
    load<u32>(key, DP_LPM_KEY_ADDR),
    load<u32>(key, DP_LPM_KEY_PREFIX_LEN),
    value,
    BPF_ANY,
  );
}

/** Adds an ip-masq-agent non-masquerade CIDR; key DP_LPM_KEY_*. */
export function dpIpMasqAdd(h: i32, key: usize): i32 {
  store<u32>(tmp, 1);
  return node(h).ipMasq.update(
    load<u32>(key, DP_LPM_KEY_ADDR),
    load<u32>(key, DP_LPM_KEY_PREFIX_LEN),
    tmp,
    BPF_ANY,
  );
}

/** Adds a loadBalancerSourceRanges CIDR of a service; -28 (ENOSPC) when the list is full. */
export function dpSourceRangeAdd(h: i32, revNat: u32, prefix: u32, prefixLen: u32): i32 {
  const n = node(h);
  if (n.sourceRangeCount == n.sourceRangeMax) return -28;
  const mask: u32 = prefixLen == 0 ? 0 : <u32>(0xffffffff << (32 - prefixLen));
  const rec = n.sourceRanges + <usize>n.sourceRangeCount * SRC_RANGE_RECORD_SIZE;
  store<u32>(rec, revNat);
  store<u32>(rec, prefix & mask, 4);
  store<u32>(rec, mask, 8);
  n.sourceRangeCount++;
  return 0;
}

/**
 * Installs the Maglev table (u32[m] backend IDs at `table`, copied) for a rev-NAT ID, replacing any
 * previous one; m = 0 removes it.
 */
export function dpMaglevSet(h: i32, revNat: u32, table: usize, m: u32): i32 {
  const n = node(h);
  store<u32>(tmp, revNat);
  const old = n.maglev.lookup(tmp);
  if (old != 0) {
    heap.free(<usize>load<u32>(old));
    n.maglev.delete(tmp);
  }
  if (m == 0) return 0;
  const copy = heap.alloc((<usize>m) << 2);
  memory.copy(copy, table, (<usize>m) << 2);
  const v = tmp + 16;
  store<u32>(v, <u32>copy);
  store<u32>(v, m, 4);
  store<u32>(tmp, revNat);
  return n.maglev.update(tmp, v, BPF_ANY);
}

/** Writes a pre-existing CT entry (key TUPLE_*, value CT_*) into ct4_global (TCP) or ct_any4_global. */
export function dpCtInsert(h: i32, key: usize, value: usize): i32 {
  return node(h).ctMapFor(load<u8>(key, TUPLE_NEXTHDR)).update(key, value, BPF_ANY);
}

/** Writes a pre-existing SNAT entry: key TUPLE_* in packet layout, value NAT_*. */
export function dpNatInsert(h: i32, key: usize, value: usize): i32 {
  return node(h).nat.update(key, value, BPF_ANY);
}

/** Runs the pipeline over `n` packet records at `packets`; writes `n` verdict records at `verdicts`. */
export function dpProcess(h: i32, packets: usize, n: u32, verdicts: usize): void {
  processBatch(node(h), packets, n, verdicts);
}

/** Collects expired CT entries (and their SNAT pairs) as of `now` (datapath seconds). */
export function dpGc(h: i32, now: u32): void {
  gcRun(node(h), now);
}

/** Writes a StatsRecord (records.ts) at `out`. */
export function dpStats(h: i32, out: usize): void {
  const n = node(h);
  const s = changetype<StatsRecord>(out);
  s.ctTcp = n.ctTcp.count;
  s.ctTcpMax = n.ctTcp.maxEntries;
  s.ctAny = n.ctAny.count;
  s.ctAnyMax = n.ctAny.maxEntries;
  s.nat = n.nat.count;
  s.natMax = n.nat.maxEntries;
  s.affinity = n.affinity.count;
  s.affinityMax = n.affinity.maxEntries;
  s.gcRuns = n.gcRuns;
  s.packets = n.packets;
  s.forwarded = n.forwarded;
  s.dropped = n.dropped;
  s.gcCtDeleted = n.gcCtDeleted;
  s.gcNatDeleted = n.gcNatDeleted;
  s.ctEvictions = n.ctEvictions;
  s.natEvictions = n.natEvictions;
}
